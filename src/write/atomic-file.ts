/** One file written whole or not at all: a temporary beside it, then rename. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export function writeFileAtomically(path: string, bytes: Uint8Array | string): void {
  const tmp = join(path, '..', `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
