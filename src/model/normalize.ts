/**
 * Profile (as written, validated) -> Model (every default resolved, every
 * address parsed, every table and rule priority allocated).
 */
import ipaddr from 'ipaddr.js';
import type { Profile } from '../profile/schema.js';
import { durationMs } from '../profile/schema.js';
import type { Bond, Cidr, Model, NatKind, Policy, PortRange, Pppoe, Uplink } from './model.js';
import { DEFAULTS } from '../profile/defaults.js';


export function parseCidr(s: string): Cidr {
  const [addr, prefix] = ipaddr.IPv4.parseCIDR(s) as [ipaddr.IPv4, number];
  const network = ipaddr.IPv4.networkAddressFromCIDR(s).toString();
  const netmask = ipaddr.IPv4.subnetMaskFromPrefixLength(prefix).toString();
  const broadcast = prefix <= 30 ? ipaddr.IPv4.broadcastAddressFromCIDR(s).toString() : undefined;
  return { cidr: `${addr.toString()}/${prefix}`, address: addr.toString(), prefix, netmask, network, networkCidr: `${network}/${prefix}`, broadcast };
}

function overlaps(a: Cidr, dest: string): boolean {
  if (dest === 'default') return false;
  const [d, p] = ipaddr.IPv4.parseCIDR(dest) as [ipaddr.IPv4, number];
  return ipaddr.IPv4.parse(a.address).match(d, Math.min(p, a.prefix));
}

/** Tables: explicit ones first, then base+1+i when free, else the next free id. */
function allocateTables(p: Profile, base: number, multipathTable: number): number[] {
  const used = new Set<number>([253, 254, 255, multipathTable]);
  for (const u of p.uplinks) if (u.table !== undefined) used.add(u.table);
  return p.uplinks.map((u, i) => {
    if (u.table !== undefined) return u.table;
    let t = base + 1 + i;
    while (used.has(t)) t++;
    used.add(t);
    return t;
  });
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function portRange(v: number | string): PortRange {
  if (typeof v === 'number') return { from: v, to: v };
  const [a, b] = v.split('-').map(Number) as [number, number];
  return { from: a, to: b };
}

const subnetOf = (v: string): string => parseCidr(v.includes('/') ? v : `${v}/32`).networkCidr;

function policies(p: Profile): Policy[] {
  return (p.policies ?? []).map((x, index) => ({
    name: x.name,
    index,
    protocol: x.match.protocol,
    dport: asList(x.match.dport).map(portRange),
    sport: asList(x.match.sport).map(portRange),
    src: asList(x.match.src).map(subnetOf),
    dst: asList(x.match.dst).map(subnetOf),
    uplinks: x.uplinks,
    fallback: x.fallback ?? DEFAULTS.policyFallback,
  }));
}

/** PPPoE's 8 bytes of header inside an Ethernet MTU of 1500 (RFC 2516) */
const PPPOE_MTU = 1492;

export function normalize(p: Profile, source: string): Model {
  const routing = p.routing ?? {};
  const base = routing.rule_priority_base ?? DEFAULTS.rulePriorityBase;
  const multipathTable = routing.multipath_table ?? DEFAULTS.multipathTable;
  const hash = routing.hash ?? DEFAULTS.hash;
  const topNat: NatKind = p.nat ?? DEFAULTS.nat;
  const routes = (p.routes ?? ['default']).map((r) => (r === 'default' ? r : parseCidr(r).networkCidr));
  const tables = allocateTables(p, base, multipathTable);
  const n = p.uplinks.length;
  const targets = p.keepalive?.targets ?? [...DEFAULTS.targets];

  let pppUnit = 0;
  const uplinks: Uplink[] = p.uplinks.map((u, i) => {
    const addressing = u.address === 'dhcp' || u.address === 'pppoe' ? u.address : 'static';
    const address = addressing === 'static' ? parseCidr(u.address) : undefined;
    const probeDefault = u.gateway ? [u.gateway] : p.mode === 'teql' && p.bond ? [p.bond.gateway] : [];
    let pppoe: Pppoe | undefined;
    if (addressing === 'pppoe' && u.pppoe) {
      const device = u.pppoe.device ?? `ppp${pppUnit}`;
      pppUnit++;
      pppoe = {
        username: u.pppoe.username,
        password: u.pppoe.password,
        passwordFile: u.pppoe.password_file,
        service: u.pppoe.service || undefined,
        device,
        unit: Number(device.slice(3)),
      };
    }
    return {
      index: i,
      name: u.name,
      interface: u.interface,
      addressing,
      device: pppoe?.device ?? u.interface,
      address,
      pppoe,
      gateway: u.gateway,
      onlink: u.onlink ?? false,
      weight: u.weight ?? 1,
      mac: u.mac?.toLowerCase(),
      mtu: u.mtu ?? (addressing === 'pppoe' ? PPPOE_MTU : undefined),
      table: tables[i]!,
      rulePriority: base + 1 + i,
      ruleFrom: address ? `${address.address}/32` : undefined,
      noPrefixRoute: address !== undefined && routes.some((r) => overlaps(address, r)),
      nat: p.mode === 'teql' ? 'none' : (u.nat ?? topNat),
      probe: u.probe ?? probeDefault,
      probeGateway: addressing !== 'static' && u.probe === undefined,
      far: u.probe ? [] : targets,
      tier: u.tier ?? DEFAULTS.tier,
    };
  });

  let bond: Bond | undefined;
  if (p.mode === 'teql' && p.bond) {
    const mtus = uplinks.map((u) => u.mtu).filter((m): m is number => m !== undefined);
    bond = {
      interface: p.bond.interface,
      index: parseInt(p.bond.interface.slice(4), 10),
      address: parseCidr(p.bond.address),
      gateway: p.bond.gateway,
      mtu: mtus.length > 0 ? Math.min(...mtus) : undefined,
      nat: topNat,
    };
  }

  const rpFilter = p.sysctl?.rp_filter ?? DEFAULTS.rpFilter;
  const ka = p.keepalive ?? {};
  const warnings: string[] = [];
  if (p.mode === 'equalize')
    warnings.push('equalize: kernels since 3.6 ignore the equalize flag (rtnetlink.h marks RTM_F_EQUALIZE "NI": unimplemented) and iproute2 6.x refuses the keyword; scripts try it and fall back to the plain route, which balances per flow like multipath. Use mode: teql for per-packet balancing.');

  return {
    name: p.name,
    description: p.description,
    source,
    mode: p.mode,
    lan: p.lan ? { interface: p.lan.interface, address: parseCidr(p.lan.address) } : undefined,
    uplinks,
    bond,
    routes,
    routing: {
      multipathTable,
      rulePriorityBase: base,
      mainRulePriority: base,
      multipathRulePriority: base + Math.max(22, n + 1),
      prohibitFallback: routing.prohibit_fallback ?? DEFAULTS.prohibitFallback,
      hash,
      hashPolicy: hash === 'l4' ? 1 : 0,
      pinFlows: p.mode !== 'teql' && (p.firewall ?? DEFAULTS.firewall) !== 'none' && (routing.pin_flows ?? DEFAULTS.pinFlows),
    },
    policies: policies(p),
    nat: topNat,
    firewall: p.firewall ?? DEFAULTS.firewall,
    sysctl: {
      rpFilter,
      rpFilterValue: rpFilter === 'loose' ? 2 : rpFilter === 'strict' ? 1 : 0,
      forwarding: p.sysctl?.forwarding ?? DEFAULTS.forwarding,
    },
    keepalive: {
      enabled: ka.enabled ?? DEFAULTS.keepalive.enabled,
      method: ka.method ?? DEFAULTS.keepalive.method,
      intervalMs: durationMs(ka.interval ?? DEFAULTS.keepalive.interval),
      timeoutMs: durationMs(ka.timeout ?? DEFAULTS.keepalive.timeout),
      down: ka.down ?? DEFAULTS.keepalive.down,
      up: ka.up ?? DEFAULTS.keepalive.up,
      targets,
    },
    package: {
      name: p.package?.name ?? `mpgen-${p.name}`,
      version: p.package?.version ?? DEFAULTS.packageVersion,
      release: DEFAULTS.packageRelease,
      // .invalid says plainly that nobody reads it; set package.maintainer for real packages.
      maintainer: p.package?.maintainer ?? `Network Administrator <netadmin@${p.name}.invalid>`,
      defaultEpoch: DEFAULTS.epoch,
    },
    warnings,
  };
}
