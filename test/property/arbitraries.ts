/**
 * Generators of profiles (as written, before YAML) for the property tests:
 * valid ones across the three modes, and invalid ones made by one known
 * mutation of a valid one, so each invalid profile says which key path must be
 * reported.
 */
import fc from 'fast-check';

export type Obj = Record<string, unknown>;
export type Path = Array<string | number>;
export type Mode = 'teql' | 'multipath' | 'equalize';

const IFACE_STYLES = [(i: number) => `eth${i + 1}`, (i: number) => `enp${i}s0`, (i: number) => `wan_${i}`, (i: number) => `up-${i}`, (i: number) => `eth0.${100 + i}`] as const;
const NAME_PREFIXES = ['adsl', 'wan', 'isp-', 'line_', 'dsl'] as const;
const DURATIONS = ['100ms', '250ms', '0.5s', '1s', '2.5s', '10s', '60s'] as const;
/** Text allowed in description: printable, shell characters and non-ASCII included (it only reaches comments). */
const DESCRIPTION_CHARS = [...'abcXYZ 019-_,.:;!?$`"\'()#&|<>*{}[]\\/=+%@~^', 'é', '→', 'ß', '中'];

/** Present about half of the time (fast-check: nil with probability 1/freq). */
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 2 });

/** Drops undefined values, so optional keys are absent rather than null in the YAML. */
export function compact<T extends Obj>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

interface UplinkPlan {
  index: number;
  mode: Mode;
  /** in the shared onlink subnet (multipath/equalize, seed 004) */
  shared: boolean;
  /** no gateway: a direct link (multipath/equalize only) */
  direct: boolean;
}

function uplinkArb(p: UplinkPlan): fc.Arbitrary<Obj> {
  const i = p.index;
  return fc
    .record({
      style: fc.nat(IFACE_STYLES.length - 1),
      prefix: fc.constantFrom(...NAME_PREFIXES),
      third: fc.nat(255),
      plen: fc.integer({ min: 24, max: 30 }),
      onlink: maybe(fc.boolean()),
      weight: maybe(fc.integer({ min: 1, max: 256 })),
      mac: maybe(fc.nat(255).map((b) => `02:00:5e:00:${i.toString(16).padStart(2, '0')}:${b.toString(16).padStart(2, '0')}`)),
      mtu: maybe(fc.integer({ min: 68, max: 9000 })),
      table: maybe(fc.constant(1000 + 7 * i)),
      nat: maybe(fc.constantFrom('masquerade', 'snat', 'none')),
      probe: maybe(fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: 1, maxLength: 3 }).map((xs) => xs.map((x) => `192.0.2.${x}`))),
    })
    .map((r) => {
      let address: string;
      let gateway: string | undefined;
      let onlink = r.onlink;
      if (p.shared) {
        // one /25 for every shared uplink; gateways may sit anywhere with onlink, but never on the
        // subnet's broadcast address or another uplink's address (the kernel refuses both)
        address = `100.64.0.${i + 1}/25`;
        gateway = `100.64.0.${i + 65}`;
        onlink = true;
      } else {
        address = `10.${i + 1}.${r.third}.1/${r.plen}`;
        gateway = p.direct ? undefined : `10.${i + 1}.${r.third}.2`;
      }
      return compact({
        name: `${r.prefix}${i}`,
        interface: IFACE_STYLES[r.style]!(i),
        address,
        gateway,
        onlink: gateway === undefined ? undefined : onlink,
        weight: r.weight,
        mac: r.mac,
        mtu: r.mtu,
        table: r.table,
        nat: p.mode === 'teql' ? undefined : r.nat,
        probe: r.probe,
      });
    });
}

const topArb = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/),
  description: maybe(fc.array(fc.constantFrom(...DESCRIPTION_CHARS), { maxLength: 80 }).map((cs) => cs.join(''))),
  lan: maybe(fc.record({ interface: fc.constantFrom('lan0', 'eth0', 'br-lan'), address: fc.constantFrom('172.16.0.1/24', '192.168.77.254/24', '172.31.255.1/30') })),
  routes: maybe(
    fc.uniqueArray(fc.oneof(fc.constant('default'), fc.nat(255).map((k) => `198.18.${k}.0/24`), fc.constant('192.168.0.0/16')), { minLength: 1, maxLength: 4 }),
  ),
  routing: maybe(
    fc.record(
      {
        multipath_table: fc.constantFrom(222, 100, 999, 4000000000),
        rule_priority_base: fc.integer({ min: 1, max: 1000 }),
        prohibit_fallback: fc.boolean(),
        hash: fc.constantFrom('l3', 'l4'),
      },
      { requiredKeys: [] },
    ),
  ),
  nat: maybe(fc.constantFrom('masquerade', 'snat', 'none')),
  firewall: maybe(fc.constantFrom('nftables', 'iptables', 'none')),
  sysctl: maybe(fc.record({ rp_filter: fc.constantFrom('loose', 'strict', 'off'), forwarding: fc.boolean() }, { requiredKeys: [] })),
  keepalive: maybe(
    fc.record(
      {
        enabled: fc.boolean(),
        method: fc.constantFrom('ping', 'arping'),
        interval: fc.constantFrom(...DURATIONS),
        timeout: fc.constantFrom(...DURATIONS),
        down: fc.integer({ min: 1, max: 100 }),
        up: fc.integer({ min: 1, max: 100 }),
      },
      { requiredKeys: [] },
    ),
  ),
  package: maybe(
    fc.record(
      {
        name: fc.stringMatching(/^[a-z0-9][a-z0-9+.-]{1,20}$/),
        version: fc.constantFrom('1.0.0', '2', '0.1~rc1', '1.10', '3.2.1+site4'),
        maintainer: fc.constantFrom('Net Admin <admin@example.net>', "O'Brien (NOC) <noc@isp.example>"),
      },
      { requiredKeys: [] },
    ),
  ),
  teqlN: fc.nat(99),
});

export interface ValidCase {
  mode: Mode;
  profile: Obj;
}

/** A valid profile: 2..32 uplinks; teql with a bond; multipath with disjoint subnets or a shared onlink subnet; equalize. */
export const validProfile: fc.Arbitrary<ValidCase> = fc
  .record({
    mode: fc.constantFrom<Mode>('teql', 'multipath', 'equalize'),
    // mostly small boxes, regularly the largest ones
    n: fc.oneof({ arbitrary: fc.integer({ min: 2, max: 8 }), weight: 4 }, { arbitrary: fc.integer({ min: 9, max: 32 }), weight: 1 }),
    sharedMask: fc.nat(),
    directMask: fc.nat(),
    useShared: fc.boolean(),
    // an uplink named "mp", whose table name the multipath table must not take (issue 14)
    mpName: fc.nat(7),
  })
  .chain(({ mode, n, sharedMask, directMask, useShared, mpName }) => {
    const plans: UplinkPlan[] = Array.from({ length: n }, (_, index) => ({
      index,
      mode,
      // two or more uplinks share a subnet on purpose, all with onlink
      shared: mode !== 'teql' && useShared && (index < 2 || ((sharedMask >> index) & 1) === 1),
      direct: mode !== 'teql' && ((directMask >> index) & 3) === 3,
    }));
    return fc.tuple(fc.constant(mode), fc.tuple(...plans.map(uplinkArb)), topArb, fc.constant(mpName === 0));
  })
  .map(([mode, uplinks, top, mpName]) => {
    if (mpName) uplinks[uplinks.length - 1]!.name = 'mp';
    const { teqlN, ...rest } = top;
    const p: Obj = compact({ version: 1, ...rest, mode, uplinks, bond: mode === 'teql' ? { interface: `teql${teqlN}`, address: '203.0.113.1/29', gateway: '203.0.113.6' } : undefined });
    // NAT needs a firewall to be written into
    if (p.firewall === 'none') {
      delete p.nat;
      for (const u of uplinks) delete u.nat;
    }
    return { mode, profile: p };
  });

// ---------------------------------------------------------------- mutations

export interface Mutated {
  kind: string;
  /** the profile to serialize, or the YAML text itself for syntax mutations */
  profile?: Obj;
  text?: string;
  /** the key path an error must name ("" for a YAML syntax error) */
  path: string;
}

export const pathString = (p: Path): string => p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('');

function setIn(o: Obj, path: Path, value: unknown): void {
  let cur = o as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
}

function deleteIn(o: Obj, path: Path): void {
  let cur = o as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  delete cur[path[path.length - 1]!];
}

function getIn(o: Obj, path: Path): unknown {
  let cur: unknown = o;
  for (const k of path) cur = (cur as Record<string | number, unknown> | undefined)?.[k];
  return cur;
}

/** Shell metacharacters, newlines, unicode look-alikes, over-long and empty values: never valid in a patterned field. */
export const HOSTILE = [
  'eth1;reboot',
  '$(reboot)',
  '`id`',
  'a\nExecStart=/bin/sh',
  'x\r\ny',
  "a' || true '",
  'a"b',
  'a|b',
  'a&b',
  '${IFS}x',
  'a b',
  '../../etc/passwd',
  '\u0435th1', // Cyrillic е
  'eth\u0031\u200b', // zero-width space
  'ｅｔｈ１', // full-width
  'x'.repeat(300),
  '',
  '*',
] as const;

const STRING_FIELDS = (p: Obj): Path[] => {
  const ups = p.uplinks as Obj[];
  const out: Path[] = [['name'], ['mode']];
  ups.forEach((u, i) => {
    out.push(['uplinks', i, 'name'], ['uplinks', i, 'interface'], ['uplinks', i, 'address']);
    if (u.gateway !== undefined) out.push(['uplinks', i, 'gateway']);
    if (u.mac !== undefined) out.push(['uplinks', i, 'mac']);
    if (Array.isArray(u.probe)) out.push(['uplinks', i, 'probe', 0]);
  });
  if (p.lan) out.push(['lan', 'interface'], ['lan', 'address']);
  if (p.bond) out.push(['bond', 'interface'], ['bond', 'address'], ['bond', 'gateway']);
  if (Array.isArray(p.routes)) out.push(['routes', 0]);
  const pkg = p.package as Obj | undefined;
  for (const k of ['name', 'version', 'maintainer']) if (pkg?.[k] !== undefined) out.push(['package', k]);
  const ka = p.keepalive as Obj | undefined;
  for (const k of ['interval', 'timeout', 'method']) if (ka?.[k] !== undefined) out.push(['keepalive', k]);
  return out;
};

const NUMBER_FIELDS: Array<{ path: (p: Obj, i: number) => Path; bad: unknown[] }> = [
  { path: (_p, i) => ['uplinks', i, 'weight'], bad: [0, 257, -1, 1.5, '9', true] },
  { path: (_p, i) => ['uplinks', i, 'mtu'], bad: [67, 65536, '1500', false] },
  { path: (_p, i) => ['uplinks', i, 'table'], bad: [0, 253, 254, 255, 4294967296, '201'] },
  { path: () => ['keepalive', 'down'], bad: [0, 101, '3'] },
  { path: () => ['keepalive', 'up'], bad: [0, 101, 2.5] },
  { path: () => ['routing', 'rule_priority_base'], bad: [0, 40000, '200'] },
  { path: () => ['routing', 'multipath_table'], bad: [254, 0, 'main'] },
  { path: () => ['version'], bad: [2, 0, '1', 1.1] },
  { path: () => ['keepalive', 'interval'], bad: ['50ms', '61s', 0.5, '1m', '1 s'] },
];

const BOOL_FIELDS: Array<(p: Obj, i: number) => Path> = [(_p, i) => ['uplinks', i, 'onlink'], () => ['sysctl', 'forwarding'], () => ['keepalive', 'enabled'], () => ['routing', 'prohibit_fallback']];

const ensureSection = (p: Obj, path: Path): void => {
  if (path.length === 2 && typeof path[0] === 'string' && p[path[0]] === undefined) p[path[0]] = {};
};

export const MUTATION_KINDS = [
  'wrong-type',
  'bad-pattern',
  'number-out-of-range',
  'bool-as-string',
  'unknown-key',
  'duplicate-name',
  'duplicate-interface',
  'overlap',
  'missing-required',
  'uplink-count',
  'bond-mismatch',
  'yaml-duplicate-key',
  'yaml-tab',
  // issue 14: values the kernel refuses, or accepts and that can never work
  'kernel-gateway',
  'bad-host-address',
  'duplicate-address',
  'bond-conflict',
  'bad-probe',
  'bad-mac',
] as const;

const hostOf = (cidr: unknown): string => String(cidr).split('/')[0]!;
const prefixOf = (cidr: unknown): number => Number(String(cidr).split('/')[1]);
/** Network and broadcast of an "a.b.c.d/p" with p >= 24 (every generated uplink). */
function edgesOf(cidr: unknown): { network: string; broadcast: string } {
  const [a, b, c, d] = hostOf(cidr).split('.').map(Number) as [number, number, number, number];
  const size = 2 ** (32 - prefixOf(cidr));
  const base = d - (d % size);
  return { network: `${a}.${b}.${c}.${base}`, broadcast: `${a}.${b}.${c}.${base + size - 1}` };
}

export const invalidProfile: fc.Arbitrary<Mutated & { mode: Mode }> = fc
  .record({
    base: validProfile,
    kind: fc.constantFrom(...MUTATION_KINDS),
    pick: fc.nat(),
    pick2: fc.nat(),
    hostile: fc.constantFrom(...HOSTILE),
    unknownKey: fc.stringMatching(/^[a-z][a-z_]{2,12}$/),
  })
  .map(({ base, kind, pick, pick2, hostile, unknownKey }) => {
    const p = structuredClone(base.profile);
    const ups = p.uplinks as Obj[];
    const n = ups.length;
    const i = pick % n;
    const done = (m: Mutated) => ({ ...m, mode: base.mode });
    switch (kind) {
      case 'wrong-type': {
        const fields = STRING_FIELDS(p);
        const path = fields[pick % fields.length]!;
        const wrong = [42, true, ['x'], { k: 1 }, null][pick2 % 5];
        setIn(p, path, wrong);
        return done({ kind, profile: p, path: pathString(path) });
      }
      case 'bad-pattern': {
        const fields = STRING_FIELDS(p);
        const path = fields[pick % fields.length]!;
        setIn(p, path, hostile);
        return done({ kind, profile: p, path: pathString(path) });
      }
      case 'number-out-of-range': {
        const f = NUMBER_FIELDS[pick % NUMBER_FIELDS.length]!;
        const path = f.path(p, i);
        ensureSection(p, path);
        setIn(p, path, f.bad[pick2 % f.bad.length]);
        return done({ kind, profile: p, path: pathString(path) });
      }
      case 'bool-as-string': {
        const path = BOOL_FIELDS[pick % BOOL_FIELDS.length]!(p, i);
        ensureSection(p, path);
        setIn(p, path, ['yes', 'no', 'on', 'off', 'true', 1, 0][pick2 % 7]);
        return done({ kind, profile: p, path: pathString(path) });
      }
      case 'unknown-key': {
        const known = new Set(['version', 'name', 'description', 'mode', 'lan', 'uplinks', 'bond', 'routes', 'routing', 'nat', 'firewall', 'sysctl', 'keepalive', 'package', 'interface', 'address', 'gateway', 'onlink', 'weight', 'mac', 'mtu', 'table', 'probe', 'enabled', 'method', 'interval', 'timeout', 'down', 'up', 'hash', 'multipath_table', 'rule_priority_base', 'prohibit_fallback', 'rp_filter', 'forwarding', 'maintainer']);
        const key = known.has(unknownKey) ? `${unknownKey}_x` : unknownKey;
        const where: Path[] = [[], ['uplinks', i], ...(['lan', 'bond', 'routing', 'sysctl', 'keepalive', 'package'] as const).filter((k) => p[k] !== undefined).map((k) => [k])];
        const at = where[pick2 % where.length]!;
        setIn(p, [...at, key], 1);
        return done({ kind, profile: p, path: pathString([...at, key]) });
      }
      case 'duplicate-name':
      case 'duplicate-interface': {
        const key = kind === 'duplicate-name' ? 'name' : 'interface';
        const j = i === 0 ? 1 : i;
        const first = pick2 % j;
        ups[j]![key] = ups[first]![key];
        return done({ kind, profile: p, path: pathString(['uplinks', j, key]) });
      }
      case 'overlap': {
        if (base.mode === 'multipath') {
          const j = i === 0 ? 1 : i;
          const first = pick2 % j;
          const [addr] = String(ups[first]!.address).split('/');
          ups[j]!.address = `${addr}/${String(ups[first]!.address).split('/')[1]}`;
          ups[j]!.onlink = false;
          if (ups[j]!.gateway === undefined) delete ups[j]!.onlink;
          return done({ kind, profile: p, path: pathString(['uplinks', j, 'address']) });
        }
        p.lan = { interface: 'lan9', address: String(ups[i]!.address) };
        return done({ kind, profile: p, path: 'lan.address' });
      }
      case 'missing-required': {
        const paths: Path[] = [['version'], ['name'], ['mode'], ['uplinks'], ['uplinks', i, 'name'], ['uplinks', i, 'interface'], ['uplinks', i, 'address']];
        const path = paths[pick2 % paths.length]!;
        deleteIn(p, path);
        return done({ kind, profile: p, path: pathString(path) });
      }
      case 'uplink-count': {
        if (pick2 % 2 === 0) p.uplinks = ups.slice(0, 1);
        else p.uplinks = Array.from({ length: 33 }, (_, k) => ({ name: `u${k}`, interface: `e${k}`, address: `10.200.${k}.1/30`, gateway: `10.200.${k}.2` }));
        return done({ kind, profile: p, path: 'uplinks' });
      }
      case 'bond-mismatch': {
        if (base.mode === 'teql') {
          delete p.bond;
          return done({ kind, profile: p, path: 'mode' });
        }
        p.bond = { interface: 'teql0', address: '203.0.113.1/29', gateway: '203.0.113.6' };
        return done({ kind, profile: p, path: 'bond' });
      }
      case 'kernel-gateway': {
        const u = ups[i]!;
        const other = ups[(i + 1) % n]!;
        if (base.mode === 'teql' && pick2 % 4 === 0) {
          const b = p.bond as Obj;
          b.gateway = [edgesOf(b.address).broadcast, hostOf(u.address), '224.0.0.9', '127.0.0.1'][(pick2 >> 2) % 4];
          return done({ kind, profile: p, path: 'bond.gateway' });
        }
        // a subnet below /31 has a broadcast address; a /31 or /32 (none generated) would not
        const choices: Array<[string, boolean]> = [
          [edgesOf(u.address).broadcast, false],
          [edgesOf(u.address).broadcast, true],
          [edgesOf(other.address).broadcast, true],
          [hostOf(u.address), true],
          [hostOf(other.address), true],
          ['224.0.0.5', true],
          ['127.0.0.1', true],
          ['0.0.0.0', false],
          ['0.0.0.5', true],
          ['240.0.0.1', true],
          ['255.255.255.255', true],
          [edgesOf(u.address).network, false],
        ];
        if (p.lan) choices.push([hostOf((p.lan as Obj).address), true]);
        if (pick2 % (choices.length + 1) === choices.length) {
          // a balanced destination over the uplink's subnet: no connected route, so no gateway without onlink
          u.gateway ??= hostOf(u.address).replace(/\.\d+$/, '.2');
          u.onlink = false;
          p.routes = [`${edgesOf(u.address).network}/${prefixOf(u.address)}`];
          return done({ kind, profile: p, path: pathString(['uplinks', i, 'gateway']) });
        }
        const [gateway, onlink] = choices[pick2 % choices.length]!;
        u.gateway = gateway;
        u.onlink = onlink;
        return done({ kind, profile: p, path: pathString(['uplinks', i, 'gateway']) });
      }
      case 'bad-host-address': {
        const where: Path[] = [['uplinks', i, 'address']];
        if (p.lan) where.push(['lan', 'address']);
        if (p.bond) where.push(['bond', 'address']);
        const path = where[pick2 % where.length]!;
        const now = getIn(p, path);
        const e = edgesOf(now);
        const bad = ['224.0.0.1/30', '0.0.0.1/30', '127.0.0.2/30', '240.0.0.1/30', `${e.network}/${prefixOf(now)}`, `${e.broadcast}/${prefixOf(now)}`, `${hostOf(now)}/0`][(pick2 >> 2) % 7]!;
        setIn(p, path, bad);
        return done({ kind, profile: p, path: pathString(path) });
      }
      case 'duplicate-address': {
        const j = i === 0 ? 1 : i;
        const first = pick2 % j;
        ups[j]!.address = ups[first]!.address;
        // with a gateway: two direct links on one address in equalize mode are seed 000 (a warning)
        ups[j]!.gateway = ups[first]!.gateway ?? hostOf(ups[first]!.address).replace(/\.\d+$/, '.2');
        return done({ kind, profile: p, path: pathString(['uplinks', j, 'address']) });
      }
      case 'bond-conflict': {
        if (base.mode !== 'teql') {
          p.mode = 'teql';
          p.bond = { interface: 'teql0', address: '203.0.113.1/29', gateway: '203.0.113.6' };
          for (const u of ups) delete u.nat;
        }
        const b = p.bond as Obj;
        const withGw = ups.filter((u) => u.gateway !== undefined);
        const k = pick2 % 3;
        if (k === 0 || withGw.length === 0) {
          b.address = `${hostOf(ups[i]!.address)}/29`;
          return done({ kind, profile: p, path: 'bond.address' });
        }
        if (k === 1) {
          b.address = `${String(withGw[pick % withGw.length]!.gateway)}/29`;
          return done({ kind, profile: p, path: 'bond.address' });
        }
        p.lan = { interface: 'lan9', address: '203.0.113.100/24' };
        return done({ kind, profile: p, path: 'lan.address' });
      }
      case 'bad-probe': {
        const u = ups[i]!;
        const other = ups[(i + 1) % n]!;
        u.probe = [[hostOf(u.address), hostOf(other.address), '0.0.0.0', '127.0.0.1', '255.255.255.255', edgesOf(u.address).broadcast, '224.0.0.1'][pick2 % 7]];
        return done({ kind, profile: p, path: pathString(['uplinks', i, 'probe', 0]) });
      }
      case 'bad-mac': {
        const k = pick2 % 4;
        if (k === 3) {
          const j = i === 0 ? 1 : i;
          const first = pick2 % j;
          ups[first]!.mac = '02:00:5e:10:00:01';
          ups[j]!.mac = '02:00:5E:10:00:01';
          return done({ kind, profile: p, path: pathString(['uplinks', j, 'mac']) });
        }
        ups[i]!.mac = ['ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:fb', '00:00:00:00:00:00'][k];
        return done({ kind, profile: p, path: pathString(['uplinks', i, 'mac']) });
      }
      case 'yaml-duplicate-key':
        return done({ kind, profile: p, text: `mode: ${base.mode}\n`, path: '' });
      case 'yaml-tab':
        return done({ kind, profile: p, text: '\t', path: '' });
    }
    throw new Error(`unknown mutation ${String(kind)}`);
  });
