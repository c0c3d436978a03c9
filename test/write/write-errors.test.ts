/**
 * Ordinary write errors are the user's situation, not bugs: exit 1, one line that names the
 * path and what to do, no stack trace, nothing half-written (no staging directory left).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mpgen, type CliRun } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';
import { missing } from '../support/require.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'mpgen-write-errors-'));
const render = (out: string): CliRun => mpgen(['render', '-p', fixturePath('seed001-multipath'), '--distro', 'debian', '-o', out]);

/** The message lines of stderr: the plan notes ("note: ...") come first and are not part of the error. */
function expectOneLineError(r: CliRun, ...parts: string[]): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('note: '));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mpgen: /);
  for (const p of parts) expect(lines[0]).toContain(p);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

const leftovers = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.mpgen-'));

describe('write errors: exit 1 and one line', () => {
  it('-o FILE/sub (EEXIST) and -o FILE/sub/deeper (ENOTDIR)', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'FILE'), 'a file\n');
    expectOneLineError(render(join(dir, 'FILE', 'sub')), `cannot create ${join(dir, 'FILE', 'sub')}: ${join(dir, 'FILE')} is a file, not a directory (EEXIST)`, 'Choose an -o below a directory');
    expectOneLineError(render(join(dir, 'FILE', 'sub', 'deeper')), `${join(dir, 'FILE')} is a file, not a directory (ENOTDIR)`);
    expect(readdirSync(dir)).toEqual(['FILE']);
  });

  it('a legal 240-byte -o name, whose staging name would pass 255 bytes (ENAMETOOLONG before)', () => {
    const dir = tmp();
    const out = join(dir, 'x'.repeat(240));
    expectOneLineError(render(out), out, 'the last part of the path is 240 bytes', 'Choose an -o whose last part is at most 224 bytes');
    expect(readdirSync(dir)).toEqual([]);
    // the longest name that fits is written
    expect(render(join(dir, 'y'.repeat(224))).code).toBe(0);
    // a name the file system itself refuses (a part over 255 bytes) is one line too
    expectOneLineError(render(join(dir, 'z'.repeat(300), 'out')), '(ENAMETOOLONG)', 'Choose a shorter -o');
  });

  it('batch: -o below a file is one line, exit 1', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'FILE'), 'a file\n');
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'in', 'a.yaml'), 'a: 1\n');
    expectOneLineError(mpgen(['render', '--batch', join(dir, 'in'), '--distro', 'debian', '-o', join(dir, 'FILE', 'sub')]), `${join(dir, 'FILE')} is a file, not a directory`);
  });
});

const noMount = missing({ root: true, commands: ['mount', 'umount'] });
// Skipped only outside CI, when missing() (test/support/require.ts) finds root or mount absent; it prints why.
describe.skipIf(noMount)('write errors on mounts (root)', () => {
  const withTmpfs = (mnt: string, opts: string, body: () => void): void => {
    mkdirSync(mnt, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', mnt]);
    try {
      body();
    } finally {
      execFileSync('umount', [mnt]);
    }
  };

  it('a read-only file system (EROFS)', () => {
    const dir = tmp();
    withTmpfs(join(dir, 'ro'), 'ro,size=1m', () => {
      expectOneLineError(render(join(dir, 'ro', 'out')), `cannot write ${join(dir, 'ro', 'out')}: the file system is read-only (EROFS)`, 'Choose an -o on a writable file system');
      expect(readdirSync(join(dir, 'ro'))).toEqual([]);
    });
  });

  it('-o at a mount point (EBUSY): nothing left beside it', () => {
    const dir = tmp();
    withTmpfs(join(dir, 'mnt'), 'size=1m', () => {
      expectOneLineError(render(join(dir, 'mnt')), `cannot replace ${join(dir, 'mnt')}: it is a mount point or in use (EBUSY)`, `-o ${join(dir, 'mnt')}/tree`);
      expect(readdirSync(join(dir, 'mnt'))).toEqual([]);
      expect(leftovers(dir)).toEqual([]);
      // what the message suggests works
      expect(render(join(dir, 'mnt', 'tree')).code).toBe(0);
    });
  });
});
