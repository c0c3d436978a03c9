/** Lookups backends share: the state of one uplink, the shared part, text forms of its values. */
import type { Destination } from '../model/model.js';
import { MAIN_TABLE, type Address, type KernelState, type Nexthop, type Route, type RouteRole, type Rule } from './state.js';
import { cidrText, literal, type Addr } from './value.js';

export const routesOf = (s: KernelState, owner: string, role: RouteRole): Route[] => s.routes.filter((r) => r.owner === owner && r.role === role);
export const routesByRole = (s: KernelState, role: RouteRole): Route[] => s.routes.filter((r) => r.role === role);

/** The rule of one uplink (`from ADDR/32 lookup T`). */
export function uplinkRule(s: KernelState, uplink: string): Rule {
  const r = s.rules.find((x) => x.role === 'uplink' && x.owner === uplink);
  if (!r) throw new Error(`internal error: no rule for uplink ${uplink}`);
  return r;
}

/** The rules no single uplink owns: main-suppress, and the multipath rule outside teql. */
export const sharedRules = (s: KernelState): Rule[] => s.rules.filter((r) => r.owner === 'shared');

export function addressOf(s: KernelState, owner: string): Address {
  const a = s.addresses.find((x) => x.owner === owner);
  if (!a) throw new Error(`internal error: no address for ${owner}`);
  return a;
}

/** "default" or the CIDR of a balanced destination; `HOST` (no prefix) for a host route. */
export function targetText(r: Route): string {
  return r.to.kind === 'destination' ? r.to.destination : literal(r.to.host);
}

/** Like targetText, with "default" as 0.0.0.0/0 and a host as HOST/32: what networkd, netplan and NM write. */
export function explicitTarget(r: Route): string {
  return r.to.kind === 'destination' ? explicitDestination(r.to.destination) : `${literal(r.to.host)}/32`;
}

export const explicitDestination = (d: Destination): string => (d === 'default' ? '0.0.0.0/0' : d);

/** The `from` selector as ip(8) prints it: "all" or ADDR/P. */
export const fromText = (r: Rule): string => (r.from ? cidrText(r.from) : 'all');

/** 254 is written "main" where a format has the word. */
export const tableWord = (t: number): string => (t === MAIN_TABLE ? 'main' : String(t));

export const gatewayText = (a: Addr | undefined): string | undefined => (a === undefined ? undefined : literal(a));

/**
 * The nexthops a configuration file can hold: a dynamic uplink's gateway (a lease's router) or
 * device (a PPP link) exists only at run time, and the keepalive adds that nexthop itself.
 */
export function staticNexthops(s: KernelState, r: Route): Nexthop[] {
  const dynamic = new Set(s.uplinks.filter((u) => u.addressing !== 'static').map((u) => u.name));
  return r.nexthops.filter((n) => !dynamic.has(n.uplink));
}

/** The destinations balanced by the multipath (or bond) routes, in profile order. */
export const destinations = (s: KernelState): Destination[] =>
  s.routes.filter((r) => r.role === 'multipath' || r.role === 'bond').flatMap((r) => (r.to.kind === 'destination' ? [r.to.destination] : []));

/** The rp_filter value (0 off, 1 strict, 2 loose) the state gives an interface. */
export function rpFilterOf(s: KernelState, iface: string): 0 | 1 | 2 {
  const x = s.sysctls.find((y) => y.rpFilter?.interface === iface);
  if (!x) throw new Error(`internal error: no rp_filter for ${iface}`);
  return x.value as 0 | 1 | 2;
}

/** Whether a destination is balanced (by the multipath or the bond routes). */
export const balances = (s: KernelState, d: Destination): boolean => destinations(s).includes(d);

/** sysctl.d(5): a key whose interface name contains a dot is written with / separators. */
export function sysctlKey(path: string[]): string {
  return path.some((p) => p.includes('.')) ? path.join('/') : path.join('.');
}

/** The mark rules of one uplink (`fwmark M/MASK lookup T`): none when nothing steers by marks. */
export const markRules = (s: KernelState, uplink: string): Rule[] => s.rules.filter((r) => r.role === 'mark' && r.owner === uplink);

/** `0x100/0x3f00`: a rule's fwmark and mask as ip(8), networkd and NetworkManager all read them. */
export function fwmarkText(r: Rule): string {
  if (r.fwmark === undefined) throw new Error('internal error: a rule without fwmark');
  const hex = (n: number) => `0x${n.toString(16)}`;
  return r.mask === undefined ? hex(r.fwmark) : `${hex(r.fwmark)}/${hex(r.mask)}`;
}
