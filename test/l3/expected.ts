/**
 * The exact kernel state docs/kernel-state.md derives from a model, as
 * canonical one-line strings, and the same canonical form of what the kernel
 * reports (`ip -j` through src/check's readKernel). `mpgen check`
 * (src/check/checkKernel) asks "is every expected item there?"; this asks
 * "is the set of rules and routes exactly the expected one?", so an extra
 * rule, a duplicate, or a connected route that noprefixroute should have
 * kept out also fails.
 *
 * The `local` table (255) is left out: the kernel fills it from the addresses.
 */
import type { Model, Uplink } from '../../src/model/model.js';
import { routeProtocol, routeType, tableId, type IpNexthop, type IpRoute, type IpRule, type KernelSnapshot } from '../../src/check/snapshot.js';

const MAIN = 254;
const LOCAL = 255;
/** the three rules every IPv4 namespace starts with */
export const DEFAULT_RULES = ['0 from all lookup 255', '32766 from all lookup 254', '32767 from all lookup 253'];

export interface ExpectedState {
  rules: string[];
  /** table id -> canonical routes */
  routes: Record<number, string[]>;
  sysctl: Record<string, string>;
}

function nexthop(u: Uplink): string {
  return `nexthop${u.gateway ? ` via ${u.gateway}` : ''} dev ${u.interface} weight ${u.weight}${u.onlink && u.gateway ? ' onlink' : ''}`;
}

function push(routes: Record<number, string[]>, table: number, r: string): void {
  (routes[table] ??= []).push(r);
}

/** Kernel state after every uplink (and LAN, bond) is up, no keepalive intervention. */
export function expectedState(model: Model): ExpectedState {
  const rt = model.routing;
  const rules = [`${rt.mainRulePriority} from all lookup ${MAIN} suppress_prefixlength 0`, ...model.uplinks.map((u) => `${u.rulePriority} from ${u.ruleFrom!} lookup ${u.table}`)];
  // kernel-state.md, "Steering": one fwmark rule per uplink when connections are pinned or steered
  if (model.mode !== 'teql' && model.firewall !== 'none' && (rt.pinFlows || model.policies.length > 0))
    for (const u of model.uplinks) rules.push(`${u.rulePriority} from all lookup ${u.table} fwmark 0x${((u.index + 1) << 8).toString(16)}/0x3f00`);
  if (model.mode !== 'teql') rules.push(`${rt.multipathRulePriority} from all lookup ${rt.multipathTable}`);

  const routes: Record<number, string[]> = {};
  if (model.lan) push(routes, MAIN, `${model.lan.address.networkCidr} dev ${model.lan.interface} src ${model.lan.address.address} proto kernel scope link`);
  for (const u of model.uplinks) {
    if (!u.noPrefixRoute) push(routes, MAIN, `${u.address!.networkCidr} dev ${u.interface} src ${u.address!.address} proto kernel scope link`);
    if (u.onlink && u.gateway) push(routes, MAIN, `${u.gateway} dev ${u.interface} proto static scope link`);
    for (const d of model.routes) {
      push(routes, u.table, `${d}${u.gateway ? ` via ${u.gateway}` : ''} dev ${u.interface} src ${u.address!.address} proto static${u.gateway ? '' : ' scope link'}${u.onlink && u.gateway ? ' onlink' : ''}`);
      if (rt.prohibitFallback) push(routes, u.table, `prohibit ${d} proto static metric 1`);
    }
  }
  if (model.mode !== 'teql') {
    // the balance at boot: tier 1
    const tier1 = model.uplinks.filter((u) => u.tier === 1);
    for (const d of model.routes) {
      const only = tier1.length === 1 ? tier1[0] : undefined;
      // With one nexthop the kernel stores (and prints) a plain route, without the weight.
      if (only) push(routes, rt.multipathTable, `${d}${only.gateway ? ` via ${only.gateway}` : ''} dev ${only.interface} proto static${only.onlink && only.gateway ? ' onlink' : ''}`);
      else push(routes, rt.multipathTable, `${d} proto static ${tier1.map(nexthop).join(' ')}`);
    }
  }
  const b = model.bond;
  if (b) {
    push(routes, MAIN, `${b.address.networkCidr} dev ${b.interface} src ${b.address.address} proto kernel scope link`);
    for (const d of model.routes) push(routes, MAIN, `${d} via ${b.gateway} dev ${b.interface} proto static onlink`);
  }
  for (const k of Object.keys(routes)) routes[Number(k)]!.sort();

  const sysctl: Record<string, string> = { 'net.ipv4.conf.all.rp_filter': '0' };
  for (const u of model.uplinks) sysctl[`net.ipv4.conf.${u.interface}.rp_filter`] = String(model.sysctl.rpFilterValue);
  if (b) sysctl[`net.ipv4.conf.${b.interface}.rp_filter`] = String(model.sysctl.rpFilterValue);
  if (model.lan) sysctl[`net.ipv4.conf.${model.lan.interface}.rp_filter`] = '1';
  if (model.lan && model.sysctl.forwarding) sysctl['net.ipv4.ip_forward'] = '1';
  if (model.mode !== 'teql') {
    sysctl['net.ipv4.fib_multipath_hash_policy'] = String(rt.hashPolicy);
    sysctl['net.ipv4.fib_multipath_use_neigh'] = '1';
    sysctl['net.ipv4.conf.all.ignore_routes_with_linkdown'] = '1';
  }
  return { rules: rules.sort(), routes, sysctl };
}

export function canonicalRule(r: IpRule): string {
  const from = r.src === undefined || r.src === 'all' ? 'all' : `${r.src}/${r.srclen ?? 32}`;
  let s = `${r.priority} from ${from}`;
  if (r.table !== undefined) s += ` lookup ${tableId(r.table) ?? r.table}`;
  else if (r.action !== undefined) s += ` ${r.action}`;
  if (r.suppress_prefixlen !== undefined) s += ` suppress_prefixlength ${r.suppress_prefixlen}`;
  for (const k of ['iif', 'oif', 'fwmark', 'dst', 'tos'] as const) if (r[k] !== undefined) s += ` ${k} ${String(r[k])}`;
  if (r.fwmask !== undefined) s += `/${r.fwmask}`;
  return s;
}

function canonicalNexthop(n: IpNexthop): string {
  const flags = (n.flags ?? []).filter((f) => f !== 'onlink');
  return `nexthop${n.gateway ? ` via ${n.gateway}` : ''} dev ${n.dev} weight ${n.weight ?? 1}${(n.flags ?? []).includes('onlink') ? ' onlink' : ''}${flags.length ? ` [${flags.join(',')}]` : ''}`;
}

export function canonicalRoute(r: IpRoute): string {
  const t = routeType(r);
  let s = t === 'unicast' ? r.dst : `${t} ${r.dst}`;
  if (r.gateway) s += ` via ${r.gateway}`;
  if (r.dev) s += ` dev ${r.dev}`;
  if (r.prefsrc) s += ` src ${r.prefsrc}`;
  const proto = routeProtocol(r);
  if (proto) s += ` proto ${proto}`;
  // readKernel asks ip for numbers (-N): 253 is link, 254 host, 0 global
  const raw = String((r as { scope?: string | number }).scope ?? 'global');
  const scope = ({ '0': 'global', universe: 'global', '253': 'link', '254': 'host' } as Record<string, string>)[raw] ?? raw;
  if (scope !== 'global') s += ` scope ${scope}`;
  if (r.metric !== undefined && r.metric !== 0) s += ` metric ${r.metric}`;
  const flags = r.flags ?? [];
  if (flags.includes('onlink')) s += ' onlink';
  // anything else the kernel flags (linkdown, dead, equalize...) stays visible
  const other = flags.filter((f) => f !== 'onlink');
  if (other.length) s += ` [${other.join(',')}]`;
  for (const n of r.nexthops ?? []) s += ` ${canonicalNexthop(n)}`;
  return s;
}

export interface ObservedState {
  rules: string[];
  routes: Record<number, string[]>;
  sysctl: Record<string, string>;
}

export function observedState(snap: KernelSnapshot, sysctlKeys: string[]): ObservedState {
  const rules = snap.rules.map(canonicalRule).filter((r) => !DEFAULT_RULES.includes(r)).sort();
  const routes: Record<number, string[]> = {};
  for (const r of snap.routes) {
    const t = tableId(r.table) ?? -1;
    if (t === LOCAL) continue;
    push(routes, t, canonicalRoute(r));
  }
  for (const k of Object.keys(routes)) routes[Number(k)]!.sort();
  const sysctl: Record<string, string> = {};
  for (const k of sysctlKeys) sysctl[k] = snap.sysctl[k]?.trim() ?? 'absent';
  return { rules, routes, sysctl };
}
