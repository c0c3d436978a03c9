import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAr } from '../../src/pack/ar.js';
import { buildDeb } from '../../src/pack/deb.js';
import { gunzip } from '../../src/pack/gzip.js';
import { readTar } from '../../src/pack/tar.js';
import { md5Hex } from '../../src/pack/tree.js';
import { missing } from '../support/require.js';
import { EPOCH, fixtureMeta, fixturePlan } from './fixture.js';
import { run, runAll, tempDir } from './roots.js';

const deb = buildDeb(fixturePlan(), fixtureMeta(), { env: {} });
const members = readAr(deb.bytes);
const control = readTar(gunzip(members[1]!.content));
const data = readTar(gunzip(members[2]!.content));
const controlText = (name: string): string => Buffer.from(control.find((e) => e.name === `./${name}`)!.content!).toString();

describe('deb layout (our readers)', () => {
  it('is named name_version_all.deb and has the three members in order', () => {
    expect(deb.fileName).toBe('mpgen-office_1.0.0_all.deb');
    expect(members.map((m) => m.name)).toEqual(['debian-binary', 'control.tar.gz', 'data.tar.gz']);
    expect(Buffer.from(members[0]!.content).toString()).toBe('2.0\n');
  });

  it('data.tar starts with ./, lists every parent directory, sorted, root-owned, one mtime', () => {
    const names = data.map((e) => e.name);
    expect(names[0]).toBe('./');
    expect(names).toEqual([...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    for (const e of data) {
      const parent = e.name.replace(/[^/]+\/?$/, '');
      if (e.name !== './') expect(names).toContain(parent);
      expect([e.uid, e.gid, e.uname, e.gname, e.mtime]).toEqual([0, 0, 'root', 'root', EPOCH]);
    }
    expect(names.some((n) => /^\.\/(bin|sbin|lib)\//.test(n))).toBe(false);
  });

  it('md5sums match the data, conffiles list every /etc file, scripts are 0755', () => {
    const sums = controlText('md5sums').trim().split('\n');
    const files = data.filter((e) => e.type === 'file');
    expect(sums).toEqual(files.map((f) => `${md5Hex(f.content!)}  ${f.name.slice(2)}`));
    expect(controlText('conffiles')).toBe('/etc/netplan/90-mpgen-office.yaml\n/etc/sysctl.d/90-mpgen-office.conf\n');
    for (const s of ['postinst', 'prerm', 'postrm']) expect(control.find((e) => e.name === `./${s}`)!.mode).toBe(0o755);
  });

  it('control has Depends with init-system-helpers and the plan depends', () => {
    expect(controlText('control')).toMatch(/^Depends: init-system-helpers \(>= 1\.63~\), iproute2, iputils-ping, netplan\.io, nftables$/m);
    expect(controlText('control')).toMatch(/^Version: 1\.0\.0-1$/m);
  });

  it('postinst follows the debhelper enable pattern and guards start and sysctl', () => {
    const p = controlText('postinst');
    expect(p).toContain("deb-systemd-helper unmask 'mpgen-office-keepalive.service'");
    expect(p).toContain("if deb-systemd-helper --quiet was-enabled 'mpgen-office-keepalive.service'; then");
    expect(p).toContain('if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then');
    expect(p).toContain("/usr/lib/systemd/systemd-sysctl '/etc/sysctl.d/90-mpgen-office.conf'");
    expect(p).not.toContain('--system\n');
    expect(p).not.toMatch(/sysctl --system/);
  });
});

const why = missing({ commands: ['dpkg-deb', 'lintian', 'shellcheck'] });
describe.skipIf(why)('deb with the real tools', () => {
  const dir = tempDir('deb');
  const path = join(dir, deb.fileName);
  writeFileSync(path, deb.bytes);

  it('dpkg-deb --info shows the metadata and scripts', () => {
    const info = run('dpkg-deb', ['--info', path]);
    expect(info).toMatch(/Package: mpgen-office/);
    expect(info).toMatch(/Architecture: all/);
    expect(info).toMatch(/\d+ bytes,\s+\d+ lines\s+\*\s+postinst\s+#!\/bin\/sh/);
    expect(run('dpkg-deb', ['--field', path, 'Version']).trim()).toBe('1.0.0-1');
  });

  it('dpkg-deb --contents shows files with their modes and root ownership', () => {
    const c = run('dpkg-deb', ['--contents', path]);
    expect(c).toMatch(/^-rw------- root\/root +\d+ 2023-11-14 \d\d:\d\d \.\/etc\/netplan\/90-mpgen-office\.yaml$/m);
    expect(c).toMatch(/^-rwxr-xr-x root\/root .* \.\/usr\/libexec\/mpgen\/office-keepalive$/m);
    expect(c).toMatch(/^-rwxr-xr-x root\/root .* \.\/usr\/sbin\/ifup-local$/m);
    expect(c).toMatch(/^-rw-r--r-- root\/root .* \.\/usr\/lib\/systemd\/system\/mpgen-office-keepalive\.service$/m);
    expect(c).toMatch(/\.\/usr\/share\/doc\/mpgen-office\/changelog\.Debian\.gz$/m);
  });

  it('lintian reports no errors and no warnings; the overridden tags are the documented ones', () => {
    const r = runAll('lintian', ['--no-cfg', '-EvI', '--pedantic', '--show-overrides', path]);
    const tags = r.out.split('\n').filter((l) => /^[EWO]: /.test(l));
    expect(tags.filter((l) => /^[EW]: /.test(l))).toEqual([]);
    expect(tags.map((l) => l.split(' ')[2]).sort()).toEqual(['initial-upload-closes-no-bugs', 'no-manual-page', 'non-standard-file-perm']);
  });

  it('maintainer scripts are shellcheck-clean POSIX sh', () => {
    for (const s of ['postinst', 'prerm', 'postrm']) {
      const f = join(dir, s);
      writeFileSync(f, controlText(s));
      const r = runAll('shellcheck', ['-s', 'sh', f]);
      expect(r.out, s).toBe('');
      expect(r.status).toBe(0);
    }
  });
});
