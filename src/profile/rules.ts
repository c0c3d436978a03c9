/**
 * Cross-field rules of the profile (docs/profile.md, "Rules across keys"). Each named rule reads the raw parsed value
 * defensively (fields may have failed the schema) and reports findings with a
 * key path; the loader turns paths into file:line:col.
 */
import ipaddr from 'ipaddr.js';
import { quote } from '../base/printable.js';
import { CIDR_RE, IPV4_RE, MAC_RE, durationMs, DURATION_RE } from './schema.js';

export type KeyPath = Array<string | number>;

export interface Finding {
  path: KeyPath;
  message: string;
  hint?: string;
  severity?: 'error' | 'warning';
  /** point at the key instead of the value */
  at?: 'key';
}

type Raw = Record<string, unknown>;
type Rule = (p: Raw) => Finding[];

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const cidr = (v: unknown): [ipaddr.IPv4, number] | undefined =>
  typeof v === 'string' && CIDR_RE.test(v) ? (ipaddr.IPv4.parseCIDR(v) as [ipaddr.IPv4, number]) : undefined;
const ip = (v: unknown): ipaddr.IPv4 | undefined => (typeof v === 'string' && IPV4_RE.test(v) ? ipaddr.IPv4.parse(v) : undefined);

function networkOf([addr, prefix]: [ipaddr.IPv4, number]): string {
  return `${ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${prefix}`).toString()}/${prefix}`;
}

function overlaps(a: [ipaddr.IPv4, number], b: [ipaddr.IPv4, number]): boolean {
  const p = Math.min(a[1], b[1]);
  return a[0].match(b[0], p);
}

/** A raw value as a message quotes it: strings quoted and escaped (printable.ts), others described. */
const shown = (v: unknown): string =>
  typeof v === 'string' ? quote(v.length > 60 ? `${v.slice(0, 60)}…` : v) : typeof v === 'number' || typeof v === 'boolean' || v === null ? String(v) : Array.isArray(v) ? 'a list' : 'a mapping';

const uplinksOf = (p: Raw): Raw[] => asArray(p.uplinks).map((u) => (isObj(u) ? u : {}));

// ------------------------------------------------------------ what the kernel calls an address
// Checked against Linux 6.x in a namespace (test/property/kernel-gateways.test.ts): `ip addr add`
// then `ip route add default via GW dev D [onlink] table T`, the commands the rendered config runs.

const V4 = (s: string): ipaddr.IPv4 => ipaddr.IPv4.parse(s);
const ZERONET = V4('0.0.0.0');
const LOOPBACK = V4('127.0.0.0');
const MULTICAST = V4('224.0.0.0');
const CLASS_E = V4('240.0.0.0');

/**
 * The ranges that are never a unicast host on a link, each with why: the kernel refuses a gateway
 * there ("Nexthop has invalid gateway"), or accepts it and it can never work.
 */
function notUnicast(a: ipaddr.IPv4): { what: string; why: string } | undefined {
  if (a.match(ZERONET, 8)) return { what: 'in 0.0.0.0/8, "this network"', why: 'such addresses are only ever a source (RFC 1122 3.2.1.3); nothing on a link answers for them' };
  if (a.match(LOOPBACK, 8)) return { what: 'a loopback address (127.0.0.0/8)', why: 'it never leaves the host (the kernel drops it on a link as a martian)' };
  if (a.match(MULTICAST, 4)) return { what: 'a multicast address (224.0.0.0/4)', why: 'the kernel refuses it as a gateway and as the source of a route' };
  if (a.toString() === '255.255.255.255') return { what: 'the limited broadcast address', why: 'it reaches every host on the link and is nobody\'s address' };
  if (a.match(CLASS_E, 4)) return { what: 'in 240.0.0.0/4', why: 'that block is reserved (RFC 1112, RFC 6890) and routers other than Linux drop it' };
  return undefined;
}

/** Network and broadcast addresses of a subnet with prefix < 31 (a /31 is a point-to-point link, RFC 3021; a /32 has neither). */
function edges(c: [ipaddr.IPv4, number]): { network: string; broadcast: string } | undefined {
  if (c[1] > 30) return undefined;
  const s = `${c[0].toString()}/${c[1]}`;
  return { network: ipaddr.IPv4.networkAddressFromCIDR(s).toString(), broadcast: ipaddr.IPv4.broadcastAddressFromCIDR(s).toString() };
}

/** The usable host range of a subnet, for hints: "192.0.2.1 to 192.0.2.6". */
function hostRange(c: [ipaddr.IPv4, number]): string {
  const s = `${c[0].toString()}/${c[1]}`;
  const net = ipaddr.IPv4.networkAddressFromCIDR(s).toByteArray();
  const bc = ipaddr.IPv4.broadcastAddressFromCIDR(s).toByteArray();
  if (c[1] >= 31) return `${new ipaddr.IPv4(net).toString()} to ${new ipaddr.IPv4(bc).toString()}`;
  net[3] = net[3]! + 1;
  bc[3] = bc[3]! - 1;
  return `${new ipaddr.IPv4(net).toString()} to ${new ipaddr.IPv4(bc).toString()}`;
}

/** Every address and subnet this host configures: the uplinks', the lan's and the bond's. */
interface Local {
  label: string;
  path: KeyPath;
  cidr: [ipaddr.IPv4, number];
}
const localsOf = new WeakMap<Raw, Local[]>();
function localAddresses(p: Raw): Local[] {
  const known = localsOf.get(p);
  if (known) return known;
  const out: Local[] = [];
  localsOf.set(p, out);
  uplinksOf(p).forEach((u, i) => {
    const c = cidr(u.address);
    if (c) out.push({ label: `uplinks[${i}]`, path: ['uplinks', i, 'address'], cidr: c });
  });
  if (isObj(p.lan)) {
    const c = cidr(p.lan.address);
    if (c) out.push({ label: 'the lan', path: ['lan', 'address'], cidr: c });
  }
  if (isObj(p.bond)) {
    const c = cidr(p.bond.address);
    if (c) out.push({ label: 'the bond', path: ['bond', 'address'], cidr: c });
  }
  return out;
}

const bondPresence: Rule = (p) => {
  if (p.mode === 'teql' && p.bond === undefined)
    return [{ path: ['mode'], message: 'teql mode needs a bond', hint: 'Add bond: {interface: teql0, address: ADDR/PREFIX, gateway: GW}, or use mode: multipath' }];
  if (p.mode !== undefined && p.mode !== 'teql' && p.bond !== undefined)
    return [{ path: ['bond'], at: 'key', message: `bond is only used in teql mode, and mode is ${typeof p.mode === 'string' && /^[a-z]{1,20}$/.test(p.mode) ? p.mode : shown(p.mode)}`, hint: 'Remove the bond section, or set mode: teql' }];
  return [];
};

const uniqueNames: Rule = (p) => {
  const out: Finding[] = [];
  const seen = new Map<string, number>();
  uplinksOf(p).forEach((u, i) => {
    if (typeof u.name !== 'string') return;
    const first = seen.get(u.name);
    if (first !== undefined)
      out.push({ path: ['uplinks', i, 'name'], message: `${shown(u.name)} is already the name of uplinks[${first}]`, hint: 'Give every uplink a unique name' });
    else seen.set(u.name, i);
  });
  return out;
};

const uniqueInterfaces: Rule = (p) => {
  const out: Finding[] = [];
  const seen = new Map<string, string>();
  const claim = (name: unknown, path: KeyPath, label: string) => {
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first !== undefined) out.push({ path, message: `interface ${shown(name)} is already used by ${first}`, hint: 'Each uplink, the lan and the bond need their own interface' });
    else seen.set(name, label);
  };
  if (isObj(p.lan)) claim(p.lan.interface, ['lan', 'interface'], 'lan');
  if (isObj(p.bond)) claim(p.bond.interface, ['bond', 'interface'], 'bond');
  uplinksOf(p).forEach((u, i) => claim(u.interface, ['uplinks', i, 'interface'], `uplinks[${i}]`));
  return out;
};

const gatewayInSubnet: Rule = (p) => {
  const out: Finding[] = [];
  uplinksOf(p).forEach((u, i) => {
    const c = cidr(u.address);
    const g = ip(u.gateway);
    if (!c || !g || u.onlink === true) return;
    if (notUnicast(g) || notUnicast(c[0])) return; // gatewayUnicast or hostAddresses says what it is
    if (!g.match(c[0], c[1]))
      out.push({
        path: ['uplinks', i, 'gateway'],
        message: `${String(u.gateway)} is not inside ${networkOf(c)}`,
        hint: "Put the gateway in the uplink's subnet or set onlink: true",
      });
  });
  return out;
};

/**
 * Host addresses (uplinks, lan, bond) the kernel cannot use as one: the classes of notUnicast, the
 * network and broadcast addresses of the subnet (prefix < 31), and a subnet that starts in 0.0.0.0/8,
 * for which the kernel adds no connected route (so no gateway on it is reachable).
 */
const hostAddresses: Rule = (p) => {
  const out: Finding[] = [];
  for (const l of localAddresses(p)) {
    const [a, prefix] = l.cidr;
    const written = `${a.toString()}/${prefix}`;
    const bad = notUnicast(a);
    const e = edges(l.cidr);
    const fix = `Use this host's unicast address on the link${e ? ` (in ${networkOf(l.cidr)}: ${hostRange(l.cidr)})` : ''}`;
    if (bad) out.push({ path: l.path, message: `${a.toString()} is ${bad.what}: ${bad.why}`, hint: 'Use this host\'s unicast address on the link, as the provider assigned it' });
    else if (ipaddr.IPv4.networkAddressFromCIDR(written).match(ZERONET, 8))
      out.push({
        path: l.path,
        message: `${written}: the subnet ${networkOf(l.cidr)} starts in 0.0.0.0/8, for which the kernel adds no connected route`,
        hint: 'Use the prefix of the link, such as /30 or /24',
      });
    else if (e && a.toString() === e.network)
      out.push({ path: l.path, message: `${a.toString()} is the network address of ${networkOf(l.cidr)}, not a host address`, hint: `${fix}, or a /31 for a point-to-point link (RFC 3021)` });
    else if (e && a.toString() === e.broadcast)
      out.push({ path: l.path, message: `${a.toString()} is the broadcast address of ${networkOf(l.cidr)}, not a host address`, hint: `${fix}, or a /31 for a point-to-point link (RFC 3021)` });
  }
  return out;
};

/**
 * Next hops the kernel refuses ("Nexthop has invalid gateway": a broadcast or local address, with or
 * without onlink; multicast, loopback), or accepts but that no router can hold: 0.0.0.0/8, 240.0.0.0/4,
 * the network address of the uplink's own subnet, and a local address reached without onlink (the
 * kernel delivers it to this host). The bond's gateway is always reached onlink through teqlN.
 */
function gatewayProblem(p: Raw, g: ipaddr.IPv4, onlink: boolean, own: [ipaddr.IPv4, number] | undefined, ownLabel: string): Omit<Finding, 'path'> | undefined {
  const gw = g.toString();
  const ownFix = own ? ` (in ${networkOf(own)}: ${hostRange(own)}, other than this host's ${own[0].toString()})` : '';
  const fix = `The gateway is the router's unicast address on the link${ownFix}`;
  if (gw === '0.0.0.0') return { message: '0.0.0.0 is not a gateway: ip(8) reads "via 0.0.0.0" as no gateway at all', hint: 'For a direct link leave out gateway (and add probe: [PEER_ADDRESS]); else write the router\'s address' };
  const bad = notUnicast(g);
  if (bad) return { message: `${gw} is ${bad.what}: ${bad.why}`, hint: fix };
  for (const l of localAddresses(p)) {
    if (l.cidr[0].toString() === gw) {
      const whose = l.label !== ownLabel ? `this host's own address on ${l.label}` : ownLabel === 'the bond' ? "the bond's own address" : "this host's own address on the link";
      return { message: `${gw} is ${whose}: the kernel delivers packets for it locally, so no router is ever reached`, hint: fix };
    }
  }
  for (const l of localAddresses(p)) {
    const e = edges(l.cidr);
    if (e && e.broadcast === gw) {
      // another device's broadcast inside this uplink's (overlapping) subnet passes without onlink,
      // but the neighbour is the Ethernet broadcast
      const refused = l.label === ownLabel || onlink || !own || !g.match(own[0], own[1]);
      return {
        message: `${gw} is the broadcast address of ${l.label === ownLabel ? networkOf(l.cidr) : `${l.label}'s subnet ${networkOf(l.cidr)}`}: ${refused ? 'the kernel refuses it (Nexthop has invalid gateway)' : 'packets for it would go to every host on the link'}`,
        hint: fix,
      };
    }
  }
  const e = own && edges(own);
  if (own && e && e.network === gw) return { message: `${gw} is the network address of ${networkOf(own)}, not a router's address`, hint: fix };
  return undefined;
}

const gatewayUnicast: Rule = (p) => {
  const out: Finding[] = [];
  uplinksOf(p).forEach((u, i) => {
    const g = ip(u.gateway);
    if (!g) return;
    const found = gatewayProblem(p, g, u.onlink === true, cidr(u.address), `uplinks[${i}]`);
    if (found) out.push({ path: ['uplinks', i, 'gateway'], ...found });
  });
  if (isObj(p.bond)) {
    const g = ip(p.bond.gateway);
    const found = g && gatewayProblem(p, g, true, cidr(p.bond.address), 'the bond');
    if (found) out.push({ path: ['bond', 'gateway'], ...found, hint: 'The bond gateway is the address common to every router, reached onlink through the bond' });
  }
  return out;
};

/**
 * A balanced destination that covers an uplink's subnet puts that uplink's address in without its
 * connected route (noprefixroute, seed 000), and without that route the kernel refuses a gateway
 * reached without onlink ("Nexthop has invalid gateway").
 */
const balancedSubnetGateway: Rule = (p) => {
  const out: Finding[] = [];
  const dests = asArray(p.routes).map((r, k) => [cidr(r), k] as const);
  uplinksOf(p).forEach((u, i) => {
    const c = cidr(u.address);
    const g = ip(u.gateway);
    if (!c || !g || u.onlink === true || !g.match(c[0], c[1])) return;
    for (const [d, k] of dests) {
      if (!d || d[1] === 0 || !c[0].match(d[0], Math.min(d[1], c[1]))) continue;
      out.push({
        path: ['uplinks', i, 'gateway'],
        message: `routes[${k}] (${networkOf(d)}) covers this uplink's subnet ${networkOf(c)}, so its address is added without the connected route, and the kernel then refuses ${g.toString()} as a gateway (Nexthop has invalid gateway)`,
        hint: 'Set onlink: true on this uplink, or balance destinations outside its subnet',
      });
      return;
    }
  });
  return out;
};

/**
 * One host address per uplink: the `from ADDR/32` rule of a second uplink with it can never match, so
 * its table (and the probes bound to ADDR) go through the first one's. The one shape kept is seed 000:
 * equalize between two hosts over direct links that carry one address; it gets a warning.
 */
const uniqueAddresses: Rule = (p) => {
  const out: Finding[] = [];
  const seen = new Map<string, number>();
  const ups = uplinksOf(p);
  ups.forEach((u, i) => {
    const c = cidr(u.address);
    if (!c) return;
    const a = c[0].toString();
    const first = seen.get(a);
    if (first === undefined) {
      seen.set(a, i);
      return;
    }
    const seed000 = p.mode === 'equalize' && u.gateway === undefined && ups[first]!.gateway === undefined;
    out.push(
      seed000
        ? {
            severity: 'warning',
            path: ['uplinks', i, 'address'],
            message: `${a} is also the address of uplinks[${first}] (host-to-host equalize): this uplink's rule "from ${a}/32" never matches, so traffic bound to ${a}, and ping probes, leave through uplinks[${first}]'s table`,
            hint: 'Set keepalive: {method: arping}, which probes through each device, or give every uplink its own address',
          }
        : {
            path: ['uplinks', i, 'address'],
            message: `${a} is already the address of uplinks[${first}]: this uplink's rule "from ${a}/32" could never match, as the first one's wins`,
            hint: 'Give every uplink its own address (uplinks that share a subnet on purpose each have one)',
          },
    );
  });
  return out;
};

/** The teql bond against the lan and the uplinks: its own subnet, not a router's or an uplink's address. */
const bondDisjoint: Rule = (p) => {
  if (!isObj(p.bond)) return [];
  const b = cidr(p.bond.address);
  if (!b) return [];
  const out: Finding[] = [];
  const a = b[0].toString();
  uplinksOf(p).forEach((u, i) => {
    const c = cidr(u.address);
    if (c && c[0].toString() === a)
      out.push({ path: ['bond', 'address'], message: `${a} is already the address of uplinks[${i}]`, hint: "The bond carries an address of its own (the shared public address), not an uplink's management address" });
    if (typeof u.gateway === 'string' && u.gateway === a)
      out.push({ path: ['bond', 'address'], message: `${a} is the gateway of uplinks[${i}]: that router answers for it, so replies to the bond would go to the router`, hint: "The bond carries an address of its own (the shared public address), not a router's" });
  });
  if (isObj(p.lan)) {
    const l = cidr(p.lan.address);
    if (l && overlaps(l, b))
      out.push({ path: ['lan', 'address'], message: `${String(p.lan.address)} overlaps the bond (${String(p.bond.address)})`, hint: 'The lan needs a subnet of its own, apart from the bond\'s' });
  }
  return out;
};

/** MACs pin one NIC each: unique, and a unicast station address (not broadcast, multicast or zero). */
const macs: Rule = (p) => {
  const out: Finding[] = [];
  const seen = new Map<string, number>();
  uplinksOf(p).forEach((u, i) => {
    if (typeof u.mac !== 'string' || !MAC_RE.test(u.mac)) return;
    const mac = u.mac.toLowerCase();
    const path = ['uplinks', i, 'mac'];
    const first = seen.get(mac);
    if (first !== undefined) out.push({ path, message: `${u.mac} is already the mac of uplinks[${first}]`, hint: 'Each uplink pins its own NIC: give every one its own MAC, or leave mac out' });
    else seen.set(mac, i);
    if (mac === 'ff:ff:ff:ff:ff:ff') out.push({ path, message: `${u.mac} is the broadcast MAC address, no NIC's`, hint: 'Write the NIC\'s own MAC (ip link show), or leave mac out' });
    else if ((parseInt(mac.slice(0, 2), 16) & 1) === 1) out.push({ path, message: `${u.mac} is a multicast MAC address (the lowest bit of the first octet is set), no NIC's`, hint: 'Write the NIC\'s own MAC (ip link show), or leave mac out' });
    else if (mac === '00:00:00:00:00:00') out.push({ path, message: `${u.mac} is the all-zero MAC address, no NIC's`, hint: 'Write the NIC\'s own MAC (ip link show), or leave mac out' });
  });
  return out;
};

const subnetsDisjoint: Rule = (p) => {
  if (p.mode !== 'multipath') return [];
  const out: Finding[] = [];
  const ups = uplinksOf(p);
  ups.forEach((u, i) => {
    const a = cidr(u.address);
    if (!a) return;
    for (let j = 0; j < i; j++) {
      const other = ups[j]!;
      const b = cidr(other.address);
      if (!b || !overlaps(a, b)) continue;
      if (u.onlink === true && other.onlink === true) continue;
      if (a[0].toString() === b[0].toString()) continue; // uniqueAddresses says it better
      out.push({
        path: ['uplinks', i, 'address'],
        message: `${String(u.address)} overlaps uplinks[${j}] (${String(other.address)})`,
        hint: 'In multipath mode uplink subnets must not overlap; if they share a subnet on purpose (several lines in one provider subnet), set onlink: true on both',
      });
    }
  });
  return out;
};

const lanDisjoint: Rule = (p) => {
  if (!isObj(p.lan)) return [];
  const l = cidr(p.lan.address);
  if (!l) return [];
  const out: Finding[] = [];
  uplinksOf(p).forEach((u, i) => {
    const a = cidr(u.address);
    if (a && overlaps(a, l))
      out.push({ path: ['lan', 'address'], message: `${String(p.lan && (p.lan as Raw).address)} overlaps uplinks[${i}] (${String(u.address)})`, hint: 'The lan needs a subnet of its own' });
  });
  return out;
};

const teqlSlaves: Rule = (p) => {
  if (p.mode !== 'teql') return [];
  const out: Finding[] = [];
  uplinksOf(p).forEach((u, i) => {
    if (typeof u.interface === 'string' && /^(lo|teql\d*|ppp\d*|tun\d*|tap\d*|wg\d*|gre\d*|sit\d*|ip6tnl\d*)$/.test(u.interface))
      out.push({ path: ['uplinks', i, 'interface'], message: `${shown(u.interface)} is not an Ethernet-like device`, hint: 'teql slaves are the Ethernet links to the routers (such as eth2..eth5)' });
    if (u.nat !== undefined)
      out.push({ path: ['uplinks', i, 'nat'], at: 'key', message: 'per-uplink NAT has no effect in teql mode: outgoing packets leave through the bond', hint: 'Remove it and set nat: at the top level; it applies to the bond' });
  });
  return out;
};

const tables: Rule = (p) => {
  const out: Finding[] = [];
  const mt = isObj(p.routing) && typeof p.routing.multipath_table === 'number' ? p.routing.multipath_table : 222;
  const seen = new Map<number, number>();
  uplinksOf(p).forEach((u, i) => {
    if (typeof u.table !== 'number') return;
    if (u.table === mt && p.mode !== 'teql')
      out.push({ path: ['uplinks', i, 'table'], message: `table ${u.table} is the multipath table`, hint: 'Pick another table, or move routing.multipath_table' });
    const first = seen.get(u.table);
    if (first !== undefined) out.push({ path: ['uplinks', i, 'table'], message: `table ${u.table} is already used by uplinks[${first}]`, hint: 'Every uplink needs its own table' });
    else seen.set(u.table, i);
  });
  return out;
};

const routes: Rule = (p) => {
  const out: Finding[] = [];
  const seen = new Set<string>();
  asArray(p.routes).forEach((r, i) => {
    if (typeof r !== 'string') return;
    let key = r;
    const c = cidr(r);
    if (c) {
      const net = networkOf(c);
      if (net !== r) out.push({ path: ['routes', i], message: `${r} has host bits set`, hint: `Did you mean ${net}?` });
      key = net;
      if (c[1] === 0) out.push({ path: ['routes', i], message: `${r} is the default route`, hint: 'Write default' });
    }
    if (seen.has(key)) out.push({ path: ['routes', i], message: `${c || r === "default" ? r : shown(r)} is listed twice`, hint: 'Remove the duplicate' });
    seen.add(key);
  });
  return out;
};

const natNeedsFirewall: Rule = (p) => {
  if (p.firewall !== 'none') return [];
  const wants = p.nat === 'masquerade' || p.nat === 'snat' || uplinksOf(p).some((u) => u.nat === 'masquerade' || u.nat === 'snat');
  return wants ? [{ path: ['firewall'], message: 'NAT is requested but firewall is none, so no NAT rule would be written', hint: 'Set firewall: nftables (or iptables), or nat: none' }] : [];
};

const priorities: Rule = (p) => {
  const base = isObj(p.routing) && typeof p.routing.rule_priority_base === 'number' ? p.routing.rule_priority_base : 200;
  const n = uplinksOf(p).length;
  const top = base + Math.max(22, n + 1);
  return top > 32765
    ? [{ path: ['routing', 'rule_priority_base'], message: `${base} leaves no room for ${n} uplink rules and the multipath rule below 32766 (main)`, hint: `Use at most ${32765 - Math.max(22, n + 1)}` }]
    : [];
};

const keepaliveTimes: Rule = (p) => {
  if (!isObj(p.keepalive)) return [];
  const out: Finding[] = [];
  for (const k of ['interval', 'timeout'] as const) {
    const v = p.keepalive[k];
    if (typeof v === 'string' && DURATION_RE.test(v)) {
      const ms = durationMs(v);
      if (ms < 100 || ms > 60000) out.push({ path: ['keepalive', k], message: `${v} is out of range`, hint: 'Use 100ms to 60s' });
    }
  }
  return out;
};

/**
 * Targets the keepalive could never use: a local address (or 0.0.0.0, 127/8) is answered by this host
 * itself, so a dead line is never taken out; a broadcast, multicast or reserved one is never answered
 * (icmp_echo_ignore_broadcasts), so the line never comes up.
 */
function probeProblem(p: Raw, t: unknown): Omit<Finding, 'path'> | undefined {
  const a = ip(t);
  if (!a) return undefined;
  const s = a.toString();
  const hint = 'Probe the router, or a far host that answers ping through this line (such as a public resolver)';
  if (a.match(ZERONET, 8) || a.match(LOOPBACK, 8)) {
    if (s === '0.0.0.0') return { message: '0.0.0.0 means this host: it answers the probe itself, so a dead line would never be taken out', hint };
    if (a.match(LOOPBACK, 8)) return { message: `${s} is a loopback address: this host answers it itself, so a dead line would never be taken out`, hint };
    return { message: `${s} is in 0.0.0.0/8, "this network", never a destination: the line would never come up`, hint };
  }
  for (const l of localAddresses(p))
    if (l.cidr[0].toString() === s) return { message: `${s} is this host's own address (${l.label}): this host answers it itself, so a dead line would never be taken out`, hint };
  if (s === '255.255.255.255' || localAddresses(p).some((l) => edges(l.cidr)?.broadcast === s))
    return { message: `${s} is a broadcast address: hosts do not answer pings to it (and ping refuses it), so the line would never come up`, hint };
  if (a.match(MULTICAST, 4)) return { message: `${s} is a multicast address: hosts do not answer pings to it, so the line would never come up`, hint };
  if (a.match(CLASS_E, 4)) return { message: `${s} is in the reserved 240.0.0.0/4: nothing on the Internet answers it, so the line would never come up`, hint };
  return undefined;
}

const probes: Rule = (p) => {
  const out: Finding[] = [];
  const ka = isObj(p.keepalive) ? p.keepalive : {};
  const enabled = ka.enabled !== false;
  uplinksOf(p).forEach((u, i) => {
    const list = asArray(u.probe);
    const dup = list.find((x, j) => list.indexOf(x) !== j);
    if (dup !== undefined) out.push({ path: ['uplinks', i, 'probe'], message: `${typeof dup === 'string' && IPV4_RE.test(dup) ? dup : shown(dup)} is listed twice`, hint: 'Remove the duplicate' });
    list.forEach((t, k) => {
      const why = probeProblem(p, t);
      if (why) out.push({ path: ['uplinks', i, 'probe', k], ...why });
    });
    if (enabled && u.gateway === undefined && u.probe === undefined && p.mode !== 'teql')
      out.push({
        severity: 'warning',
        path: ['uplinks', i],
        at: 'key',
        message: 'direct link without probe: the keepalive has no target and will always consider this line up',
        hint: 'Add probe: [PEER_ADDRESS]',
      });
  });
  return out;
};

const equalizeWarning: Rule = (p) =>
  p.mode === 'equalize'
    ? [
        {
          severity: 'warning',
          path: ['mode'],
          message: 'kernels since 3.6 ignore the equalize flag (rtnetlink.h marks RTM_F_EQUALIZE "NI": unimplemented) and iproute2 6.x refuses the keyword: the route is installed with the flag where ip still accepts it, else without, and balances per flow like multipath',
          hint: 'For per-packet balancing use mode: teql',
        },
      ]
    : [];

export const RULES: Record<string, Rule> = {
  bondPresence,
  uniqueNames,
  uniqueInterfaces,
  gatewayInSubnet,
  hostAddresses,
  gatewayUnicast,
  balancedSubnetGateway,
  uniqueAddresses,
  subnetsDisjoint,
  lanDisjoint,
  bondDisjoint,
  teqlSlaves,
  macs,
  tables,
  routes,
  natNeedsFirewall,
  priorities,
  keepaliveTimes,
  probes,
  equalizeWarning,
};

export function runRules(p: unknown): Finding[] {
  if (!isObj(p)) return [];
  return Object.values(RULES).flatMap((r) => r(p));
}
