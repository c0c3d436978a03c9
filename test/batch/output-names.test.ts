/**
 * --name-by stem takes names from file names: a stem that is not a plain name ("..", ".", an
 * option, a path) fails that profile with a message, and the others are written. The write
 * layer itself refuses a batch tree that is not a direct child of -o.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPlan } from '../../src/plan/render.js';
import { OutputPathError, writePlanTree } from '../../src/write/write-tree.js';
import { mpgen } from '../support/cli.js';
import { fixtureModel, fixturePath } from '../support/fixtures.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'mpgen-names-'));

/** `work` holds an earlier mpgen tree and a file beside batch/ */
function workDir(dir: string): string {
  const work = join(dir, 'work');
  expect(mpgen(['render', '-p', fixturePath('seed003-teql'), '--distro', 'debian', '-o', work]).code).toBe(0);
  mkdirSync(join(work, 'batch'));
  writeFileSync(join(work, 'beside.txt'), 'keep me\n');
  return work;
}

describe('--name-by stem', () => {
  for (const [file, stem] of [
    ['...yaml', '..'],
    ['..yaml', '.'],
  ] as const)
    it(`a file named ${file} (stem "${stem}") fails with a message; -o's parent and -o are untouched`, () => {
      const dir = tmp();
      const work = workDir(dir);
      mkdirSync(join(dir, 'd'));
      copyFileSync(fixturePath('seed001-multipath'), join(dir, 'd', file));
      const before = readdirSync(work).sort();
      const r = mpgen(['render', '--batch', join(dir, 'd', file), '--name-by', 'stem', '--distro', 'debian', '-o', join(work, 'batch')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`  ${join(dir, 'd', file)}: the file stem "${stem}" cannot name an output directory: a stem must start with a letter, digit or "_", then up to 127 of [A-Za-z0-9._+-]. Rename the file, or use --name-by name`);
      expect(readdirSync(work).sort()).toEqual(before);
      expect(readFileSync(join(work, 'beside.txt'), 'utf8')).toBe('keep me\n');
      expect(readdirSync(join(work, 'batch'))).toEqual([]);
    });

  it('stems with a leading "-", a space or a control character fail; plain stems are written', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'd'));
    const names = ['-rf.yaml', 'two words.yaml', 'bell\u0007.yaml', 'site_1.v2.yaml'];
    for (const n of names) copyFileSync(fixturePath('seed001-multipath'), join(dir, 'd', n));
    const r = mpgen(['render', '--batch', join(dir, 'd'), '--name-by', 'stem', '--distro', 'debian', '-o', join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(readdirSync(join(dir, 'out'))).toEqual(['site_1.v2']);
    expect(r.stderr).toContain('mpgen: 3 of 4 profiles failed:');
    expect(r.stderr).toContain('the file stem "bell\\u0007" cannot name an output directory');
  });
});

describe('writePlanTree within a batch directory', () => {
  it('refuses a tree that is not a direct child of -o', () => {
    const dir = tmp();
    const out = join(dir, 'out');
    mkdirSync(out);
    const plan = renderPlan(fixtureModel('seed001-multipath'), 'debian');
    for (const bad of [join(out, '..'), join(out, '.'), join(out, 'a', 'b'), join(dir, 'elsewhere')])
      expect(() => writePlanTree(plan, bad, { within: out }), bad).toThrow(OutputPathError);
    expect(readdirSync(dir)).toEqual(['out']);
    expect(writePlanTree(plan, join(out, 'ok'), { within: out }).unchanged).toBe(false);
  });
});
