/**
 * A rewrite replaces the whole tree: a file added by hand inside it goes, and stderr says so,
 * for a single render and in the batch summary (bounded). Files an earlier plan wrote and the
 * new plan does not (another distro, a renamed profile) go without a word: mpgen wrote them.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPlan } from '../../src/plan/render.js';
import { writePlanTree } from '../../src/write/write-tree.js';
import { mpgen } from '../support/cli.js';
import { fixtureModel, fixturePath } from '../support/fixtures.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'mpgen-removed-'));
const removedLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('mpgen: removed ') || l.includes('more files removed'));

describe('what a rewrite removed', () => {
  it('writePlanTree reports the files added by hand, not those an earlier plan wrote', () => {
    const out = join(tmp(), 'tree');
    writePlanTree(renderPlan(fixtureModel('seed001-multipath'), 'debian'), out);
    writeFileSync(join(out, 'etc', 'by-hand.conf'), 'mine\n');
    mkdirSync(join(out, 'srv', 'empty'), { recursive: true });
    const r = writePlanTree(renderPlan(fixtureModel('seed001-multipath'), 'ubuntu'), out);
    expect(r.removed).toEqual(['/etc/by-hand.conf', '/srv/empty/']);
  });

  it('render -p: one stderr line per file added by hand', () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const render = (distro: string) => mpgen(['render', '-p', fixturePath('seed001-multipath'), '--distro', distro, '-o', out]);
    expect(render('debian').code).toBe(0);
    writeFileSync(join(out, 'etc', 'by-hand.conf'), 'mine\n');
    writeFileSync(join(out, 'notes\u001b[2J.txt'), 'mine\n');
    const r = render('ubuntu');
    expect(r.code, r.stderr).toBe(0);
    expect(removedLines(r.stderr)).toEqual([`mpgen: removed ${join(out, 'etc', 'by-hand.conf')} (not in the plan)`, `mpgen: removed ${join(out, 'notes\\e[2J.txt')} (not in the plan)`]);
    expect(removedLines(render('debian').stderr)).toEqual([]);
  });

  it('render --batch: in the summary, at most 20 lines, then a count', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'in'));
    for (let i = 0; i < 3; i++) copyFileSync(fixturePath('seed001-multipath'), join(dir, 'in', `site-${i}.yaml`));
    const out = join(dir, 'out');
    const batch = (distro: string) => mpgen(['render', '--batch', join(dir, 'in'), '--name-by', 'stem', '--distro', distro, '-o', out]);
    expect(batch('debian').code).toBe(0);
    for (let i = 0; i < 3; i++) for (let k = 0; k < 10; k++) writeFileSync(join(out, `site-${i}`, `hand-${k}`), 'x');
    const r = batch('ubuntu');
    expect(r.code, r.stderr).toBe(0);
    const lines = removedLines(r.stderr);
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe(`mpgen: removed ${join(out, 'site-0', 'hand-0')} (not in the plan)`);
    expect(lines[20]).toBe('mpgen: ... and 10 more files removed (not in their plans)');
  });
});
