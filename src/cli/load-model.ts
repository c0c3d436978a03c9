/** Profile selection for every command: -p FILE (- for standard input), else ./mpgen.yaml, else the embedded default. */
import { existsSync, readSync } from 'node:fs';
import { ProfileError, formatDiagnostics } from '../profile/diagnostics.js';
import { DEFAULT_PROFILE_NAME, DEFAULT_PROFILE_YAML } from '../profile/default-profile.js';
import { MAX_PROFILE_BYTES } from '../profile/load.js';
import { loadModelFromText, readProfileText } from '../model/load.js';
import type { Model } from '../model/model.js';
import { UserError } from '../base/user-error.js';

/** What messages call a profile read from standard input (`-p -`). */
export const STDIN_SOURCE = '<stdin>';

/** Standard input as text, at most MAX_PROFILE_BYTES of it. */
function readStdinText(): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(64 * 1024);
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EOF') break;
      if (code === 'EAGAIN') {
        // a non-blocking descriptor with nothing yet: wait a little, as a blocking read would
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      throw new ProfileError([{ severity: 'error', file: STDIN_SOURCE, line: 1, col: 1, path: '', message: `cannot read standard input: ${code ?? (e as Error).message}`, hint: 'Pipe a profile in, or give -p FILE' }]);
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_PROFILE_BYTES)
      throw new ProfileError([{ severity: 'error', file: STDIN_SOURCE, line: 1, col: 1, path: '', message: `the input is more than ${MAX_PROFILE_BYTES} bytes; a profile is at most ${MAX_PROFILE_BYTES} bytes`, hint: 'Is this the right input?' }]);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

export interface CliModel {
  model: Model;
  /** the file read, STDIN_SOURCE, or DEFAULT_PROFILE_NAME */
  source: string;
  usedDefault: boolean;
}

export function loadModelForCli(profile?: string, opts: { quiet?: boolean } = {}): CliModel {
  let source = profile;
  if (source === undefined && existsSync('mpgen.yaml')) source = 'mpgen.yaml';
  try {
    if (source === undefined) {
      if (!opts.quiet)
        process.stderr.write(
          `mpgen: no -p FILE and no ./mpgen.yaml: using the ${DEFAULT_PROFILE_NAME} (four ADSL lines bonded with teql). \`mpgen init\` writes it to a file you can edit.\n`,
        );
      const { model } = loadModelFromText(DEFAULT_PROFILE_YAML, DEFAULT_PROFILE_NAME);
      return { model, source: DEFAULT_PROFILE_NAME, usedDefault: true };
    }
    const text = source === '-' ? readStdinText() : readProfileText(source);
    if (source === '-') source = STDIN_SOURCE;
    const { model, warnings } = loadModelFromText(text, source);
    if (warnings.length > 0 && !opts.quiet) process.stderr.write(formatDiagnostics(warnings));
    return { model, source, usedDefault: false };
  } catch (e) {
    if (e instanceof ProfileError) throw new UserError(e.message, 1);
    throw e;
  }
}
