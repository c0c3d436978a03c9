/**
 * Property: kernel-refused gateways, checked against a real kernel in a namespace. For generated
 * (address/prefix, gateway, onlink) combinations, edge classes included (network, broadcast, own
 * address, the other uplink's, the lan's, multicast, 0/8, 127/8, 240/4, /31, /32, onlink and not),
 * this applies what the rendered config runs (`ip addr add`, then `ip route add default [via GW] dev D
 * src ADDR proto static [onlink] table T` per uplink and the multipath route; in teql mode the bond's
 * `default via GW dev teqlN proto static onlink`) in a namespace of its own, and asserts:
 *
 *   mpgen accepts the profile  <=>  the kernel accepts every command,
 *
 * except where the kernel accepts something that can never work (or that the profile contract, docs/profile.md, forbids): those
 * are EXCEPTIONS below, each with its reason and the words mpgen's refusal must contain.
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/profile/load.js';
import { missing } from '../support/require.js';
import { SEED } from './profile-text.js';

const RUNS = Number(process.env.MPGEN_KERNEL_RUNS ?? 300);
const BOND_RUNS = Math.ceil(RUNS / 3);
const why = missing({ commands: ['ip', 'sh'], root: true, netns: true });
const NS = `mpsem-${process.pid}-gw`;

interface Up {
  address: string;
  gateway?: string;
  onlink: boolean;
}
interface Case {
  mode: 'multipath' | 'equalize' | 'teql';
  a: Up;
  b: Up;
  lan?: string;
  bond?: { address: string; gateway: string };
  /** the balanced destination (routes: [...]); default when absent */
  route?: string;
  /** how the generator built it, for the coverage counts */
  classes: string[];
}

// ---------------------------------------------------------------- addresses

const V4 = (s: string): ipaddr.IPv4 => ipaddr.IPv4.parse(s);
const split = (c: string): [string, number] => [c.split('/')[0]!, Number(c.split('/')[1])];
const net = (c: string): string => ipaddr.IPv4.networkAddressFromCIDR(c).toString();
const bcast = (c: string): string => ipaddr.IPv4.broadcastAddressFromCIDR(c).toString();
const inside = (a: string, c: string): boolean => V4(a).match(V4(split(c)[0]), split(c)[1]);
const inBlock = (a: string, block: string): boolean => inside(a, block);
const overlap = (x: string, y: string): boolean => V4(split(x)[0]).match(V4(split(y)[0]), Math.min(split(x)[1], split(y)[1]));
const plus = (a: string, k: number): string => {
  const n = V4(a).toByteArray().reduce((s, b) => s * 256 + b, 0) + k;
  return [24, 16, 8, 0].map((sh) => Math.floor(n / 2 ** sh) % 256).join('.');
};

const LAN = '203.0.113.1/24';
const B: Up = { address: '198.51.100.1/30', gateway: '198.51.100.2', onlink: false };

/** Uplink a's address: hand-picked edge cases and random ones in 192.0.2.0/24. */
const addressArb: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.constantFrom<[string, string]>(
    ['192.0.2.1/30', 'host'],
    ['192.0.2.0/30', 'addr-network'],
    ['192.0.2.3/30', 'addr-broadcast'],
    ['192.0.2.0/31', 'addr-/31-low'],
    ['192.0.2.1/31', 'addr-/31-high'],
    ['192.0.2.1/32', 'addr-/32'],
    ['224.0.0.1/30', 'addr-multicast'],
    ['0.0.0.1/30', 'addr-zeronet'],
    ['127.0.0.5/30', 'addr-loopback'],
    ['240.0.0.1/30', 'addr-classE'],
    ['169.254.1.1/16', 'addr-linklocal'],
    ['192.0.2.1/0', 'addr-/0'],
    ['192.0.2.1/1', 'addr-/1'],
    ['198.51.100.1/30', 'addr-same-as-b'],
    ['198.51.100.5/29', 'addr-overlaps-b'],
    ['203.0.113.9/28', 'addr-in-lan'],
  ),
  fc.record({ host: fc.nat(255), prefix: fc.integer({ min: 22, max: 32 }) }).map(({ host, prefix }): [string, string] => [`192.0.2.${host}/${prefix}`, `addr-random/${prefix}`]),
);

const GW_KINDS = ['peer', 'network', 'broadcast', 'own', 'b-address', 'b-broadcast', 'b-network', 'lan-address', 'lan-broadcast', 'multicast', '0.0.0.0', 'zeronet', 'loopback', 'classE', 'limited-broadcast', 'far', 'linklocal', 'none'] as const;

/** A gateway of the given kind for the address c. */
function gatewayFor(kind: (typeof GW_KINDS)[number], c: string, pick: number): string | undefined {
  const [a, p] = split(c);
  switch (kind) {
    case 'peer': {
      if (p >= 31) return p === 31 ? (a === net(c) ? bcast(c) : net(c)) : plus(a, 1);
      const size = 2 ** (32 - p);
      const first = net(c);
      let g = plus(first, 1 + (pick % (size - 2)));
      if (g === a) g = plus(first, 1 + ((pick + 1) % (size - 2)));
      return g === a ? plus(first, 2) : g;
    }
    case 'network':
      return net(c);
    case 'broadcast':
      return bcast(c);
    case 'own':
      return a;
    case 'b-address':
      return '198.51.100.1';
    case 'b-broadcast':
      return '198.51.100.3';
    case 'b-network':
      return '198.51.100.0';
    case 'lan-address':
      return '203.0.113.1';
    case 'lan-broadcast':
      return '203.0.113.255';
    case 'multicast':
      return ['224.0.0.5', '239.1.2.3'][pick % 2];
    case '0.0.0.0':
      return '0.0.0.0';
    case 'zeronet':
      return '0.0.0.5';
    case 'loopback':
      return ['127.0.0.1', '127.0.0.2'][pick % 2];
    case 'classE':
      return '240.0.0.1';
    case 'limited-broadcast':
      return '255.255.255.255';
    case 'far':
      return '203.0.113.77';
    case 'linklocal':
      return '169.254.1.1';
    case 'none':
      return undefined;
  }
}

const uplinkCase: fc.Arbitrary<Case> = fc
  .record({
    address: addressArb,
    gw: fc.constantFrom(...GW_KINDS),
    pick: fc.nat(),
    onlink: fc.boolean(),
    onlinkB: fc.boolean(),
    lan: fc.boolean(),
    mode: fc.constantFrom<'multipath' | 'equalize'>('multipath', 'equalize'),
  })
  .map(({ address, gw, pick, onlink, onlinkB, lan, mode }) => {
    const gateway = gatewayFor(gw, address[0], pick);
    const a: Up = { address: address[0], gateway, onlink: gateway !== undefined && onlink };
    return { mode, a, b: { ...B, onlink: onlinkB }, lan: lan || gw.startsWith('lan') || address[1] === 'addr-in-lan' ? LAN : undefined, classes: [address[1], `gw-${gw}`, a.onlink ? 'onlink' : 'no-onlink'] };
  });

const BOND_ADDRESSES = [
  ['203.0.113.129/29', 'bond-host'],
  ['203.0.113.128/29', 'bond-network'],
  ['203.0.113.135/29', 'bond-broadcast'],
  ['203.0.113.128/31', 'bond-/31'],
  ['203.0.113.129/32', 'bond-/32'],
  ['224.0.0.9/29', 'bond-multicast'],
] as const;
const BOND_GATEWAYS = ['bond-peer', 'bond-broadcast', 'bond-network', 'bond-own', 'uplink-address', 'uplink-broadcast', 'lan-address', 'multicast', 'loopback', 'zeronet', 'classE', 'far'] as const;

const bondCase: fc.Arbitrary<Case> = fc
  .record({ address: fc.constantFrom(...BOND_ADDRESSES), gw: fc.constantFrom(...BOND_GATEWAYS), lan: fc.boolean() })
  .map(({ address: [address, aclass], gw, lan }) => {
    const [own, p] = split(address);
    const peer = p >= 31 ? plus(net(address), own === net(address) ? 1 : 0) : plus(net(address), 6) === own ? plus(net(address), 5) : plus(net(address), 6);
    const gateway = {
      'bond-peer': p === 32 ? '203.0.113.134' : peer,
      'bond-broadcast': bcast(address),
      'bond-network': net(address),
      'bond-own': own,
      'uplink-address': '192.0.2.1',
      'uplink-broadcast': '192.0.2.3',
      'lan-address': '203.0.113.1',
      multicast: '224.0.0.6',
      loopback: '127.0.0.1',
      zeronet: '0.0.0.7',
      classE: '240.0.0.9',
      far: '198.51.100.77',
    }[gw];
    return {
      mode: 'teql' as const,
      a: { address: '192.0.2.1/30', gateway: '192.0.2.2', onlink: false },
      b: B,
      lan: lan || gw === 'lan-address' ? '203.0.113.1/25' : undefined,
      bond: { address, gateway },
      classes: [aclass, `bondgw-${gw}`],
    };
  });

// ---------------------------------------------------------------- the exceptions

interface Exception {
  reason: string;
  /** words one of mpgen's errors must contain */
  says: string;
  when: (c: Case) => boolean;
}

const gatewayOf = (c: Case): string | undefined => c.a.gateway;
const locals = (c: Case): string[] => [c.a.address, c.b.address, ...(c.lan ? [c.lan] : []), ...(c.bond ? [c.bond.address] : [])].map((x) => split(x)[0]);

/** The kernel accepts these; they can never work (or docs/profile.md forbids them), so mpgen refuses them. */
export const EXCEPTIONS: Exception[] = [
  {
    reason: 'the gateway is a local address: accepted without onlink when it lies in the uplink subnet, but the kernel delivers packets for it to this host, so no router is reached',
    says: 'own address',
    when: (c) => locals(c).includes(gatewayOf(c) ?? '-') || (c.bond !== undefined && locals(c).includes(c.bond.gateway)),
  },
  {
    reason: '0.0.0.0/8 is "this network", only ever a source (RFC 1122 3.2.1.3): current Linux accepts 0.x.y.z onlink, but no router holds it; "via 0.0.0.0" is no gateway at all to ip(8)',
    says: '0.0.0.0',
    when: (c) => [gatewayOf(c), c.bond?.gateway].some((g) => g !== undefined && inBlock(g, '0.0.0.0/8')),
  },
  {
    reason: '240.0.0.0/4 is reserved (RFC 1112, RFC 6890): Linux accepts it, routers of other systems (the ISP side) drop it',
    says: '240.0.0.0/4',
    when: (c) => [split(c.a.address)[0], gatewayOf(c), c.bond?.gateway].some((g) => g !== undefined && inBlock(g, '240.0.0.0/4')),
  },
  {
    reason: "the gateway is the network address of the uplink's (or bond's) own subnet below /31: current Linux treats the lowest address as a host, but it is not a router's address (RFC 1122 3.2.1.3)",
    says: 'network address',
    when: (c) =>
      (c.a.gateway !== undefined && split(c.a.address)[1] <= 30 && c.a.gateway === net(c.a.address)) ||
      (c.bond !== undefined && split(c.bond.address)[1] <= 30 && c.bond.gateway === net(c.bond.address)),
  },
  {
    reason: 'the host address is the network or broadcast address of its subnet below /31 (use /31 for point-to-point, RFC 3021): the kernel files it as local and broadcast at once',
    says: ' address of ',
    when: (c) =>
      [c.a.address, ...(c.bond ? [c.bond.address] : [])].some((x) => split(x)[1] <= 30 && (split(x)[0] === net(x) || split(x)[0] === bcast(x))),
  },
  {
    reason:
      "the gateway is the broadcast address of another local subnet that overlaps the uplink's: the kernel accepts it without onlink (its broadcast route is on the other device), but files the neighbour as broadcast",
    says: 'broadcast address',
    when: (c) =>
      c.a.gateway !== undefined &&
      [c.b.address, ...(c.lan ? [c.lan] : [])].some((x) => split(x)[1] <= 30 && bcast(x) === c.a.gateway && inside(c.a.gateway!, c.a.address)),
  },
  {
    reason: 'a multicast host address: the kernel takes it on a device when no route names it as src (the bond route has none), but a packet from a multicast source is a martian to every receiver (RFC 1122 3.2.1.3)',
    says: 'multicast',
    when: (c) => [c.a.address, ...(c.bond ? [c.bond.address] : [])].some((x) => inBlock(split(x)[0], '224.0.0.0/4')),
  },
  { reason: '127.0.0.0/8 on a link is a martian: the kernel drops it on the wire', says: 'loopback', when: (c) => inBlock(split(c.a.address)[0], '127.0.0.0/8') },
  {
    reason: 'an address in 0.0.0.0/8, or a subnet that starts there (/0): the kernel adds no connected route for it; only a direct link still installs',
    says: '0.0.0.0/8',
    when: (c) => inBlock(net(c.a.address), '0.0.0.0/8'),
  },
  { reason: 'two uplinks with one host address (item 11): the second "from ADDR/32" rule can never match', says: 'already the address', when: (c) => split(c.a.address)[0] === split(c.b.address)[0] },
  {
    reason: 'docs/profile.md: in multipath mode uplink subnets do not overlap, except on purpose through onlink on both',
    says: 'overlaps',
    when: (c) => c.mode === 'multipath' && overlap(c.a.address, c.b.address) && !(c.a.onlink && c.b.onlink),
  },
  { reason: 'docs/profile.md: the lan has a subnet of its own', says: 'overlaps', when: (c) => c.lan !== undefined && (overlap(c.lan, c.a.address) || overlap(c.lan, c.b.address) || (c.bond !== undefined && overlap(c.lan, c.bond.address))) },
];

// ---------------------------------------------------------------- profile and kernel

function profileYaml(c: Case): string {
  const up = (name: string, dev: string, u: Up) =>
    `  - {name: ${name}, interface: ${dev}, address: ${u.address}${u.gateway !== undefined ? `, gateway: ${u.gateway}` : ''}${u.onlink ? ', onlink: true' : ''}${u.gateway === undefined ? ', probe: [203.0.113.53]' : ''}}\n`;
  let y = `version: 1\nname: lab\nmode: ${c.mode}\nuplinks:\n${up('a', 'eth1', c.a)}${up('b', 'eth2', c.b)}`;
  if (c.lan) y += `lan: {interface: eth0, address: ${c.lan}}\n`;
  if (c.bond) y += `bond: {interface: teql0, address: ${c.bond.address}, gateway: ${c.bond.gateway}}\n`;
  if (c.route) y += `routes: [${c.route}]\n`;
  return y;
}

/** The commands the rendered config runs for this case, in its order. */
function commands(c: Case): string[] {
  const dst = c.route ?? 'default';
  const route = (u: Up, dev: string, table: number) =>
    `ip route add ${dst}${u.gateway !== undefined ? ` via ${u.gateway}` : ''} dev ${dev} src ${split(u.address)[0]} proto static${u.onlink ? ' onlink' : ''} table ${table}`;
  const nh = (u: Up, dev: string) => `nexthop${u.gateway !== undefined ? ` via ${u.gateway}` : ''} dev ${dev} weight 1${u.onlink ? ' onlink' : ''}`;
  // an uplink whose subnet a balanced destination covers goes in without its connected route (seed 000)
  const addr = (u: Up, dev: string) => `ip addr add ${u.address} dev ${dev}${c.route && overlap(u.address, c.route) ? ' noprefixroute' : ''}`;
  const out = [addr(c.a, 'eth1'), addr(c.b, 'eth2')];
  if (c.lan) out.push(`ip addr add ${c.lan} dev eth0`);
  if (c.bond) out.push(`ip addr add ${c.bond.address} dev teql0`);
  out.push(route(c.a, 'eth1', 201), route(c.b, 'eth2', 202));
  if (c.mode !== 'teql') out.push(`ip route add ${dst} table 222 proto static ${nh(c.a, 'eth1')} ${nh(c.b, 'eth2')}`);
  if (c.bond) out.push(`ip route add ${dst} via ${c.bond.gateway} dev teql0 proto static onlink`);
  return out;
}

const RESET = [
  ...['eth1', 'eth2', 'eth0', 'teql0'].map((d) => `ip addr flush dev ${d}`),
  ...['201', '202', '222', 'main'].map((t) => `ip route flush table ${t} 2>/dev/null || true`),
].join('\n');

/** One shell per case: reset, then each command until the first the kernel refuses. */
function kernelVerdict(c: Case): { accepted: true } | { accepted: false; refused: string } {
  // every value comes from the generators above: addresses and fixed words only
  const script = `${RESET}\n${commands(c)
    .map((cmd) => `if ! o=$(${cmd} 2>&1); then echo "REFUSED ${cmd.replace(/"/g, '')}: $o"; exit 0; fi`)
    .join('\n')}\necho ACCEPTED\n`;
  const out = execFileSync('ip', ['netns', 'exec', NS, 'sh', '-c', script], { encoding: 'utf8', timeout: 20_000 }).trim().split('\n').pop()!;
  return out === 'ACCEPTED' ? { accepted: true } : { accepted: false, refused: out };
}

/** Over every test of this file: each exception must come up at least once. */
const EXCEPTIONS_SEEN = new Set<Exception>();

function check(c: Case, seen: Map<string, number>): string[] {
  const count = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
  for (const k of c.classes) count(k);
  const text = profileYaml(c);
  const errors = parseProfile(text, 'k.yaml').diagnostics.filter((d) => d.severity === 'error');
  const said = errors.map((d) => `${d.path}: ${d.message}`);
  const kernel = kernelVerdict(c);
  const where = `\n${text}${commands(c).join('\n')}\nmpgen: ${said.join(' | ') || 'accepted'}`;
  if (!kernel.accepted) {
    count('kernel-refused');
    return errors.length > 0 ? [] : [`the kernel refuses (${kernel.refused}) but mpgen accepts${where}`];
  }
  count('kernel-accepted');
  const exceptions = EXCEPTIONS.filter((e) => e.when(c));
  if (exceptions.length === 0) return errors.length === 0 ? [] : [`the kernel accepts and no exception applies, but mpgen refuses${where}`];
  for (const e of exceptions) {
    count(`exception: ${e.says}`);
    EXCEPTIONS_SEEN.add(e);
  }
  if (errors.length === 0) return [`the kernel accepts, mpgen accepts, but it can never work: ${exceptions.map((e) => e.reason).join('; ')}${where}`];
  return exceptions.some((e) => said.some((s) => s.includes(e.says))) ? [] : [`mpgen refuses, but not for the reason: ${exceptions.map((e) => `"${e.says}"`).join(' or ')}${where}`];
}

// ---------------------------------------------------------------- the tests

describe.skipIf(why)(`kernel-refused gateways: mpgen agrees with a real kernel in a namespace (${RUNS} + ${BOND_RUNS} cases)`, () => {
  beforeAll(() => {
    const ip = (...a: string[]) => execFileSync('ip', ['-n', NS, ...a], { timeout: 10_000 });
    execFileSync('ip', ['netns', 'add', NS], { timeout: 10_000 });
    ip('link', 'set', 'lo', 'up');
    for (const [dev, peer] of [['eth1', 'p1'], ['eth2', 'p2'], ['eth0', 'p0'], ['teql0', 'pt']] as const) {
      ip('link', 'add', dev, 'type', 'veth', 'peer', 'name', peer);
      ip('link', 'set', dev, 'up');
      ip('link', 'set', peer, 'up');
    }
    // teqlN is NOARP: the bond's gateway is reached onlink
    ip('link', 'set', 'teql0', 'arp', 'off');
  });
  afterAll(() => {
    try {
      execFileSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
    } catch {
      // never created
    }
  });

  it('issue 14 examples: the kernel refuses them, and so does mpgen', () => {
    const seen = new Map<string, number>();
    const examples: Case[] = [
      { mode: 'multipath', a: { address: '192.0.2.1/30', gateway: '192.0.2.3', onlink: false }, b: B, classes: ['P gateway broadcast'] },
      { mode: 'multipath', a: { address: '192.0.2.1/30', gateway: '192.0.2.3', onlink: true }, b: B, classes: ['P broadcast onlink'] },
      { mode: 'multipath', a: { address: '192.0.2.1/30', gateway: '192.0.2.1', onlink: true }, b: B, classes: ['own onlink'] },
      { mode: 'multipath', a: { address: '192.0.2.1/30', gateway: '198.51.100.1', onlink: true }, b: B, classes: ['other uplink onlink'] },
      { mode: 'multipath', a: { address: '192.0.2.1/30', gateway: '203.0.113.1', onlink: true }, b: B, lan: LAN, classes: ['lan onlink'] },
      { mode: 'multipath', a: { address: '224.0.0.1/30', gateway: '224.0.0.2', onlink: false }, b: B, classes: ['multicast address'] },
      { mode: 'multipath', a: { address: '0.0.0.1/30', gateway: '0.0.0.2', onlink: false }, b: B, classes: ['this-network address'] },
      {
        mode: 'teql',
        a: { address: '192.0.2.1/30', gateway: '192.0.2.2', onlink: false },
        b: B,
        bond: { address: '203.0.113.129/29', gateway: '203.0.113.135' },
        classes: ['T bond broadcast'],
      },
    ];
    const problems: string[] = [];
    for (const c of examples) {
      const v = kernelVerdict(c);
      expect(v.accepted, profileYaml(c)).toBe(false);
      if (!v.accepted) expect(v.refused).toMatch(/Nexthop has invalid gateway|Invalid prefsrc/);
      problems.push(...check(c, seen));
    }
    expect(problems).toEqual([]);
  });

  it(`${RUNS} generated uplink addresses and gateways, and the rare combinations`, () => {
    const seen = new Map<string, number>();
    // combinations the generator reaches too seldom to count on, so each exception comes up
    const rare: Case[] = [
      { mode: 'equalize', a: { address: '198.51.100.5/29', gateway: '198.51.100.3', onlink: false }, b: B, classes: ['rare: b broadcast inside'] },
      { mode: 'equalize', a: { address: '198.51.100.6/29', gateway: '198.51.100.1', onlink: false }, b: B, classes: ['rare: b address inside'] },
      { mode: 'equalize', a: { address: '192.0.2.1/0', onlink: false }, b: B, classes: ['rare: /0 direct'] },
      // a balanced destination over the uplink's subnet: its address goes in with noprefixroute
      { mode: 'multipath', a: { address: '192.0.2.1/30', gateway: '192.0.2.2', onlink: false }, b: B, route: '192.0.2.0/24', classes: ['balanced subnet, gateway'] },
      { mode: 'multipath', a: { address: '192.0.2.1/30', gateway: '192.0.2.2', onlink: true }, b: B, route: '192.0.2.0/24', classes: ['balanced subnet, onlink'] },
      { mode: 'multipath', a: { address: '192.0.2.1/30', onlink: false }, b: B, route: '192.0.2.0/24', classes: ['balanced subnet, direct'] },
    ];
    expect(rare.flatMap((c) => check(c, seen))).toEqual([]);
    fc.assert(
      fc.property(uplinkCase, (c) => {
        expect(check(c, seen)).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // every class was generated, both verdicts and every exception came up
    for (const k of GW_KINDS) expect(seen.get(`gw-${k}`) ?? 0, `gw-${k}`).toBeGreaterThan(0);
    for (const k of ['addr-network', 'addr-broadcast', 'addr-/31-low', 'addr-/31-high', 'addr-/32', 'addr-multicast', 'addr-zeronet', 'addr-loopback', 'addr-classE', 'addr-same-as-b', 'onlink', 'no-onlink'])
      expect(seen.get(k) ?? 0, k).toBeGreaterThan(0);
    expect(seen.get('kernel-refused') ?? 0).toBeGreaterThan(RUNS / 10);
    expect(seen.get('kernel-accepted') ?? 0).toBeGreaterThan(RUNS / 10);
  });

  it(`${BOND_RUNS} generated teql bond addresses and gateways (onlink through the NOARP bond)`, () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(bondCase, (c) => {
        expect(check(c, seen)).toEqual([]);
      }),
      { seed: SEED + 3, numRuns: BOND_RUNS, endOnFailure: true },
    );
    for (const [, k] of BOND_ADDRESSES) expect(seen.get(k) ?? 0, k).toBeGreaterThan(0);
    for (const k of BOND_GATEWAYS) expect(seen.get(`bondgw-${k}`) ?? 0, k).toBeGreaterThan(0);
    expect(seen.get('kernel-refused') ?? 0).toBeGreaterThan(0);
    expect(seen.get('kernel-accepted') ?? 0).toBeGreaterThan(0);
  });

  it('every exception came up, in the examples or the generated cases', () => {
    expect(EXCEPTIONS.filter((e) => !EXCEPTIONS_SEEN.has(e)).map((e) => e.reason)).toEqual([]);
  });
});
