/**
 * Cross-field rules of the profile (docs/profile.md, "Rules across keys"). Each named rule reads the raw parsed value
 * defensively (fields may have failed the schema) and reports findings with a
 * key path; the loader turns paths into file:line:col.
 */
import { durationMs, DURATION_RE } from './schema.js';
import { isObj, asArray, cidr, ip, networkOf, overlaps, shown, uplinksOf, notUnicast, type KeyPath, type Finding, type Raw, type Rule } from './rules-support.js';
import { hostAddresses, gatewayUnicast, balancedSubnetGateway, uniqueAddresses, bondDisjoint, macs, probes } from './rules-addresses.js';
import { policyPorts, policyRefs, steeringNeedsMarks, targetsEmpty, tierWithoutKeepalive, tiers } from './rules-steering.js';
import { dynamicGateway, dynamicNat, dynamicNeedsKeepalive, dynamicTeql, inlinePassword, pppoeCredentials, pppoeDevices, pppoeMtu, pppoeSection } from './rules-dynamic.js';

export type { Finding, KeyPath } from './rules-support.js';

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
  policyRefs,
  policyPorts,
  steeringNeedsMarks,
  tiers,
  tierWithoutKeepalive,
  targetsEmpty,
  dynamicGateway,
  dynamicNat,
  dynamicNeedsKeepalive,
  dynamicTeql,
  pppoeSection,
  pppoeCredentials,
  pppoeDevices,
  pppoeMtu,
  inlinePassword,
};

export function runRules(p: unknown): Finding[] {
  if (!isObj(p)) return [];
  return Object.values(RULES).flatMap((r) => r(p));
}
