/**
 * The pipeline's layers import downwards only: nothing outside src/cli imports
 * the CLI (UserError lives in src/base, below everything).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : []));

describe('layers', () => {
  it('no module outside src/cli imports from src/cli', () => {
    const offenders = walk(SRC)
      .filter((f) => !relative(SRC, f).startsWith('cli/'))
      .filter((f) => /from '(\.\.\/)+cli\//.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });
});
