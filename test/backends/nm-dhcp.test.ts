/**
 * The nm backend with a DHCP uplink (`address: dhcp`): the keyfile asks NetworkManager's DHCP
 * client for the lease and puts its routes into the uplink's table at metric 0 (route-table,
 * route-metric), and holds what is static (the prohibit fallback, the fwmark rule, the shared
 * rules); the address, the `from` rule, the lease's route and the dynamic nexthop are left to the
 * client and the keepalive. The keyfiles go through the real `nmcli --offline` (NM 1.42), which
 * must read every value back; the dispatcher passes shellcheck and runs under dash with stubs.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelFromText } from '../../src/model/load.js';
import { renderPlan } from '../../src/plan/render.js';
import { missing } from '../support/require.js';
import type { Distro } from '../../src/distros/distro.js';
import { rhelWithNm, runUnderDash, shellcheck, stubDir, tempDir } from './ifcfg-support.js';

const PROFILE = `version: 1
name: lab
mode: multipath
uplinks:
  - {name: line1, interface: eth1, address: 203.0.113.2/29, gateway: 203.0.113.1}
  - {name: cable, interface: eth2, address: dhcp}
nat: masquerade
firewall: nftables
keepalive: {interval: 100ms, timeout: 300ms, down: 4, up: 6, targets: [203.0.113.10]}
`;

const SC = '/etc/NetworkManager/system-connections';
const DISPATCHER = '/usr/lib/NetworkManager/dispatcher.d/50-mpgen-lab';
const model = (text = PROFILE) => loadModelFromText(text, 'x.yaml').model;
const render = (text = PROFILE, distro: string | Distro = 'debian') => renderPlan(model(text), distro, 'nm');
const content = (plan: ReturnType<typeof render>, path: string): string => {
  const f = plan.files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in ${plan.files.map((x) => x.path).join(', ')}`);
  return f.content;
};

/** The `[ipv4]` section as its lines, comments and blanks left out. */
const ipv4 = (keyfile: string): string[] => {
  const s = keyfile.split(/^\[ipv4\]$/m)[1]!.split(/^\[/m)[0]!;
  return s.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
};

function nmcliOffline(keyfile: string): { status: number | null; out: string; err: string } {
  const r = spawnSync('nmcli', ['--offline', 'connection', 'modify', 'connection.autoconnect', 'yes'], { input: keyfile, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('nm backend: a DHCP uplink beside a static one', () => {
  const plan = render();
  const cable = content(plan, `${SC}/mpgen-lab-cable.nmconnection`);
  const line1 = content(plan, `${SC}/mpgen-lab-line1.nmconnection`);

  it('is rendered (no refusal), for debian and rhel alike', () => {
    expect(plan.backend).toBe('nm');
    expect(content(render(PROFILE, 'rhel'), `${SC}/mpgen-lab-cable.nmconnection`)).toBe(cable);
  });

  it('the DHCP keyfile: method auto, the lease into table 202 at metric 0, the prohibit fallback and the fwmark rule; no address, gateway or from rule', () => {
    expect(ipv4(cable)).toEqual([
      'dhcp-timeout=2147483647',
      'method=auto',
      'route-metric=0',
      'route-table=202',
      'route1=0.0.0.0/0,0.0.0.0,1',
      'route1_options=table=202,type=prohibit',
      'routing-rule1=priority 202 from 0.0.0.0/0 fwmark 0x200/0x3f00 table 202',
      'routing-rule2=priority 200 from 0.0.0.0/0 suppress_prefixlength 0 table 254',
      'routing-rule3=priority 222 from 0.0.0.0/0 table 222',
    ]);
    // never-default would drop the lease's default route altogether (it belongs in table 202)
    expect(cable).not.toMatch(/never-default|address1|gateway=|method=manual/);
    expect(cable).toMatch(/^interface-name=eth2$/m);
    expect(cable).toMatch(/^# uplink cable: table 202, rule priority 202; DHCP: the keepalive adds the rule from the leased address$/m);
  });

  it('the static keyfile keeps its shape: address, never-default, its routes and rules', () => {
    expect(ipv4(line1)).toEqual([
      'method=manual',
      'address1=203.0.113.2/29',
      'never-default=true',
      'route1=0.0.0.0/0,203.0.113.1,0',
      'route1_options=src=203.0.113.2,table=201',
      'route2=0.0.0.0/0,0.0.0.0,1',
      'route2_options=table=201,type=prohibit',
      'routing-rule1=priority 201 from 203.0.113.2/32 table 201',
      'routing-rule2=priority 201 from 0.0.0.0/0 fwmark 0x100/0x3f00 table 201',
      'routing-rule3=priority 200 from 0.0.0.0/0 suppress_prefixlength 0 table 254',
      'routing-rule4=priority 222 from 0.0.0.0/0 table 222',
    ]);
  });

  it('the dispatcher: the multipath route holds the static nexthop only; up of the DHCP uplink leaves it alone, down rewrites it', () => {
    const d = content(plan, DISPATCHER);
    expect(d).toMatch(/nexthop via 203\.0\.113\.1 dev eth1 weight 1/);
    expect(d).not.toMatch(/dev eth2 weight|lease/);
    expect(d).toMatch(/\tup\)\n\t\tcase \$dev in\n\t\t\teth1\) mpgen_multipath ;;/);
    expect(d).toMatch(/\tdown\)\n\t\tcase \$dev in\n\t\t\teth1 \| eth2\) mpgen_multipath ;;/);
  });

  it('says what NM and the keepalive each do for the DHCP uplink', () => {
    expect(plan.notes.join('\n')).toMatch(/cable \(eth2\): NetworkManager's DHCP client puts the lease's routes into the uplink's table/);
  });

  it('only DHCP uplinks: no multipath function, and no dispatcher (nothing static to balance)', () => {
    const p = render(PROFILE.replace('{name: line1, interface: eth1, address: 203.0.113.2/29, gateway: 203.0.113.1}', '{name: line1, interface: eth1, address: dhcp}'));
    expect(p.files.some((f) => f.path === DISPATCHER)).toBe(false);
    for (const f of p.files.filter((x) => x.path.endsWith('.nmconnection'))) {
      expect(f.content).toMatch(/^method=auto$/m);
      expect(f.content).not.toMatch(/routing-rule\d+=priority 20[12] from (?!0\.0\.0\.0\/0)/);
    }
  });

  it('NM 1.30 (< 1.36, no type=prohibit): the dispatcher adds the DHCP uplink\'s prohibit fallback on its up', () => {
    const d = content(render(PROFILE, rhelWithNm('1.30')), DISPATCHER);
    expect(d).toMatch(/if \[ "\$dev" = eth2 \]; then\n\t\t\tip route replace prohibit default table 202 proto static metric 1/);
  });

  it('pppoe is rendered by nm now (test/backends/nm-pppoe.test.ts)', () => {
    const pppoe = PROFILE.replace('{name: cable, interface: eth2, address: dhcp}', '{name: cable, interface: eth2, address: pppoe, pppoe: {username: u, password: p}}');
    expect(render(pppoe).files.some((f) => f.path === `${SC}/mpgen-lab-cable.nmconnection` && /^type=pppoe$/m.test(f.content))).toBe(true);
  });
});

describe('every backend renders the DHCP profile; PPPoE is refused with a message', () => {
  it('the message', () => {
    for (const [distro, backend] of [['rhel', 'ifcfg'], ['rhel', 'nm'], ['debian', 'eni'], ['debian', 'networkd'], ['ubuntu', 'netplan']] as const)
      expect(renderPlan(model(), distro, backend).files.length, backend).toBeGreaterThan(3);
    const pppoe = PROFILE.replace(/\{name: cable, interface: (\S+), address: dhcp\}/, '{name: cable, interface: $1, address: pppoe, pppoe: {username: u@isp.example, password_file: /etc/mpgen/secrets/dsl}}');
    expect(pppoe).not.toBe(PROFILE);
    expect(() => renderPlan(model(pppoe), 'rhel', 'ifcfg')).toThrow(/uplinks\[1\] \(cable\): address: pppoe is not rendered by the ifcfg backend yet; nm, eni, networkd and netplan render it: choose one with --backend \(or a distro that uses it\), or give the uplink a static address/);
  });
});

const why = missing({ commands: ['nmcli'] });
describe.skipIf(why !== undefined)('nm DHCP keyfile: nmcli --offline round trip', () => {
  const plan = render();
  for (const id of ['cable', 'line1']) {
    it(`mpgen-lab-${id}: nmcli reads it and writes every [ipv4] value back`, () => {
      const k = content(plan, `${SC}/mpgen-lab-${id}.nmconnection`);
      const r = nmcliOffline(k);
      expect(r.err).toBe('');
      expect(r.status).toBe(0);
      // nmcli drops a value it cannot read with exit 0: the section must come back whole (nmcli
      // sorts the keys and writes a /32 source bare)
      const norm = (xs: string[]) => xs.map((l) => l.replace(/\/32 table/, ' table')).sort();
      expect(norm(ipv4(r.out))).toEqual(norm(ipv4(k)));
    });
  }

  it('nmcli reports the DHCP settings as ipv4.method auto, ipv4.route-table 202, ipv4.route-metric 0', () => {
    const r = nmcliOffline(content(plan, `${SC}/mpgen-lab-cable.nmconnection`));
    const v4 = ipv4(r.out);
    expect(v4).toContain('method=auto');
    expect(v4).toContain('route-table=202');
    expect(v4).toContain('route-metric=0');
    expect(v4.some((l) => l.startsWith('never-default'))).toBe(false);
  });

  it('control: a misspelt value is dropped, and the comparison notices', () => {
    const bad = content(plan, `${SC}/mpgen-lab-cable.nmconnection`).replace('route-metric=0', 'route-metric=zero');
    const r = nmcliOffline(bad);
    expect(r.status).toBe(0);
    expect(ipv4(r.out)).not.toEqual(ipv4(bad));
  });
});

const shellcheckMissing = missing({ commands: ['shellcheck'] });
describe.skipIf(shellcheckMissing !== undefined)('nm dispatcher with a DHCP uplink: shellcheck -s sh', () => {
  const dir = tempDir('mpnm-dhcp-sc-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const nmv of ['1.42', '1.30']) {
    it(`NM ${nmv}: clean`, () => {
      const r = shellcheck(content(render(PROFILE, rhelWithNm(nmv)), DISPATCHER), dir, `dhcp-${nmv}`);
      expect(r.out).toBe('');
      expect(r.status).toBe(0);
    });
  }
});

const dashMissing = missing({ commands: ['dash'] });
describe.skipIf(dashMissing !== undefined)('nm dispatcher with a DHCP uplink under dash', () => {
  const stubs = stubDir(['tc', 'modprobe', 'ip']);
  afterAll(() => rmSync(stubs, { recursive: true, force: true }));
  const d = content(render(), DISPATCHER);
  const replaces = (calls: string[]) => calls.filter((l) => l.includes('route replace'));

  it('up of the static uplink: the multipath route over it alone', () => {
    expect(replaces(runUnderDash(d, ['eth1', 'up'], stubs, ['eth1', 'eth2']))).toEqual(['ip route replace default table 222 proto static nexthop via 203.0.113.1 dev eth1 weight 1']);
  });

  it('up of the DHCP uplink: nothing (its nexthop is the keepalive\'s, once it has read the lease)', () => {
    expect(runUnderDash(d, ['eth2', 'up'], stubs, ['eth1', 'eth2'])).toEqual([]);
  });

  it('down of the DHCP uplink: the route over the static uplink; with no static uplink up, nothing', () => {
    expect(replaces(runUnderDash(d, ['eth2', 'down'], stubs, ['eth1']))).toEqual(['ip route replace default table 222 proto static nexthop via 203.0.113.1 dev eth1 weight 1']);
    expect(replaces(runUnderDash(d, ['eth2', 'down'], stubs, []))).toEqual([]);
  });
});
