/** Throwaway package-manager roots for the lifecycle tests. */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, lstatSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `mpgen-${prefix}-`));

export function run(cmd: string, args: string[], opts: ExecFileSyncOptions = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts }) as string;
}

/** stdout and stderr together, and the exit status, without throwing. */
export function runAll(cmd: string, args: string[], opts: ExecFileSyncOptions = {}): { status: number; out: string } {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts }) as string;
    return { status: 0, out };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { status: err.status ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/**
 * A minimal dpkg database: the packages our Depends name are recorded as
 * installed stubs, so dpkg resolves dependencies without --force-depends.
 */
export function dpkgRoot(stubs: string[]): string {
  const root = tempDir('dpkg');
  mkdirSync(join(root, 'var/lib/dpkg/info'), { recursive: true });
  mkdirSync(join(root, 'var/lib/dpkg/updates'), { recursive: true });
  const status = stubs
    .map((p) => `Package: ${p}\nStatus: install ok installed\nVersion: 99\nArchitecture: all\nMaintainer: stub <stub@example.com>\nDescription: stub for tests\n`)
    .join('\n');
  writeFileSync(join(root, 'var/lib/dpkg/status'), status);
  for (const p of stubs) writeFileSync(join(root, `var/lib/dpkg/info/${p}.list`), '');
  return root;
}

/** path -> "type:mode:mtime:content-or-target" for every entry under root, for whole-tree comparisons. */
export function snapshotTree(root: string, opts: { mtimes?: boolean } = {}): Map<string, string> {
  const mtimes = opts.mtimes ?? true;
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, r));
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.set(r, `link:${readlinkSync(join(root, r))}`);
      else if (st.isDirectory()) {
        out.set(r, `dir:${mode}`);
        walk(r);
      } else out.set(r, `file:${mode}:${mtimes ? Math.floor(st.mtimeMs) : '-'}:${readFileSync(join(root, r)).toString('base64')}`);
    }
  };
  walk('');
  return out;
}
