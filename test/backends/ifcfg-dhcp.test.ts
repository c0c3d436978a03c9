/**
 * The ifcfg backend with a DHCP uplink (L2): the ifcfg, route- and rule- files of the DHCP line, the
 * hooks that build the multipath route from the static nexthops only, and the dhclient.d hook run
 * for real under dash and bash the way RedHat's dhclient-script runs it (sourced, then NAME_config at
 * BOUND/RENEW/REBIND/REBOOT and NAME_restore at EXPIRE/FAIL/RELEASE/STOP, with $interface, $reason
 * and $new_routers set), with an `ip` stub on PATH that records its arguments.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelFromText } from '../../src/model/load.js';
import { renderPlan } from '../../src/plan/render.js';
import type { PlannedFile } from '../../src/plan/plan.js';
import { missing } from '../support/require.js';
import { commandLines, runUnderDash, shellcheck, stubDir, tempDir } from './ifcfg-support.js';

const NS = '/etc/sysconfig/network-scripts';
const HOOK = '/etc/dhcp/dhclient.d/mpgen_lab_x.sh';
const STEM = 'mpgen_lab_x';

/** test/l3/dhcp-follow.ts's profile (one static line, one DHCP line), named with a `-`. */
const PROFILE = `version: 1
name: lab-x
mode: multipath
uplinks:
  - {name: line1, interface: eth1, address: 198.51.100.2/29, gateway: 198.51.100.1}
  - {name: cable, interface: eth2, address: dhcp}
nat: masquerade
firewall: nftables
keepalive: {interval: 100ms, timeout: 300ms, down: 4, up: 6, targets: [192.0.2.9]}
`;

const model = loadModelFromText(PROFILE, 'x.yaml').model;
const plan = renderPlan(model, 'rhel8', 'ifcfg');
const file = (path: string): PlannedFile => {
  const f = plan.files.find((x) => x.path === path);
  if (!f) throw new Error(`not rendered: ${path}; have ${plan.files.map((x) => x.path).join(', ')}`);
  return f;
};
const lines = (path: string): string[] => commandLines(file(path).content);

describe('ifcfg backend, DHCP uplink: files', () => {
  it('renders for rhel (NetworkManager distro) and rhel8 alike, with the hook and the dhclient package', () => {
    expect(renderPlan(model, 'rhel', 'ifcfg').files.some((f) => f.path === HOOK)).toBe(true);
    expect(plan.depends.rpm).toContain('dhclient');
    expect(plan.notes.join('\n')).toMatch(/option 121 other than the default still land in main/);
  });

  it('ifcfg-eth2: BOOTPROTO=dhcp, DEFROUTE=no, PERSISTENT_DHCLIENT=yes, no address and no gateway', () => {
    expect(lines(`${NS}/ifcfg-eth2`)).toEqual([
      'DEVICE=eth2',
      'NAME=mpgen-lab-x-cable',
      'ONBOOT=yes',
      'BOOTPROTO=dhcp',
      'PERSISTENT_DHCLIENT=yes',
      'DEFROUTE=no',
      'NM_CONTROLLED=no',
      'NOZEROCONF=yes',
    ]);
    for (const l of lines(`${NS}/ifcfg-eth2`)) expect(l).not.toMatch(/^(IPADDR|PREFIX|NETMASK|GATEWAY)/);
  });

  it('the static line keeps its files as before', () => {
    expect(lines(`${NS}/ifcfg-eth1`)).toContain('BOOTPROTO=none');
    expect(lines(`${NS}/ifcfg-eth1`)).toContain('IPADDR=198.51.100.2');
    expect(lines(`${NS}/route-eth1`)).toEqual(['default via 198.51.100.1 dev eth1 src 198.51.100.2 table 201 proto static', 'prohibit default table 201 proto static metric 1']);
    expect(lines(`${NS}/rule-eth1`)).toEqual(['from 198.51.100.2/32 table 201 priority 201', 'priority 201 fwmark 0x100/0x3f00 table 201']);
  });

  it('route-eth2 holds the prohibit fallback only; rule-eth2 the fwmark rule (and the shared rules, last uplink), no `from` rule', () => {
    expect(lines(`${NS}/route-eth2`)).toEqual(['prohibit default table 202 proto static metric 1']);
    expect(lines(`${NS}/rule-eth2`)).toEqual(['priority 202 fwmark 0x200/0x3f00 table 202', 'priority 200 table main suppress_prefixlength 0', 'priority 222 table 222']);
    expect(lines(`${NS}/rule-eth2`).some((l) => l.startsWith('from '))).toBe(false);
  });

  it('the dhclient.d hook: executable (dhclient-script skips it otherwise), named for the profile, not a fixed name', () => {
    const h = file(HOOK);
    expect(h.mode).toBe(0o755);
    expect(h.fixedName).toBeUndefined();
    expect(h.content).toContain(`${STEM}_config() {`);
    expect(h.content).toContain(`${STEM}_restore() {`);
    expect(h.content).toMatch(/^\teth2\) mpgen_table=202 ;;$/m);
    expect(h.content).not.toMatch(/^\teth1\)/m);
  });

  it('ifup-local and ifdown-local: the multipath route from the static nexthop only, for the static line only', () => {
    for (const p of ['/usr/sbin/ifup-local', '/usr/sbin/ifdown-local']) {
      const c = file(p).content;
      expect(c).toContain('if mpgen_ready eth1; then set -- "$@" nexthop via 198.51.100.1 dev eth1 weight 1; fi');
      expect(c).not.toContain('mpgen_ready eth2');
      expect(c).toMatch(/^\teth1\) mpgen_multipath ;;$/m);
    }
  });
});

describe('ifcfg backend, DHCP uplinks only', () => {
  const only = renderPlan(
    loadModelFromText(
      `version: 1
name: two
mode: multipath
uplinks:
  - {name: a, interface: eth1, address: dhcp}
  - {name: b, interface: eth2, address: dhcp}
nat: none
firewall: none
keepalive: {targets: [192.0.2.9]}
`,
      'two.yaml',
    ).model,
    'rhel8',
    'ifcfg',
  );
  const content = (p: string) => only.files.find((f) => f.path === p)!.content;

  it('no multipath function in the hooks (the keepalive builds the route), one dhclient.d case per uplink', () => {
    expect(content('/usr/sbin/ifup-local')).not.toContain('mpgen_multipath');
    expect(content('/usr/sbin/ifdown-local')).not.toContain('mpgen_multipath');
    expect(content('/etc/dhcp/dhclient.d/mpgen_two.sh')).toMatch(/^\teth1\) mpgen_table=201 ;;\n\teth2\) mpgen_table=202 ;;$/m);
    expect(content(`${NS}/route-eth2`)).toContain("# the multipath route of table 222 is the keepalive's: every uplink is dynamic");
    expect(commandLines(content(`${NS}/rule-eth1`))).toEqual([]);
  });
});

const shellcheckMissing = missing({ commands: ['shellcheck'] });
describe.skipIf(shellcheckMissing !== undefined)('ifcfg backend, DHCP uplink: shellcheck -s sh and sh -n', () => {
  const dir = tempDir('mprh-dhcp-sc-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // the backend's scripts (the keepalive's and the firewall loader's are other tests')
  const scripts = plan.files.filter((f) => f.mode === 0o755 && /^\/(usr\/sbin|etc\/dhcp)\//.test(f.path));
  it('every script the backend emits (the hooks and the dhclient.d file)', () => {
    expect(scripts.map((f) => f.path).sort()).toEqual([HOOK, '/usr/sbin/ifdown-local', '/usr/sbin/ifup-local']);
    for (const s of scripts) {
      const name = s.path.split('/').pop()!;
      const r = shellcheck(s.content, dir, name);
      expect(r.out).toBe('');
      expect(r.status).toBe(0);
      for (const sh of ['sh', 'dash', 'bash']) expect(spawnSync(sh, ['-n', join(dir, name)]).status).toBe(0);
    }
  });
});

interface Lease {
  interface: string;
  reason: string;
  new_routers?: string;
  new_classless_static_routes?: string;
}

/**
 * dhclient-script's way: source the dhclient.d file, then call NAME_config or NAME_restore by the
 * reason, in one shell per event (dhclient runs the script afresh for each). Returns the ip calls.
 */
function lease(shell: string, stubs: string, ev: Lease): string[] {
  const dir = tempDir('mprh-dhcp-run-');
  try {
    writeFileSync(join(dir, 'hook.sh'), file(HOOK).content);
    const calls = join(dir, 'calls');
    writeFileSync(calls, '');
    const fn = ['BOUND', 'RENEW', 'REBIND', 'REBOOT'].includes(ev.reason) ? 'config' : 'restore';
    const env: Record<string, string> = { PATH: `${stubs}:/usr/bin:/bin`, MPGEN_CALLS: calls, interface: ev.interface, reason: ev.reason };
    if (ev.new_routers !== undefined) env.new_routers = ev.new_routers;
    if (ev.new_classless_static_routes !== undefined) env.new_classless_static_routes = ev.new_classless_static_routes;
    // bash reads ~/.bashrc for a -c run whose stdin it takes for a network connection: not here
    const opts = shell === 'bash' ? ['--norc', '--noprofile'] : [];
    const r = spawnSync(shell, [...opts, '-c', `. "$1" && ${STEM}_${fn}`, 'dhclient-script', join(dir, 'hook.sh')], {
      env: { ...env, HOME: dir },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return readFileSync(calls, 'utf8').split('\n').filter((l) => l !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const T = 'table 202 proto static';
const mainDel = (r: string) => `ip -4 route del default via ${r} dev eth2 table main`;

for (const shell of ['dash', 'bash']) {
  const why = missing({ commands: [shell] });
  describe.skipIf(why !== undefined)(`the dhclient.d hook under ${shell}, with an ip stub`, () => {
    const stubs = stubDir(['ip', 'logger']);
    afterAll(() => rmSync(stubs, { recursive: true, force: true }));

    it('BOUND: the first router becomes table 202\'s default route (and none through it stays in main)', () => {
      expect(lease(shell, stubs, { interface: 'eth2', reason: 'BOUND', new_routers: '192.0.2.1 192.0.2.254' })).toEqual([
        mainDel('192.0.2.1'),
        mainDel('192.0.2.254'),
        `ip -4 route replace default via 192.0.2.1 dev eth2 ${T}`,
      ]);
    });

    it('RENEW with another router alone: the route is replaced with the new router', () => {
      expect(lease(shell, stubs, { interface: 'eth2', reason: 'RENEW', new_routers: '192.0.2.2' })).toEqual([
        mainDel('192.0.2.2'),
        `ip -4 route replace default via 192.0.2.2 dev eth2 ${T}`,
      ]);
      expect(lease(shell, stubs, { interface: 'eth2', reason: 'REBIND', new_routers: '192.0.2.3' })).toContain(`ip -4 route replace default via 192.0.2.3 dev eth2 ${T}`);
      expect(lease(shell, stubs, { interface: 'eth2', reason: 'REBOOT', new_routers: '192.0.2.3' })).toContain(`ip -4 route replace default via 192.0.2.3 dev eth2 ${T}`);
    });

    it('option 121 with a default route: its router (dhclient-script has cleared new_routers)', () => {
      expect(lease(shell, stubs, { interface: 'eth2', reason: 'BOUND', new_routers: '', new_classless_static_routes: '24.10.9.8 192.0.2.7 0 192.0.2.9' })).toEqual([
        mainDel('192.0.2.9'),
        `ip -4 route replace default via 192.0.2.9 dev eth2 ${T}`,
      ]);
      expect(lease(shell, stubs, { interface: 'eth2', reason: 'RENEW', new_routers: '', new_classless_static_routes: '24.10.9.8 192.0.2.7,0 192.0.2.8' })).toEqual([
        mainDel('192.0.2.8'),
        `ip -4 route replace default via 192.0.2.8 dev eth2 ${T}`,
      ]);
    });

    it('option 121 without a default route: option 3\'s router, if the lease has one', () => {
      expect(lease(shell, stubs, { interface: 'eth2', reason: 'BOUND', new_routers: '192.0.2.1', new_classless_static_routes: '24.10.9.8 192.0.2.7' })).toEqual([
        mainDel('192.0.2.1'),
        `ip -4 route replace default via 192.0.2.1 dev eth2 ${T}`,
      ]);
    });

    it('a lease without a router: no default route in table 202', () => {
      expect(lease(shell, stubs, { interface: 'eth2', reason: 'BOUND', new_routers: '' })).toEqual(['ip -4 route del default dev eth2 table 202']);
      expect(lease(shell, stubs, { interface: 'eth2', reason: 'BOUND' })).toEqual(['ip -4 route del default dev eth2 table 202']);
    });

    it('EXPIRE, FAIL, RELEASE, STOP: the route leaves table 202', () => {
      for (const reason of ['EXPIRE', 'FAIL', 'RELEASE', 'STOP']) {
        expect(lease(shell, stubs, { interface: 'eth2', reason, new_routers: '192.0.2.1' })).toEqual(['ip -4 route del default dev eth2 table 202']);
      }
    });

    it('another interface (the static line, a foreign one): nothing', () => {
      for (const iface of ['eth1', 'eth20', 'wlan0']) {
        expect(lease(shell, stubs, { interface: iface, reason: 'BOUND', new_routers: '192.0.2.1' })).toEqual([]);
        expect(lease(shell, stubs, { interface: iface, reason: 'RELEASE' })).toEqual([]);
      }
    });
  });
}

const dashMissing = missing({ commands: ['dash'] });
describe.skipIf(dashMissing !== undefined)('ifup-local under dash: a DHCP uplink coming up', () => {
  const stubs = stubDir(['tc', 'modprobe', 'ip', 'ifup']);
  afterAll(() => rmSync(stubs, { recursive: true, force: true }));
  const up = file('/usr/sbin/ifup-local').content;
  const down = file('/usr/sbin/ifdown-local').content;

  it('leaves the multipath route to the keepalive (no ip call, no failure), with or without the static line up', () => {
    expect(runUnderDash(up, ['eth2'], stubs, ['eth2'])).toEqual([]);
    expect(runUnderDash(up, ['eth2'], stubs, ['eth1', 'eth2'])).toEqual([]);
    expect(runUnderDash(down, ['eth2'], stubs, ['eth1'])).toEqual([]);
  });

  it('the static line coming up installs the route over its own nexthop', () => {
    expect(runUnderDash(up, ['eth1'], stubs, ['eth1', 'eth2'])).toEqual([
      'ip -o -4 addr show dev eth1 up',
      'ip route replace default table 222 proto static nexthop via 198.51.100.1 dev eth1 weight 1',
    ]);
  });
});
