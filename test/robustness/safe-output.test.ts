/**
 * Safe output: plan paths never escape -o, no symlink is followed, a failed
 * render leaves the previous tree as it was, and `install --root /` needs an
 * explicit --allow-live-root.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/plan.js';
import { OutputPathError, safeJoin, TREE_MARKER, writePlanTree } from '../../src/write/write-tree.js';
import { resolveRoot } from '../../src/pack/install.js';
import { mpgen } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';

const plan = (paths: string[]): Plan => ({
  name: 'shop',
  distro: 'debian',
  backend: 'eni',
  files: paths.map((path) => ({ path, mode: 0o644, content: `content of ${path}\n`, config: path.startsWith('/etc/') })),
  enable: [],
  sysctlFiles: [],
  onRemove: [],
  depends: { deb: [], rpm: [] },
  notes: [],
});

const tmp = () => mkdtempSync(join(tmpdir(), 'mpgen-safe-'));

/** A previous render: a marked tree with one file. */
function previousTree(parent: string): string {
  const out = join(parent, 'tree');
  writePlanTree(plan(['/etc/old.conf']), out);
  return out;
}

const snapshot = (dir: string): string[] => readdirSync(dir, { recursive: true }).map(String).sort();

describe('safeJoin maps plan paths inside the root only', () => {
  it('a clean absolute path lands under the root', () => {
    expect(safeJoin('/out', '/etc/sysctl.d/90-mpgen-x.conf')).toBe('/out/etc/sysctl.d/90-mpgen-x.conf');
    expect(safeJoin('/out', 'etc/x')).toBe('/out/etc/x');
  });
  for (const bad of ['/etc/../../x', '../x', '/./etc/x', '/etc//x', '/etc/x/', '/', '', '/etc/..', '/etc/./x'])
    it(`refuses ${JSON.stringify(bad)}`, () => {
      expect(() => safeJoin('/out', bad)).toThrow(OutputPathError);
      expect(() => safeJoin('/out', bad)).toThrow(/refusing to write/);
    });
});

describe('writePlanTree', () => {
  it('a plan path with .. is refused; nothing is written and the previous tree stays', () => {
    const parent = tmp();
    const out = previousTree(parent);
    const before = snapshot(out);
    expect(() => writePlanTree(plan(['/etc/a', '/etc/../../escaped']), out)).toThrow(/refusing to write "\/etc\/\.\.\/\.\.\/escaped"/);
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(parent)).toEqual(['tree']);
    expect(existsSync(join(parent, 'escaped'))).toBe(false);
  });

  it('an -o that is a symlink to a directory is refused, and the directory it points to is untouched', () => {
    const parent = tmp();
    const elsewhere = join(parent, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, TREE_MARKER), 'looks like a tree\n');
    writeFileSync(join(elsewhere, 'keep.txt'), 'keep');
    symlinkSync(elsewhere, join(parent, 'link'));
    expect(() => writePlanTree(plan(['/etc/a']), join(parent, 'link'))).toThrow(/is a symlink\); refusing to replace it/);
    expect(snapshot(elsewhere)).toEqual([TREE_MARKER, 'keep.txt']);
    expect(lstatSync(join(parent, 'link')).isSymbolicLink()).toBe(true);
  });

  it('a symlink inside the previous tree is not followed: the new tree replaces it, the target stays untouched', () => {
    const parent = tmp();
    const out = previousTree(parent);
    const victim = join(parent, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'passwd'), 'root:x:0:0\n');
    // someone replaced etc/ in the old tree by a link to a directory outside it
    const { rmSync } = require('node:fs') as typeof import('node:fs');
    rmSync(join(out, 'etc'), { recursive: true });
    symlinkSync(victim, join(out, 'etc'));
    writePlanTree(plan(['/etc/passwd', '/etc/new.conf']), out);
    expect(readFileSync(join(victim, 'passwd'), 'utf8')).toBe('root:x:0:0\n');
    expect(readdirSync(victim)).toEqual(['passwd']);
    expect(lstatSync(join(out, 'etc')).isDirectory()).toBe(true);
    expect(readFileSync(join(out, 'etc/passwd'), 'utf8')).toBe('content of /etc/passwd\n');
  });

  it('a render that fails on its Nth file (a path that collides with a directory) leaves the previous tree intact and no staging directory', () => {
    const parent = tmp();
    const out = previousTree(parent);
    const before = snapshot(out);
    // /etc/a is written, then /etc/a/b needs /etc/a to be a directory: the write fails midway
    expect(() => writePlanTree(plan(['/etc/1', '/etc/2', '/etc/a', '/etc/a/b', '/etc/z']), out)).toThrow(/ENOTDIR|EEXIST/);
    expect(snapshot(out)).toEqual(before);
    expect(readFileSync(join(out, 'etc/old.conf'), 'utf8')).toBe('content of /etc/old.conf\n');
    expect(readdirSync(parent)).toEqual(['tree']);
  });

  it('a directory that mpgen did not write is never replaced', () => {
    const parent = tmp();
    const mine = join(parent, 'home');
    mkdirSync(mine);
    writeFileSync(join(mine, 'thesis.tex'), 'years of work');
    expect(() => writePlanTree(plan(['/etc/a']), mine)).toThrow(/was not written by mpgen/);
    expect(readdirSync(mine)).toEqual(['thesis.tex']);
  });
});

describe('the CLI keeps the previous output when a render fails', () => {
  it('an invalid profile over an existing tree: exit 1, the tree unchanged', () => {
    const parent = tmp();
    const out = join(parent, 'tree');
    expect(mpgen(['render', '--distro', 'debian', '-p', fixturePath('seed001-multipath'), '-o', out]).code).toBe(0);
    const before = snapshot(out);
    const bad = join(parent, 'bad.yaml');
    writeFileSync(bad, readFileSync(fixturePath('seed001-multipath'), 'utf8').replace(/mode: \w+/, 'mode: multipth'));
    const r = mpgen(['render', '--distro', 'debian', '-p', bad, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Did you mean "multipath"?');
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(parent).sort()).toEqual(['bad.yaml', 'tree']);
  });

  it('render -o / is refused', () => {
    const r = mpgen(['render', '--distro', 'debian', '-p', fixturePath('seed001-multipath'), '-o', '/']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to render into /; use `mpgen install --root /` to install on this machine');
  });
});

describe('mpgen install --root / needs --allow-live-root', () => {
  for (const root of ['/', '/tmp/..', '//'])
    it(`--root ${root} is refused with the way to say it explicitly, and nothing is installed`, () => {
      const r = mpgen(['install', '--distro', 'debian', '-p', fixturePath('seed001-multipath'), '--root', root]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('--root /: refusing to install onto the running system. Pass --allow-live-root if you mean it, or use the .deb/.rpm.');
      expect(r.stdout).toBe('');
      expect(existsSync('/var/lib/mpgen/mpgen-branch')).toBe(false);
    });

  it('a symlink that leads to / is the running system too (checked without installing anything)', () => {
    const dir = tmp();
    symlinkSync('/', join(dir, 'looks-like-an-image'));
    expect(resolveRoot(join(dir, 'looks-like-an-image'))).toEqual({ root: '/', live: true });
    expect(resolveRoot(dir)).toEqual({ root: realpathSync(dir), live: false });
  });

  it('an image root is accepted (the refusal is about / only)', () => {
    const root = tmp();
    const r = mpgen(['install', '--distro', 'debian', '-p', fixturePath('seed001-multipath'), '--root', root], { env: { PATH: '/usr/bin:/bin' } });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(root, 'etc/network/interfaces.d/mpgen-branch'))).toBe(true);
  });
});
