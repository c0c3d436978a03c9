/**
 * The ip(8)/tc(8) command lines of the ENI backend, one function per piece
 * of kernel state (docs/kernel-state.md). Every value interpolated here comes
 * from the normalized model, whose strings passed the strict patterns of the
 * profile schema, so nothing needs quoting.
 *
 * Each "install" command is idempotent (replace, or delete-then-add for
 * rules), so `ifup` after a crash or a second `ifup` never fails or
 * duplicates; each "remove" command tolerates the state being gone already.
 */
import type { Bond, Destination, Model, Uplink } from '../model/model.js';

const OK = '2>/dev/null || true';

/** `D via GW dev IF src ADDR proto static [onlink]` (or `D dev IF src ADDR ...` for a direct link), table T. */
export function uplinkRoute(u: Uplink, dst: Destination): string {
  const via = u.gateway ? ` via ${u.gateway}` : '';
  const onlink = u.onlink && u.gateway ? ' onlink' : '';
  return `${dst}${via} dev ${u.interface} src ${u.address.address} proto static${onlink} table ${u.table}`;
}

export const uplinkRouteAdd = (u: Uplink, dst: Destination): string => `ip route replace ${uplinkRoute(u, dst)}`;
export const uplinkRouteDel = (u: Uplink, dst: Destination): string => `ip route del ${uplinkRoute(u, dst)} ${OK}`;

/** `prohibit D proto static metric 1`, table T: keeps traffic from ADDR off other lines while this one is down. */
const prohibit = (u: Uplink, dst: Destination): string => `prohibit ${dst} proto static metric 1 table ${u.table}`;
export const prohibitAdd = (u: Uplink, dst: Destination): string => `ip route replace ${prohibit(u, dst)}`;
export const prohibitDel = (u: Uplink, dst: Destination): string => `ip route del ${prohibit(u, dst)} ${OK}`;

/** `priority B+1+i from ADDR/32 lookup T`. */
const uplinkRule = (u: Uplink): string => `priority ${u.rulePriority} from ${u.ruleFrom} lookup ${u.table}`;
/** `ip rule add` of an identical rule fails with EEXIST: delete first so a second ifup succeeds and never duplicates. */
export const uplinkRuleDelete = (u: Uplink): string => `ip rule del ${uplinkRule(u)} ${OK}`;
export const uplinkRuleAdd = (u: Uplink): string => `ip rule add ${uplinkRule(u)}`;

/** Host route to an onlink gateway in main, so it is reached through its own line (seed 004). */
const hostRoute = (u: Uplink, gw: string): string => `${gw} dev ${u.interface} scope link proto static`;
export const hostRouteAdd = (u: Uplink, gw: string): string => `ip route replace ${hostRoute(u, gw)}`;
export const hostRouteDel = (u: Uplink, gw: string): string => `ip route del ${hostRoute(u, gw)} ${OK}`;

/**
 * ifupdown's inet static has no noprefixroute option, and `ip addr change`
 * does not take the connected route away once it exists (checked on 6.x), so
 * such uplinks use `inet manual` and add the address themselves.
 */
export function addressNoPrefixRoute(u: Uplink): string {
  const brd = u.address.broadcast ? ` broadcast ${u.address.broadcast}` : '';
  return `ip addr replace ${u.address.cidr}${brd} dev ${u.interface} noprefixroute`;
}
export const addressDel = (u: Uplink): string => `ip addr del ${u.address.cidr} dev ${u.interface} ${OK}`;

export const TEQL_MODULE = 'modprobe sch_teql';
export const teqlAttach = (u: Uplink, b: Bond): string => `tc qdisc replace dev ${u.interface} root ${b.interface}`;
export const teqlDetach = (u: Uplink): string => `tc qdisc del dev ${u.interface} root ${OK}`;

/** The bond's routes in main: `D via BOND_GW dev teqlN onlink` (teqlN is NOARP). */
const bondRoute = (b: Bond, dst: Destination): string => `${dst} via ${b.gateway} dev ${b.interface} proto static onlink`;
export const bondRouteAdd = (b: Bond, dst: Destination): string => `ip route replace ${bondRoute(b, dst)}`;
export const bondRouteDel = (b: Bond, dst: Destination): string => `ip route del ${bondRoute(b, dst)} ${OK}`;

/** One nexthop of the multipath route, as ip(8) arguments: `nexthop via GW dev IF weight W [onlink]`. */
export function nexthopArgs(u: Uplink): string {
  const via = u.gateway ? ` via ${u.gateway}` : '';
  const onlink = u.onlink && u.gateway ? ' onlink' : '';
  return `nexthop${via} dev ${u.interface} weight ${u.weight}${onlink}`;
}

/** Rules no single uplink owns: the main-suppress rule, and the multipath rule outside teql. */
export function sharedRules(model: Model): string[] {
  const rt = model.routing;
  const rules = [`priority ${rt.mainRulePriority} lookup main suppress_prefixlength 0`];
  if (model.mode !== 'teql') rules.push(`priority ${rt.multipathRulePriority} lookup ${rt.multipathTable}`);
  return rules;
}
