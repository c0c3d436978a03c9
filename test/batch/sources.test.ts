/**
 * The batch input as a hostile directory: a symlink out of the batch is refused and nothing of
 * its target is printed; a symlink loop is walked once; a file reached twice is read once; a
 * file that is not a profile is echoed no further than the line the message points at.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandBatchSources } from '../../src/batch/sources.js';
import { mpgen } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'mpgen-sources-'));

describe('a symlink out of the batch directory', () => {
  it('is refused, said once in the summary, exit 1; the target file is not read and not echoed', () => {
    const dir = tmp();
    const secret = join(dir, 'secret');
    writeFileSync(secret, 'SECRET-LINE top secret\nsecond-line-of-the-secret\n');
    chmodSync(secret, 0o600);
    mkdirSync(join(dir, 'd'));
    symlinkSync(secret, join(dir, 'd', 'evil.yaml'));
    copyFileSync(fixturePath('seed001-multipath'), join(dir, 'd', 'good.yaml'));
    for (const spec of [join(dir, 'd'), join(dir, 'd', '*.yaml')]) {
      const r = mpgen(['render', '--batch', spec, '--distro', 'debian', '-o', join(dir, 'out')]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).not.toContain('SECRET');
      expect(r.stderr).not.toContain('second-line');
      const said = r.stderr.split('\n').filter((l) => l.includes('evil.yaml'));
      expect(said).toEqual([`mpgen: skipped ${join(dir, 'd', 'evil.yaml')}: a symlink to a file outside ${spec === join(dir, 'd') ? spec : join(dir, 'd')}; refused, not read`]);
      expect(r.stderr).toContain(`mpgen: rendered 1 of 1 profiles under ${join(dir, 'out')}; 1 path refused`);
      expect(readdirSync(join(dir, 'out'))).toEqual(['branch']);
    }
  });

  it('a symlink to a directory outside is not walked; a symlink inside the batch is followed', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'outside'));
    copyFileSync(fixturePath('seed003-teql'), join(dir, 'outside', 'o.yaml'));
    mkdirSync(join(dir, 'd', 'real'), { recursive: true });
    copyFileSync(fixturePath('seed001-multipath'), join(dir, 'd', 'real', 'p.yaml'));
    symlinkSync(join(dir, 'outside'), join(dir, 'd', 'away'));
    symlinkSync('real/p.yaml', join(dir, 'd', 'alias.yaml'));
    const { files, skipped } = expandBatchSources(join(dir, 'd', '**', '*.yaml'));
    expect(files).toEqual([join(dir, 'd', 'alias.yaml')]);
    expect(skipped).toEqual([
      { path: join(dir, 'd', 'away'), reason: `a symlink to a directory outside ${join(dir, 'd')}; refused, not read`, refused: true },
      { path: join(dir, 'd', 'real', 'p.yaml'), reason: `the same file as ${join(dir, 'd', 'alias.yaml')}; read once`, refused: false },
    ]);
  });
});

describe('a symlink loop', () => {
  it('d/a/s1 -> . and s2 -> .: each directory is walked once, the profile read once, promptly', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'd', 'a'), { recursive: true });
    copyFileSync(fixturePath('seed001-multipath'), join(dir, 'd', 'a', 'p.yaml'));
    symlinkSync('.', join(dir, 'd', 'a', 's1'));
    expect(expandBatchSources(join(dir, 'd', '**', '*.yaml')).files).toEqual([join(dir, 'd', 'a', 'p.yaml')]);
    symlinkSync('.', join(dir, 'd', 'a', 's2'));
    symlinkSync('..', join(dir, 'd', 'a', 'up'));
    expect(expandBatchSources(join(dir, 'd', '**', '*.yaml')).files).toEqual([join(dir, 'd', 'a', 'p.yaml')]);
    // the CLI's own timeout is 60 s; before, this ran for minutes and grew past 264 MB
    const r = mpgen(['render', '--batch', join(dir, 'd', '**', '*.yaml'), '--distro', 'debian', '-o', join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`mpgen: rendered 1 of 1 profiles under ${join(dir, 'out')}\n`);
  });
});

describe('a file that is not a profile', () => {
  it('a plain scalar over two lines: only the start of the first line is echoed', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'notes.yaml'), 'first line of a note\nsecond-line-not-shown\n');
    const r = mpgen(['render', '--batch', join(dir, 'd'), '--distro', 'debian', '-o', join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('found the string "first line of a note…"');
    expect(r.stderr).not.toContain('second-line');
  });

  it('control characters in a file name are escaped in the summary', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'x\u001b[31mred\u0007.yaml'), 'a: [\n');
    const r = mpgen(['render', '--batch', join(dir, 'd'), '--distro', 'debian', '-o', join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('x\\e[31mred\\x07.yaml');
    // eslint-disable-next-line no-control-regex
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});
