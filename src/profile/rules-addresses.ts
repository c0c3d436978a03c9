/**
 * The rules on addresses: host addresses, gateways, probe targets and MACs that the kernel refuses,
 * or accepts and that can never work (docs/addresses.md has the kernel's verdict for each class).
 */
import ipaddr from 'ipaddr.js';
import { IPV4_RE, MAC_RE } from './schema.js';
import { isObj, isDynamic, asArray, cidr, ip, networkOf, overlaps, shown, uplinksOf, ZERONET, LOOPBACK, MULTICAST, CLASS_E, notUnicast, edges, hostRange, localAddresses, type Finding, type Raw, type Rule } from './rules-support.js';

/**
 * Host addresses (uplinks, lan, bond) the kernel cannot use as one: the classes of notUnicast, the
 * network and broadcast addresses of the subnet (prefix < 31), and a subnet that starts in 0.0.0.0/8,
 * for which the kernel adds no connected route (so no gateway on it is reachable).
 */
export const hostAddresses: Rule = (p) => {
  const out: Finding[] = [];
  for (const l of localAddresses(p)) {
    const [a, prefix] = l.cidr;
    const written = `${a.toString()}/${prefix}`;
    const bad = notUnicast(a);
    const e = edges(l.cidr);
    const fix = (): string => `Use this host's unicast address on the link${e ? ` (in ${networkOf(l.cidr)}: ${hostRange(l.cidr)})` : ''}`;
    if (bad) out.push({ path: l.path, message: `${a.toString()} is ${bad.what}: ${bad.why}`, hint: 'Use this host\'s unicast address on the link, as the provider assigned it' });
    else if ((a.octets[0]! & ((0xff << (8 - Math.min(prefix, 8))) & 0xff)) === 0) // the subnet's network address is in 0.0.0.0/8
      out.push({
        path: l.path,
        message: `${written}: the subnet ${networkOf(l.cidr)} starts in 0.0.0.0/8, for which the kernel adds no connected route`,
        hint: 'Use the prefix of the link, such as /30 or /24',
      });
    else if (e && a.toString() === e.network)
      out.push({ path: l.path, message: `${a.toString()} is the network address of ${networkOf(l.cidr)}, not a host address`, hint: `${fix()}, or a /31 for a point-to-point link (RFC 3021)` });
    else if (e && a.toString() === e.broadcast)
      out.push({ path: l.path, message: `${a.toString()} is the broadcast address of ${networkOf(l.cidr)}, not a host address`, hint: `${fix()}, or a /31 for a point-to-point link (RFC 3021)` });
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
  // the hint is built only for a finding: most gateways have none, and it parses the subnet twice
  let hint: string | undefined;
  const fixText = (): string => (hint ??= `The gateway is the router's unicast address on the link${own ? ` (in ${networkOf(own)}: ${hostRange(own)}, other than this host's ${own[0].toString()})` : ''}`);
  if (gw === '0.0.0.0') return { message: '0.0.0.0 is not a gateway: ip(8) reads "via 0.0.0.0" as no gateway at all', hint: 'For a direct link leave out gateway (and add probe: [PEER_ADDRESS]); else write the router\'s address' };
  const bad = notUnicast(g);
  if (bad) return { message: `${gw} is ${bad.what}: ${bad.why}`, hint: fixText() };
  for (const l of localAddresses(p)) {
    if (l.cidr[0].toString() === gw) {
      const whose = l.label !== ownLabel ? `this host's own address on ${l.label}` : ownLabel === 'the bond' ? "the bond's own address" : "this host's own address on the link";
      return { message: `${gw} is ${whose}: the kernel delivers packets for it locally, so no router is ever reached`, hint: fixText() };
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
        hint: fixText(),
      };
    }
  }
  const e = own && edges(own);
  if (own && e && e.network === gw) return { message: `${gw} is the network address of ${networkOf(own)}, not a router's address`, hint: fixText() };
  return undefined;
}

export const gatewayUnicast: Rule = (p) => {
  const out: Finding[] = [];
  uplinksOf(p).forEach((u, i) => {
    const g = ip(u.gateway);
    if (!g || isDynamic(u)) return; // a dynamic uplink's gateway is refused (dynamicGateway)
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
export const balancedSubnetGateway: Rule = (p) => {
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
export const uniqueAddresses: Rule = (p) => {
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
export const bondDisjoint: Rule = (p) => {
  if (!isObj(p.bond)) return [];
  const b = cidr(p.bond.address);
  if (!b) return [];
  const out: Finding[] = [];
  const a = b[0].toString();
  uplinksOf(p).forEach((u, i) => {
    const c = cidr(u.address);
    if (c && c[0].toString() === a)
      out.push({ path: ['bond', 'address'], message: `${a} is already the address of uplinks[${i}]`, hint: "The bond carries an address of its own (the shared public address), not an uplink's management address" });
    if (typeof u.gateway === 'string' && u.gateway === a && !isDynamic(u))
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
export const macs: Rule = (p) => {
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

export const probes: Rule = (p) => {
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
    // a dynamic uplink without probe: is probed at the gateway of its lease or session
    if (enabled && u.gateway === undefined && u.probe === undefined && p.mode !== 'teql' && !isDynamic(u))
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
