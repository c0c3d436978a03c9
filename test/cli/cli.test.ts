/** End to end: the built CLI as a user runs it. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../support/fixtures.js';
import { spawnSync } from 'node:child_process';
import { BIN, mpgen } from '../support/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'mpgen-cli-'));

describe('mpgen CLI', () => {
  it('render with no profile uses the embedded default and says so on stderr', () => {
    const cwd = tmp();
    const r = mpgen(['render', '--distro', 'fedora', '-o', 'out'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('using the <embedded default profile>');
    expect(r.stdout).toMatch(/^0755 +\d+ out\/usr\/sbin\/ifup-local$/m);
    expect(existsSync(join(cwd, 'out/etc/sysconfig/network-scripts/ifcfg-eth2'))).toBe(true);
    expect(statSync(join(cwd, 'out/usr/sbin/ifup-local')).mode & 0o777).toBe(0o755);
  });

  it('render defaults to dist/<distro> and picks up ./mpgen.yaml', () => {
    const cwd = tmp();
    expect(mpgen(['init'], { cwd }).code).toBe(0);
    const r = mpgen(['render', '--distro', 'debian'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('embedded default');
    expect(existsSync(join(cwd, 'dist/debian/etc/network/interfaces.d/mpgen-office'))).toBe(true);
  });

  it('--dry-run prints the plan and writes nothing', () => {
    const cwd = tmp();
    const r = mpgen(['render', '--distro', 'debian', '-p', fixturePath('seed001-multipath'), '--dry-run'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^0644 +\d+ \/etc\/sysctl\.d\/90-mpgen-branch\.conf$/m);
    expect(existsSync(join(cwd, 'dist'))).toBe(false);
  });

  it('a second render replaces the first atomically (no stale files)', () => {
    const cwd = tmp();
    expect(mpgen(['render', '--distro', 'debian', '-p', fixturePath('seed003-teql'), '-o', 'o'], { cwd }).code).toBe(0);
    expect(existsSync(join(cwd, 'o/etc/modprobe.d/mpgen-office.conf'))).toBe(true);
    expect(mpgen(['render', '--distro', 'debian', '-p', fixturePath('seed001-multipath'), '-o', 'o'], { cwd }).code).toBe(0);
    expect(existsSync(join(cwd, 'o/etc/modprobe.d/mpgen-office.conf'))).toBe(false);
    expect(existsSync(join(cwd, 'o/etc/sysctl.d/90-mpgen-branch.conf'))).toBe(true);
  });

  it('refuses to replace a directory it did not write', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'precious.txt'), 'x');
    const r = mpgen(['render', '--distro', 'debian', '-o', '.'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('was not written by mpgen');
    expect(readFileSync(join(cwd, 'precious.txt'), 'utf8')).toBe('x');
  });

  it('usage errors exit 2: unknown distro (with a suggestion), unknown backend, missing --distro, unknown option', () => {
    const a = mpgen(['render', '--distro', 'fedroa', '--dry-run']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('Did you mean "fedora"?');
    const b = mpgen(['render', '--distro', 'debian', '--backend', 'ifcfg', '--dry-run']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('Choose one of: eni');
    expect(mpgen(['render']).code).toBe(2);
    expect(mpgen(['render', '--distro', 'debian', '--frobnicate']).code).toBe(2);
    expect(mpgen(['frobnicate']).code).toBe(2);
  });

  it('validate --print-model prints the model as JSON on stdout, messages on stderr', () => {
    const r = mpgen(['validate', '-p', fixturePath('seed004-weights'), '--print-model']);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.uplinks.map((u: { weight: number }) => u.weight)).toEqual([9, 10]);
    expect(r.stderr).toContain(': ok (multipath, 2 uplinks)');
  });

  it('validate of a missing file is a located error that says the file does not exist, exit 1', () => {
    const r = mpgen(['validate', '-p', '/nonexistent/x.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('/nonexistent/x.yaml:1:1: the file does not exist. Check the path, or run `mpgen init -o FILE` for an example profile\n1 error in profile; nothing was written.\n');
    const under = mpgen(['validate', '-p', `${fixturePath('seed001-multipath')}/x.yaml`]);
    expect(under.code).toBe(1);
    expect(under.stderr).toContain('/x.yaml:1:1: the file does not exist (a part of the path is not a directory).');
  });

  it('-p - reads the profile from standard input; its messages say <stdin>:line:col', () => {
    const text = readFileSync(fixturePath('seed001-multipath'), 'utf8');
    const ok = mpgen(['validate', '-p', '-'], { input: text });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toBe('<stdin>: ok (multipath, 2 uplinks)\n');
    const bad = mpgen(['validate', '-p', '-'], { input: text.replace('mode: multipath', 'mode: multipth') });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^<stdin>:\d+:7: mode: "multipth" is not one of teql, multipath, equalize\. Did you mean "multipath"\?/);
    const empty = mpgen(['validate', '-p', '-'], { input: '' });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('<stdin>:1:1: the file is empty.');
    // the rendered tree is the one a file gives
    const dir = mkdtempSync(join(tmpdir(), 'mpgen-stdin-'));
    expect(mpgen(['render', '--distro', 'debian', '-p', '-', '-o', join(dir, 'a')], { input: text }).code).toBe(0);
    expect(mpgen(['render', '--distro', 'debian', '-p', fixturePath('seed001-multipath'), '-o', join(dir, 'b')]).code).toBe(0);
    const files = (d: string): string[] => readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(d.length)).sort();
    expect(files(join(dir, 'a'))).toEqual(files(join(dir, 'b')));
    for (const f of files(join(dir, 'a'))) expect(readFileSync(join(dir, 'a', f), 'utf8'), f).toBe(readFileSync(join(dir, 'b', f), 'utf8'));
  });

  it('distros lists every distro with backend and gated capabilities', () => {
    const r = mpgen(['distros']);
    expect(r.code).toBe(0);
    for (const d of ['fedora', 'rhel', 'rocky', 'alma', 'centos', 'debian', 'ubuntu', 'arch']) expect(r.stdout).toMatch(new RegExp(`^${d} `, 'm'));
    const json = JSON.parse(mpgen(['distros', '--json']).stdout);
    const debian = json.find((d: { name: string }) => d.name === 'debian');
    expect(debian.capabilities.networkdRpFilter).toBe(false); // systemd 252 < 255
    expect(json.find((d: { name: string }) => d.name === 'ubuntu').capabilities.networkdRpFilter).toBe(true);
  });

  it('schema prints JSON Schema; init refuses to overwrite without --force', () => {
    expect(JSON.parse(mpgen(['schema']).stdout).properties.uplinks).toBeDefined();
    const cwd = tmp();
    expect(mpgen(['init', '-o', 'p.yaml'], { cwd }).code).toBe(0);
    const again = mpgen(['init', '-o', 'p.yaml'], { cwd });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists; use --force');
    expect(mpgen(['init', '-o', 'p.yaml', '--force'], { cwd }).code).toBe(0);
    expect(mpgen(['validate', '-p', 'p.yaml'], { cwd }).code).toBe(0);
  });

  it('a reader that closes the pipe early (mpgen distros | head -1) is no error: no stack trace', () => {
    // `| true`: the reader is gone before node writes, so every write meets EPIPE.
    for (const cmd of ['distros', 'schema']) {
      const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${BIN}" ${cmd} | true`], { encoding: 'utf8' });
      expect(r.stderr, cmd).toBe('');
      expect(r.status, cmd).toBe(0);
    }
    const head = spawnSync('sh', ['-c', `"${BIN}" distros | head -1`], { encoding: 'utf8' });
    expect(head.stdout).toMatch(/^alma /);
    expect(head.stderr).toBe('');
  });

  it('every command has --help with an example', () => {
    for (const c of ['validate', 'render', 'distros', 'schema', 'init', 'check']) {
      const r = mpgen([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toContain('Example');
    }
  });
});
