/** Writes planned files under a directory as the target would hold them (path, bytes, mode). */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PlannedFile } from '../../src/plan/plan.js';

export function writeFilesUnder(root: string, files: Array<Pick<PlannedFile, 'path' | 'content' | 'mode'>>): void {
  for (const f of files) {
    const p = join(root, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content);
    chmodSync(p, f.mode);
  }
}

/** The same, into a new temporary directory; returns it. */
export function writeFilesToTemp(files: Array<Pick<PlannedFile, 'path' | 'content' | 'mode'>>, prefix = 'mpgen-tree-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  writeFilesUnder(root, files);
  return root;
}
