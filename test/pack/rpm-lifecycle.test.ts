/**
 * The .rpm lifecycle with `rpm --root D`: install, upgrade, erase. rpm runs
 * scriptlets chrooted into D, so D gets a /usr that is an overlay of the
 * host's (inside `unshare -m`): the scriptlets run the real /bin/sh and
 * systemctl, and every write lands in the overlay's upper directory, never
 * on the host.
 *
 * --nodeps: D's rpm database is empty, so nothing in it provides /bin/sh,
 * iproute, iputils or nftables; the dependencies themselves are checked by
 * rpm -qpR in rpm.test.ts.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRpm } from '../../src/pack/rpm.js';
import { missing } from '../support/require.js';
import { fixtureMeta, fixturePlan } from './fixture.js';
import { run, tempDir } from './roots.js';

const UNIT = 'mpgen-office-keepalive.service';
const why = missing({ commands: ['rpm', 'unshare', 'systemctl'], root: true });

describe.skipIf(why)('rpm install, upgrade, erase with rpm --root', () => {
  const W = tempDir('rpmroot');
  const D = join(W, 'root');
  for (const d of ['root/usr', 'upper', 'work', 'pkgs']) mkdirSync(join(W, d), { recursive: true });
  const v1 = buildRpm(fixturePlan(), fixtureMeta(), { env: {} });
  const v2 = buildRpm(fixturePlan({ keepaliveBody: 'exec sleep 1d' }), fixtureMeta({ version: '1.1.0' }), { env: {} });
  for (const p of [v1, v2]) writeFileSync(join(W, 'pkgs', p.fileName), p.bytes);

  /** Run a command with D/usr = overlay(host /usr), in a private mount namespace. */
  const inRoot = (script: string): string =>
    run('unshare', ['-m', 'sh', '-euc', `mount -t overlay overlay -o lowerdir=/usr,upperdir="$1/upper",workdir="$1/work" "$1/root/usr"
      for l in bin sbin lib lib64; do [ -e "$1/root/$l" ] || ln -s usr/$l "$1/root/$l"; done
      mkdir -p "$1/root/dev" "$1/root/run" "$1/root/tmp" && touch "$1/root/dev/null" && mount --bind /dev/null "$1/root/dev/null"
      ${script}`, 'sh', W]);
  const rpm = (...args: string[]): string => inRoot(`rpm --root "$1/root" ${args.map((a) => `'${a}'`).join(' ')} 2>&1`);
  const upper = (p: string): string => join(W, 'upper', p.replace(/^\/usr\//, ''));
  const wants = join(D, `etc/systemd/system/multi-user.target.wants/${UNIT}`);
  const hostWants = existsSync(`/etc/systemd/system/multi-user.target.wants/${UNIT}`);

  it('installs; %post ($1 = 1) enables the unit through the shipped preset', () => {
    rpm('--initdb');
    rpm('--nodeps', '-i', join(W, 'pkgs', v1.fileName));
    expect(rpm('-q', 'mpgen-office').trim()).toBe('mpgen-office-1.0.0-1.noarch');
    expect(readFileSync(upper('/usr/libexec/mpgen/office-keepalive'), 'utf8')).toContain('exec sleep infinity');
    expect(run('stat', ['-c', '%a', join(D, 'etc/netplan/90-mpgen-office.yaml')]).trim()).toBe('600');
    expect(readlinkSync(wants)).toMatch(new RegExp(`/systemd/system/${UNIT}$`));
    expect(rpm('--nodeps', '-V', 'mpgen-office')).toBe('');
    expect(existsSync('/usr/libexec/mpgen/office-keepalive')).toBe(false);
  });

  it('upgrades (-U): %config(noreplace) keeps the edited file; the program is replaced; still enabled', () => {
    const conf = join(D, 'etc/sysctl.d/90-mpgen-office.conf');
    writeFileSync(conf, `${readFileSync(conf, 'utf8')}# local edit\n`);
    rpm('--nodeps', '-U', join(W, 'pkgs', v2.fileName));
    expect(rpm('-q', 'mpgen-office').trim()).toBe('mpgen-office-1.1.0-1.noarch');
    expect(readFileSync(conf, 'utf8')).toContain('# local edit');
    expect(readFileSync(upper('/usr/libexec/mpgen/office-keepalive'), 'utf8')).toContain('exec sleep 1d');
    expect(readlinkSync(wants)).toMatch(new RegExp(`/systemd/system/${UNIT}$`));
  });

  it('erases: %preun ($1 = 0) disables the unit; the edited config is saved as .rpmsave', () => {
    expect(readlinkSync(wants)).toMatch(new RegExp(`/systemd/system/${UNIT}$`));
    rpm('-e', 'mpgen-office');
    expect(rpm('-qa').trim()).toBe('');
    expect(() => lstatSync(wants)).toThrow(/ENOENT/);
    expect(existsSync(join(D, 'etc/sysctl.d/90-mpgen-office.conf.rpmsave'))).toBe(true);
    expect(existsSync(join(D, 'etc/netplan/90-mpgen-office.yaml'))).toBe(false);
    expect(existsSync(upper('/usr/libexec/mpgen/office-keepalive'))).toBe(false);
    expect(existsSync(`/etc/systemd/system/multi-user.target.wants/${UNIT}`)).toBe(hostWants);
  });
});
