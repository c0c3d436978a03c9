/**
 * Batch mode: one bad profile never stops the others; failures are summed up
 * with their locations; exit 1 when any failed; the good ones are written,
 * identically with and without worker threads.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/batch/progress.js';
import { BatchInputError, expandBatchInput } from '../../src/batch/sources.js';
import { mpgen } from '../support/cli.js';
import { FIXTURES, fixturePath } from '../support/fixtures.js';
import { missing } from '../support/require.js';

/** Four good fixtures, two bad profiles and a non-profile file. */
function batchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mpgen-batch-'));
  const inp = join(dir, 'in');
  mkdirSync(inp);
  for (const f of FIXTURES) copyFileSync(fixturePath(f), join(inp, `${f}.yaml`));
  writeFileSync(join(inp, 'typo.yaml'), readFileSync(fixturePath('seed001-multipath'), 'utf8').replace('name: branch', 'name: typo').replace(/mode: \w+/, 'mode: multipth'));
  writeFileSync(join(inp, 'empty.yml'), '');
  writeFileSync(join(inp, 'README.txt'), 'not a profile');
  return dir;
}

const tree = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const p = join(e.parentPath, e.name);
        return [p.slice(dir.length), readFileSync(p, 'utf8')];
      })
      .sort(),
  );

describe('mpgen render --batch', () => {
  it('writes the good profiles, lists the bad ones with their locations, exits 1', () => {
    const dir = batchDir();
    const out = join(dir, 'out');
    const r = mpgen(['render', '--batch', join(dir, 'in'), '--distro', 'debian', '-o', out]);
    expect(r.code).toBe(1);
    expect(readdirSync(out).sort()).toEqual(['aaisp', 'branch', 'h2h', 'office']);
    for (const name of ['aaisp', 'branch', 'h2h', 'office']) expect(readdirSync(join(out, name))).toContain('etc');
    expect(r.stdout.trim().split('\n').sort()).toEqual(['aaisp', 'branch', 'h2h', 'office'].map((n) => join(out, n)));
    expect(r.stderr).toContain('mpgen: 2 of 6 profiles failed:');
    expect(r.stderr).toContain(`  ${join(dir, 'in', 'empty.yml')}:1:1: the file is empty.`);
    expect(r.stderr).toMatch(new RegExp(`  ${join(dir, 'in', 'typo.yaml').replace(/[.]/g, '\\.')}:\\d+:7: mode: "multipth" is not one of teql, multipath, equalize\\. Did you mean "multipath"\\?`));
    expect(r.stderr).toContain(`mpgen: rendered 4 of 6 profiles under ${out}; 2 failed, nothing written for them`);
    // not a terminal: no progress bar
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
  });

  it('exits 0 when every profile is good, and worker threads write the same trees as one thread', () => {
    const dir = batchDir();
    const glob = join(dir, 'in', 'seed*.yaml');
    const one = mpgen(['render', '--batch', glob, '--distro', 'rocky', '-o', join(dir, 'one'), '--jobs', '0']);
    const two = mpgen(['render', '--batch', glob, '--distro', 'rocky', '-o', join(dir, 'two'), '--jobs', '2']);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(Object.keys(tree(join(dir, 'one'))).length).toBeGreaterThan(20);
    expect(tree(join(dir, 'two'))).toEqual(tree(join(dir, 'one')));
  });

  it('two profiles with one name: the second fails and says why; --name-by stem separates them', () => {
    const dir = batchDir();
    copyFileSync(fixturePath('seed003-teql'), join(dir, 'in', 'office-copy.yaml'));
    const r = mpgen(['render', '--batch', join(dir, 'in', '*.yaml'), '--distro', 'ubuntu', '-o', join(dir, 'out'), '--jobs', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/: output directory "office" also belongs to .*(office-copy|seed003-teql)\.yaml; give the profiles distinct names, or use --name-by stem/);
    const s = mpgen(['render', '--batch', join(dir, 'in', '*.yaml'), '--distro', 'ubuntu', '-o', join(dir, 'stem'), '--name-by', 'stem']);
    expect(readdirSync(join(dir, 'stem'))).toEqual(expect.arrayContaining(['office-copy', 'seed003-teql']));
    expect(s.stderr).not.toContain('also belongs to');
  });

  it('usage errors: -p with --batch, an unknown distro, a pattern that matches nothing', () => {
    const dir = batchDir();
    expect(mpgen(['render', '--batch', join(dir, 'in'), '-p', 'x.yaml', '--distro', 'debian']).code).toBe(2);
    const d = mpgen(['render', '--batch', join(dir, 'in'), '--distro', 'debain', '-o', join(dir, 'o')]);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain('unknown distro "debain". Did you mean "debian"?');
    const n = mpgen(['render', '--batch', join(dir, 'nothing-*.yaml'), '--distro', 'debian']);
    expect(n.code).toBe(1);
    expect(n.stderr).toContain('the pattern matches no file');
  });
});

const noDpkg = missing({ commands: ['dpkg-deb'] });
// Skipped only outside CI, when missing() (test/support/require.ts) finds a tool or root absent; it prints why.
// Under CI=true missing() throws instead, and .ci/run also fails on any skipped test.
describe.skipIf(noDpkg)('mpgen package --batch', () => {
  it('one .deb per good profile, all readable by dpkg-deb; the bad ones listed; exit 1', () => {
    const dir = batchDir();
    const out = join(dir, 'debs');
    const r = mpgen(['package', '--batch', join(dir, 'in'), '--distro', 'debian', '--format', 'deb', '-o', out, '--jobs', '2']);
    expect(r.code).toBe(1);
    const debs = readdirSync(out).sort();
    expect(debs).toEqual(['mpgen-aaisp_0.1.0_all.deb', 'mpgen-branch_0.1.0_all.deb', 'mpgen-h2h_0.1.0_all.deb', 'mpgen-office_1.0.0_all.deb']);
    for (const d of debs) expect(execFileSync('dpkg-deb', ['--field', join(out, d), 'Package'], { encoding: 'utf8' }).trim()).toBe(d.split('_')[0]);
    expect(r.stderr).toContain('mpgen: 2 of 6 profiles failed:');
    expect(r.stderr).toContain(`mpgen: packaged 4 of 6 profiles under ${out}`);
  });
});

describe('batch inputs and the progress bar', () => {
  it('a directory gives its *.yaml and *.yml files, sorted; a glob may use ** and [..]', () => {
    const dir = batchDir();
    mkdirSync(join(dir, 'in', 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'in', 'sub', 'deeper', 'x.yaml'), 'a: 1\n');
    writeFileSync(join(dir, 'in', '.hidden.yaml'), 'a: 1\n');
    const inDir = expandBatchInput(join(dir, 'in')).map((p) => p.slice(dir.length + 4));
    expect(inDir).toEqual(['empty.yml', ...FIXTURES.map((f) => `${f}.yaml`).sort(), 'typo.yaml']);
    expect(expandBatchInput(join(dir, '**', 'x.yaml'))).toEqual([join(dir, 'in', 'sub', 'deeper', 'x.yaml')]);
    expect(expandBatchInput(join(dir, 'in', 'seed00[01]-*.yaml')).map((p) => p.slice(dir.length + 4))).toEqual(['seed000-equalize.yaml', 'seed001-multipath.yaml']);
    expect(() => expandBatchInput(join(dir, 'missing'))).toThrow(BatchInputError);
  });

  it('draws on a terminal and stays silent otherwise', () => {
    const writes: string[] = [];
    const tty = { isTTY: true, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const bar = progressBar(tty, 'rendering');
    bar.update(5, 10, 1);
    bar.update(10, 10, 1);
    bar.end();
    expect(writes[0]).toBe('\rrendering [###############...............] 5/10, 1 failed\u001b[K');
    expect(writes.at(-2)).toContain('[##############################] 10/10, 1 failed');
    expect(writes.at(-1)).toBe('\r\u001b[K');
    const quiet: string[] = [];
    const pipe = progressBar({ isTTY: false, write: (s: string) => quiet.push(s) } as unknown as NodeJS.WriteStream, 'rendering');
    pipe.update(10, 10, 0);
    pipe.end();
    expect(quiet).toEqual([]);
  });
});
