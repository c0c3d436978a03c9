/**
 * The maintainer scripts on this host, with every command that could touch
 * the running system replaced by a logger. Inside `unshare -m`, /run is a
 * fresh tmpfs holding /run/systemd/system (so the scripts believe systemd is
 * running) and systemd-sysctl is bind-mounted over by the logger. Only
 * DPKG_ROOT (deb) or $1 (rpm) then decides what the scripts do.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maintainerScripts } from '../../src/pack/deb.js';
import { resolveMeta } from '../../src/pack/meta.js';
import { rpmScripts } from '../../src/pack/rpm.js';
import { missing } from '../support/require.js';
import { fixtureMeta, fixturePlan } from './fixture.js';
import { run, tempDir } from './roots.js';

const plan = fixturePlan();
const m = resolveMeta(plan, fixtureMeta(), { env: {} });
const deb = maintainerScripts(plan, m);
const rpm = rpmScripts(plan, m);
const U = 'mpgen-office-keepalive.service';
const S = '/etc/sysctl.d/90-mpgen-office.conf';

const why = missing({ commands: ['unshare', 'dash', 'mount'], root: true });

describe.skipIf(why)('maintainer scripts with a logging systemctl, as if systemd were running', () => {
  const dir = tempDir('scripts');
  const bin = join(dir, 'bin');
  const log = join(dir, 'calls.log');
  mkdirSync(bin);
  for (const cmd of ['systemctl', 'deb-systemd-helper', 'deb-systemd-invoke', 'sysctl', 'systemd-sysctl']) {
    writeFileSync(join(bin, cmd), `#!/bin/sh\necho "${cmd} $*" >> "${log}"\n`);
    chmodSync(join(bin, cmd), 0o755);
  }
  for (const [name, body] of Object.entries({ ...deb, ...rpm })) writeFileSync(join(dir, name), body);

  /** Run one script with args; returns the commands it called, one per line. */
  const calls = (script: string, args: string[], env: Record<string, string> = {}): string[] => {
    writeFileSync(log, '');
    const assignments = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ');
    run('unshare', ['-m', 'sh', '-euc', `mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system
        mount --bind "$1/bin/systemd-sysctl" /usr/lib/systemd/systemd-sysctl
        PATH="$1/bin:$PATH" ${assignments} dash "$1/${script}" ${args.map((a) => `'${a}'`).join(' ')}`, 'sh', dir]);
    return readFileSync(log, 'utf8').split('\n').filter(Boolean);
  };

  it('deb postinst configure on a live root: enable, apply sysctl with systemd-sysctl FILE, reload, restart', () => {
    expect(calls('postinst', ['configure', ''], { DPKG_ROOT: '' })).toEqual([
      `deb-systemd-helper unmask ${U}`,
      `deb-systemd-helper --quiet was-enabled ${U}`,
      `deb-systemd-helper enable ${U}`,
      `systemd-sysctl ${S}`,
      'systemctl --system daemon-reload',
      `deb-systemd-invoke restart ${U}`,
    ]);
  });

  it('deb postinst with DPKG_ROOT set: only the enable bookkeeping, no start, no sysctl, no systemctl', () => {
    const c = calls('postinst', ['configure', ''], { DPKG_ROOT: '/srv/image' });
    expect(c).toEqual([`deb-systemd-helper unmask ${U}`, `deb-systemd-helper --quiet was-enabled ${U}`, `deb-systemd-helper enable ${U}`]);
    expect(c.join('\n')).not.toMatch(/systemctl|deb-systemd-invoke|sysctl/);
  });

  it('deb prerm stops only on remove of a live root; postrm masks on remove and purges on purge', () => {
    expect(calls('prerm', ['remove'], { DPKG_ROOT: '' })).toEqual([`deb-systemd-invoke stop ${U}`]);
    expect(calls('prerm', ['upgrade', '1.1.0-1'], { DPKG_ROOT: '' })).toEqual([]);
    expect(calls('prerm', ['remove'], { DPKG_ROOT: '/srv/image' })).toEqual([]);
    expect(calls('postrm', ['remove'], { DPKG_ROOT: '' })).toEqual(['systemctl --system daemon-reload', `deb-systemd-helper mask ${U}`]);
    expect(calls('postrm', ['remove'], { DPKG_ROOT: '/srv/image' })).toEqual([`deb-systemd-helper mask ${U}`]);
    expect(calls('postrm', ['purge'], { DPKG_ROOT: '' })).toEqual([`deb-systemd-helper purge ${U}`, `deb-systemd-helper unmask ${U}`]);
  });

  it('rpm %post: preset on install ($1 = 1) only; sysctl FILE, reload and restart on a live root', () => {
    expect(calls('post', ['1'])).toEqual([`systemctl --no-reload preset ${U}`, `systemd-sysctl ${S}`, 'systemctl daemon-reload', `systemctl restart ${U}`]);
    expect(calls('post', ['2'])).toEqual([`systemd-sysctl ${S}`, 'systemctl daemon-reload', `systemctl restart ${U}`]);
  });

  it('rpm %preun: disable --now on final removal ($1 = 0) only; %postun: try-restart on upgrade only', () => {
    expect(calls('preun', ['0'])).toEqual([`systemctl --no-reload disable --now ${U}`]);
    expect(calls('preun', ['1'])).toEqual([]);
    expect(calls('postun', ['0'])).toEqual(['systemctl daemon-reload']);
    expect(calls('postun', ['1'])).toEqual(['systemctl daemon-reload', `systemctl try-restart ${U}`]);
  });

  it('the host /run was never touched', () => {
    expect(run('sh', ['-c', 'test -d /run/systemd/system && echo yes || echo no']).trim()).toBe('no');
  });
});
