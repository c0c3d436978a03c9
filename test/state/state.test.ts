/**
 * The kernel state of each seed fixture, written out by hand from
 * docs/kernel-state.md: every rule, route, sysctl, qdisc and NAT object, in
 * order. The text forms below are this test's own (ip(8)-like), so a backend's
 * formatting never checks itself.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModelFromText } from '../../src/model/load.js';
import { kernelState } from '../../src/state/build.js';
import { namesOf } from '../../src/state/names.js';
import type { KernelState, Nexthop, Route, Rule } from '../../src/state/state.js';
import { lit, literal, RuntimeValueError, type Addr } from '../../src/state/value.js';
import { fixtureModel, fixturePath, type FixtureName } from '../support/fixtures.js';

const a = (x: Addr | undefined): string => (x === undefined ? '' : literal(x));

function hop(n: Nexthop): string {
  return ['nexthop', n.gateway ? `via ${a(n.gateway)}` : '', `dev ${n.interface}`, `weight ${n.weight}`, n.onlink ? 'onlink' : ''].filter(Boolean).join(' ');
}

function route(r: Route): string {
  const to = r.to.kind === 'destination' ? r.to.destination : a(r.to.host);
  return [
    r.type === 'prohibit' ? 'prohibit' : '',
    to,
    r.gateway ? `via ${a(r.gateway)}` : '',
    r.interface ? `dev ${r.interface}` : '',
    r.source ? `src ${a(r.source)}` : '',
    r.scope ? `scope ${r.scope}` : '',
    `proto ${r.protocol}`,
    r.metric !== undefined ? `metric ${r.metric}` : '',
    r.onlink ? 'onlink' : '',
    `table ${r.table}`,
    ...r.nexthops.map(hop),
    r.equalize ? 'equalize' : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function rule(r: Rule): string {
  const from = r.from ? `${a(r.from.addr)}/${r.from.prefix}` : 'all';
  const mark = r.fwmark !== undefined ? ` fwmark 0x${r.fwmark.toString(16)}/0x${(r.mask ?? 0xffffffff).toString(16)}` : '';
  return `priority ${r.priority} from ${from}${mark} lookup ${r.table}${r.suppressPrefixLength !== undefined ? ` suppress_prefixlength ${r.suppressPrefixLength}` : ''}`;
}

const of = (f: FixtureName): KernelState => kernelState(fixtureModel(f));
const sysctls = (s: KernelState): string[] => s.sysctls.map((x) => `${x.path.join('.')} = ${x.value}`);

describe('kernel state: seed003-teql (four ADSL lines bonded with teql0, a LAN)', () => {
  const s = of('seed003-teql');
  it('rules: main-suppress and one per uplink; no multipath rule', () => {
    expect(s.rules.map(rule)).toEqual([
      'priority 200 from all lookup 254 suppress_prefixlength 0',
      'priority 201 from 192.0.2.1/32 lookup 201',
      'priority 202 from 192.0.2.5/32 lookup 202',
      'priority 203 from 192.0.2.9/32 lookup 203',
      'priority 204 from 192.0.2.13/32 lookup 204',
    ]);
  });
  it('routes: each uplink table with its prohibit fallback, the default route via the bond in main', () => {
    expect(s.routes.map(route)).toEqual([
      'default via 192.0.2.2 dev eth2 src 192.0.2.1 proto static table 201',
      'prohibit default proto static metric 1 table 201',
      'default via 192.0.2.6 dev eth3 src 192.0.2.5 proto static table 202',
      'prohibit default proto static metric 1 table 202',
      'default via 192.0.2.10 dev eth4 src 192.0.2.9 proto static table 203',
      'prohibit default proto static metric 1 table 203',
      'default via 192.0.2.14 dev eth5 src 192.0.2.13 proto static table 204',
      'prohibit default proto static metric 1 table 204',
      'default via 203.0.113.6 dev teql0 proto static onlink table 254',
    ]);
  });
  it('sysctls: all = 0, the uplinks and the bond loose, the LAN strict, forwarding; no multipath hash', () => {
    expect(sysctls(s)).toEqual([
      'net.ipv4.conf.all.rp_filter = 0',
      'net.ipv4.conf.eth2.rp_filter = 2',
      'net.ipv4.conf.eth3.rp_filter = 2',
      'net.ipv4.conf.eth4.rp_filter = 2',
      'net.ipv4.conf.eth5.rp_filter = 2',
      'net.ipv4.conf.teql0.rp_filter = 2',
      'net.ipv4.conf.eth0.rp_filter = 1',
      'net.ipv4.ip_forward = 1',
    ]);
  });
  it('qdiscs: every slave has teql0 as its root qdisc; links, addresses, no NAT', () => {
    expect(s.qdiscs.map((q) => `${q.interface} ${q.parent} ${q.kind}`)).toEqual(['eth2 root teql0', 'eth3 root teql0', 'eth4 root teql0', 'eth5 root teql0']);
    expect(s.links.map((l) => `${l.role} ${l.interface}${l.mac ? ` ${l.mac}` : ''}${l.needsCarrier ? '' : ' (no carrier)'}`)).toEqual([
      'uplink eth2 02:00:00:00:00:02',
      'uplink eth3',
      'uplink eth4',
      'uplink eth5',
      'lan eth0',
      'bond teql0 (no carrier)',
    ]);
    expect(s.addresses.map((x) => `${x.interface} ${a(x.local.addr)}/${x.local.prefix}`)).toEqual([
      'eth2 192.0.2.1/30',
      'eth3 192.0.2.5/30',
      'eth4 192.0.2.9/30',
      'eth5 192.0.2.13/30',
      'eth0 198.51.100.1/25',
      'teql0 203.0.113.1/29',
    ]);
    expect(s.nat).toEqual([]);
    expect(s.names.tables).toEqual([
      { id: 201, name: 'mpgen-office-adsl1' },
      { id: 202, name: 'mpgen-office-adsl2' },
      { id: 203, name: 'mpgen-office-adsl3' },
      { id: 204, name: 'mpgen-office-adsl4' },
    ]);
  });
});

describe('kernel state: seed001-multipath (two lines, NAT, a LAN)', () => {
  const s = of('seed001-multipath');
  it('rules: main-suppress, per uplink its address and its mark (one priority, one table), then the multipath table at base + 22', () => {
    expect(s.rules.map(rule)).toEqual([
      'priority 200 from all lookup 254 suppress_prefixlength 0',
      'priority 201 from 192.0.2.2/32 lookup 201',
      'priority 201 from all fwmark 0x100/0x3f00 lookup 201',
      'priority 202 from 192.0.2.10/32 lookup 202',
      'priority 202 from all fwmark 0x200/0x3f00 lookup 202',
      'priority 222 from all lookup 222',
    ]);
  });
  it('routes: the uplink tables, then one multipath route with both nexthops', () => {
    expect(s.routes.map(route)).toEqual([
      'default via 192.0.2.1 dev eth1 src 192.0.2.2 proto static table 201',
      'prohibit default proto static metric 1 table 201',
      'default via 192.0.2.9 dev eth2 src 192.0.2.10 proto static table 202',
      'prohibit default proto static metric 1 table 202',
      'default proto static table 222 nexthop via 192.0.2.1 dev eth1 weight 1 nexthop via 192.0.2.9 dev eth2 weight 1',
    ]);
  });
  it('sysctls: rp_filter per interface, forwarding, the l4 hash and both dead-nexthop switches', () => {
    expect(sysctls(s)).toEqual([
      'net.ipv4.conf.all.rp_filter = 0',
      'net.ipv4.conf.eth1.rp_filter = 2',
      'net.ipv4.conf.eth2.rp_filter = 2',
      'net.ipv4.conf.eth0.rp_filter = 1',
      'net.ipv4.ip_forward = 1',
      'net.ipv4.fib_multipath_hash_policy = 1',
      'net.ipv4.fib_multipath_use_neigh = 1',
      'net.ipv4.conf.all.ignore_routes_with_linkdown = 1',
    ]);
  });
  it('NAT per uplink, with its own address; no qdiscs; one mark per uplink, pinned by default', () => {
    expect(s.nat.map((n) => `${n.kind} ${n.interface} ${a(n.address)}`)).toEqual(['snat eth1 192.0.2.2', 'masquerade eth2 192.0.2.10']);
    expect(s.qdiscs).toEqual([]);
    expect(s.marks.map((m) => `${m.uplink} ${m.interface} 0x${m.mark.toString(16)}/0x${m.mask.toString(16)} table ${m.table}`)).toEqual(['dsl1 eth1 0x100/0x3f00 table 201', 'dsl2 eth2 0x200/0x3f00 table 202']);
    expect(s.steering).toMatchObject({ pinFlows: true, policies: [] });
    expect(s.names.tables.at(-1)).toEqual({ id: 222, name: 'mpgen-branch-mp' });
  });
});

describe('kernel state: seed004-weights (two onlink lines in one /29, weights 9:10)', () => {
  const s = of('seed004-weights');
  it('rules', () => {
    expect(s.rules.map(rule)).toEqual([
      'priority 200 from all lookup 254 suppress_prefixlength 0',
      'priority 201 from 203.0.113.129/32 lookup 201',
      'priority 202 from 203.0.113.133/32 lookup 202',
      'priority 222 from all lookup 222',
    ]);
  });
  it('routes: a host route to each onlink gateway in main, onlink on every route and nexthop', () => {
    expect(s.routes.map(route)).toEqual([
      '203.0.113.130 dev adsl scope link proto static table 254',
      'default via 203.0.113.130 dev adsl src 203.0.113.129 proto static onlink table 201',
      'prohibit default proto static metric 1 table 201',
      '203.0.113.132 dev bdsl scope link proto static table 254',
      'default via 203.0.113.132 dev bdsl src 203.0.113.133 proto static onlink table 202',
      'prohibit default proto static metric 1 table 202',
      'default proto static table 222 nexthop via 203.0.113.130 dev adsl weight 9 onlink nexthop via 203.0.113.132 dev bdsl weight 10 onlink',
    ]);
  });
  it('sysctls: no LAN, so neither a strict LAN nor forwarding', () => {
    expect(sysctls(s)).toEqual([
      'net.ipv4.conf.all.rp_filter = 0',
      'net.ipv4.conf.adsl.rp_filter = 2',
      'net.ipv4.conf.bdsl.rp_filter = 2',
      'net.ipv4.fib_multipath_hash_policy = 1',
      'net.ipv4.fib_multipath_use_neigh = 1',
      'net.ipv4.conf.all.ignore_routes_with_linkdown = 1',
    ]);
  });
});

describe('kernel state: seed000-equalize (two direct links balancing their own subnet)', () => {
  const s = of('seed000-equalize');
  it('rules: one per uplink even though both share one address', () => {
    expect(s.rules.map(rule)).toEqual([
      'priority 200 from all lookup 254 suppress_prefixlength 0',
      'priority 201 from 192.0.2.1/32 lookup 201',
      'priority 202 from 192.0.2.1/32 lookup 202',
      'priority 222 from all lookup 222',
    ]);
  });
  it('routes: direct links (scope link, no gateway), a multipath route that asks for equalize', () => {
    expect(s.routes.map(route)).toEqual([
      '192.0.2.0/24 dev eth0 src 192.0.2.1 scope link proto static table 201',
      'prohibit 192.0.2.0/24 proto static metric 1 table 201',
      '192.0.2.0/24 dev eth1 src 192.0.2.1 scope link proto static table 202',
      'prohibit 192.0.2.0/24 proto static metric 1 table 202',
      '192.0.2.0/24 proto static table 222 nexthop dev eth0 weight 1 nexthop dev eth1 weight 1 equalize',
    ]);
  });
  it('addresses without their prefix route: the subnet is the balanced destination', () => {
    expect(s.addresses.map((x) => `${x.interface} ${x.network} noprefixroute=${x.noPrefixRoute}`)).toEqual([
      'eth0 192.0.2.0/24 noprefixroute=true',
      'eth1 192.0.2.0/24 noprefixroute=true',
    ]);
    expect(sysctls(s)).toEqual([
      'net.ipv4.conf.all.rp_filter = 0',
      'net.ipv4.conf.eth0.rp_filter = 2',
      'net.ipv4.conf.eth1.rp_filter = 2',
      'net.ipv4.fib_multipath_hash_policy = 1',
      'net.ipv4.fib_multipath_use_neigh = 1',
      'net.ipv4.conf.all.ignore_routes_with_linkdown = 1',
    ]);
  });
});

describe('kernel state: room for what comes next', () => {
  it('every uplink carries a tier, 1 for all today', () => {
    expect(of('seed001-multipath').uplinks.map((u) => `${u.name} tier ${u.tier}`)).toEqual(['dsl1 tier 1', 'dsl2 tier 1']);
  });

  it('a value known only at run time cannot be written as a literal, and says why', () => {
    expect(literal(lit('192.0.2.1'))).toBe('192.0.2.1');
    expect(() => literal({ kind: 'lease', uplink: 'dsl1', field: 'gateway' })).toThrow(RuntimeValueError);
    expect(() => literal({ kind: 'lease', uplink: 'dsl1', field: 'gateway' })).toThrow(/gateway leased on dsl1 is known only at run time/);
    expect(() => literal({ kind: 'peer', uplink: 'ppp0' })).toThrow(/peer of ppp0/);
  });

  it('mark rules exist where connections are pinned: never in teql mode, nor with firewall none', () => {
    const marks = (f: FixtureName) => of(f).rules.filter((x) => x.fwmark !== undefined).length;
    expect(marks('seed003-teql')).toBe(0);
    expect(of('seed003-teql').steering.pinFlows).toBe(false);
    for (const f of ['seed001-multipath', 'seed004-weights', 'seed000-equalize'] as const) {
      const st = of(f);
      expect(marks(f)).toBe(st.steering.pinFlows ? st.uplinks.length : 0);
      expect(st.steering.pinFlows).toBe(fixtureModel(f).firewall !== 'none');
    }
  });

  it('every uplink carries its probe targets: the profile\'s, else its gateway', () => {
    const probes = (f: FixtureName): string[] => of(f).uplinks.map((u) => `${u.name}: ${u.probe.map(a).join(' ')}`);
    expect(probes('seed001-multipath')).toEqual(['dsl1: 192.0.2.1', 'dsl2: 203.0.113.10 192.0.2.9']);
    expect(probes('seed003-teql')).toEqual(['adsl1: 192.0.2.2', 'adsl2: 192.0.2.6', 'adsl3: 192.0.2.10', 'adsl4: 192.0.2.14']);
    expect(probes('seed000-equalize')).toEqual(['link0: 192.0.2.2', 'link1: 192.0.2.2']);
    // seed 000's direct links name their target; without it a direct link has none
    const text = readFileSync(fixturePath('seed000-equalize'), 'utf8').replace(/^ *probe:.*\n/gm, '');
    expect(kernelState(loadModelFromText(text, 'direct.yaml').model).uplinks.map((u) => u.probe)).toEqual([[], []]);
  });

  it('names: the LAN connection steps aside for an uplink called "lan"', () => {
    const m = fixtureModel('seed001-multipath');
    const clash = { ...m, uplinks: m.uplinks.map((u, i) => (i === 0 ? { ...u, name: 'lan' } : u)) };
    expect(namesOf(m).lanConnection).toBe('mpgen-branch-lan');
    expect(namesOf(clash).lanConnection).toBe('mpgen-branch-lan-eth0');
    expect(namesOf(m).files.sysctl).toBe('/etc/sysctl.d/90-mpgen-branch.conf');
    expect(namesOf(m).nft.table).toBe('mpgen_branch');
  });

  it('names: the keepalive unit, configuration and script', () => {
    const n = namesOf(fixtureModel('seed001-multipath'));
    expect([n.units.keepalive, n.files.keepaliveConf, n.files.keepaliveScript]).toEqual(['mpgen-keepalive-branch.service', '/etc/mpgen/branch.conf', 'branch-keepalive']);
  });
});
