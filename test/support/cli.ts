/** Runs the built CLI as a user would: the `mpgen` command (bin/mpgen -> bin/mpgen.cjs -> dist/mpgen.cjs). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/mpgen', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function mpgen(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): CliRun {
  const r = spawnSync(BIN, args, {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, ...opts.env },
    input: opts.input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
