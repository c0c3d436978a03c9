/** Where templates/ and distros/ live: beside src/ in the repo, beside dist/ in a build. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) {
      root = dir;
      return dir;
    }
    dir = resolve(dir, '..');
  }
  throw new Error('mpgen: cannot find its templates/ directory');
}

export const templatesDir = (): string => join(packageRoot(), 'templates');
export const distrosDir = (): string => join(packageRoot(), 'distros');
