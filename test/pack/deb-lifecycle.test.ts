/**
 * The .deb lifecycle in a throwaway root: install, upgrade, remove, purge
 * with `dpkg --root D`. The maintainer scripts run for real, on the host,
 * with DPKG_ROOT=D (--force-script-chrootless): deb-systemd-helper must
 * enable, mask and purge inside D and nowhere else.
 */
import { existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDeb } from '../../src/pack/deb.js';
import { missing } from '../support/require.js';
import { fixtureMeta, fixturePlan } from './fixture.js';
import { dpkgRoot, run, runAll, tempDir } from './roots.js';

const UNIT = 'mpgen-office-keepalive.service';
const HOST_WANTS = `/etc/systemd/system/multi-user.target.wants/${UNIT}`;
const why = missing({ commands: ['dpkg', 'deb-systemd-helper'], root: true });

describe.skipIf(why)('deb install, upgrade, remove, purge with dpkg --root', () => {
  const dir = tempDir('debs');
  const plan = fixturePlan();
  const v1 = buildDeb(plan, fixtureMeta(), { env: {} });
  const v2 = buildDeb(fixturePlan({ keepaliveBody: 'exec sleep 1d' }), fixtureMeta({ version: '1.1.0' }), { env: {} });
  // v3 also changes a conffile the admin edited
  const plan3 = fixturePlan({ keepaliveBody: 'exec sleep 2d' });
  plan3.files[1]!.content += 'net.ipv4.ip_forward = 1\n';
  const v3 = buildDeb(plan3, fixtureMeta({ version: '1.2.0' }), { env: {} });
  for (const p of [v1, v2, v3]) writeFileSync(join(dir, p.fileName), p.bytes);

  const D = dpkgRoot(['init-system-helpers', 'iproute2', 'iputils-ping', 'netplan.io', 'nftables']);
  const dpkg = (...args: string[]): string =>
    run('dpkg', [`--root=${D}`, '--force-script-chrootless', `--log=${join(D, 'dpkg.log')}`, ...args], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const status = (): string => run('dpkg-query', [`--admindir=${join(D, 'var/lib/dpkg')}`, '-W', '-f', '${Status} ${Version}', 'mpgen-office']);
  const sysctlConf = join(D, 'etc/sysctl.d/90-mpgen-office.conf');
  const hostHadWants = existsSync(HOST_WANTS);

  it('installs: files with modes, conffiles registered, unit enabled inside D only', () => {
    dpkg('-i', join(dir, v1.fileName));
    expect(status()).toBe('install ok installed 1.0.0-1');
    expect(lstatSync(join(D, 'etc/netplan/90-mpgen-office.yaml')).mode & 0o7777).toBe(0o600);
    expect(lstatSync(join(D, 'usr/libexec/mpgen/office-keepalive')).mode & 0o7777).toBe(0o755);
    expect(readlinkSync(join(D, `etc/systemd/system/multi-user.target.wants/${UNIT}`))).toBe(`/usr/lib/systemd/system/${UNIT}`);
    expect(readFileSync(join(D, 'var/lib/dpkg/info/mpgen-office.conffiles'), 'utf8')).toContain('/etc/sysctl.d/90-mpgen-office.conf');
    expect(existsSync(HOST_WANTS)).toBe(hostHadWants);
  });

  it('upgrades: a locally edited conffile survives, the other files are replaced', () => {
    writeFileSync(sysctlConf, `${readFileSync(sysctlConf, 'utf8')}# local edit\n`);
    dpkg('-i', join(dir, v2.fileName));
    expect(status()).toBe('install ok installed 1.1.0-1');
    expect(readFileSync(sysctlConf, 'utf8')).toContain('# local edit');
    expect(readFileSync(join(D, 'usr/libexec/mpgen/office-keepalive'), 'utf8')).toContain('exec sleep 1d');
  });

  it('upgrades over a conffile changed on both sides: --force-confold keeps the admin version, ships ours as .dpkg-dist', () => {
    dpkg('--force-confold', '-i', join(dir, v3.fileName));
    expect(status()).toBe('install ok installed 1.2.0-1');
    expect(readFileSync(sysctlConf, 'utf8')).toContain('# local edit');
    expect(readFileSync(`${sysctlConf}.dpkg-dist`, 'utf8')).toContain('net.ipv4.ip_forward = 1');
  });

  it('removes: program files go, conffiles stay, the unit is masked', () => {
    dpkg('--remove', 'mpgen-office');
    expect(status()).toBe('deinstall ok config-files 1.2.0-1');
    expect(existsSync(join(D, 'usr/libexec/mpgen/office-keepalive'))).toBe(false);
    expect(existsSync(join(D, `usr/lib/systemd/system/${UNIT}`))).toBe(false);
    expect(existsSync(sysctlConf)).toBe(true);
    expect(readlinkSync(join(D, `etc/systemd/system/${UNIT}`))).toBe('/dev/null');
  });

  it('purges: conffiles, the mask and the enable state are gone; the host never changed', () => {
    dpkg('--purge', 'mpgen-office');
    const q = runAll('dpkg-query', [`--admindir=${join(D, 'var/lib/dpkg')}`, '-W', 'mpgen-office']);
    expect(q.status).toBe(1);
    expect(q.out).toMatch(/no packages found matching mpgen-office/);
    expect(existsSync(sysctlConf)).toBe(false);
    expect(existsSync(join(D, 'etc/netplan/90-mpgen-office.yaml'))).toBe(false);
    expect(existsSync(join(D, `etc/systemd/system/${UNIT}`))).toBe(false);
    expect(existsSync(join(D, `etc/systemd/system/multi-user.target.wants/${UNIT}`))).toBe(false);
    expect(existsSync(HOST_WANTS)).toBe(hostHadWants);
    expect(existsSync(`/var/lib/dpkg/info/mpgen-office.list`)).toBe(false);
  });
});
