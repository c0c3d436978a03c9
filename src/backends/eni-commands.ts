/**
 * The ip(8)/tc(8) command lines of the ENI backend, one function per kind of
 * kernel object (src/state). Every value interpolated here comes from the
 * kernel state of the normalized model, whose strings passed the strict
 * patterns of the profile schema, so nothing needs quoting.
 *
 * Each "install" command is idempotent (replace, or delete-then-add for
 * rules), so `ifup` after a crash or a second `ifup` never fails or
 * duplicates; each "remove" command tolerates the state being gone already.
 */
import { fromText, fwmarkText, tableWord, targetText } from '../state/query.js';
import type { Address, Nexthop, Qdisc, Route, Rule } from '../state/state.js';
import { cidrText, literal } from '../state/value.js';

const OK = '2>/dev/null || true';

/**
 * ip(8) words of a route:
 * - table T of an uplink: `D via GW dev IF src ADDR proto static [onlink] table T` (`D dev IF src ADDR ...` for a direct link);
 * - its fallback: `prohibit D proto static metric 1 table T` keeps traffic from ADDR off other lines while this one is down;
 * - an onlink gateway in main: `GW dev IF scope link proto static`, so it is reached through its own line (seed 004);
 * - the teql bond in main: `D via BOND_GW dev teqlN proto static onlink` (teqlN is NOARP).
 */
export function routeWords(r: Route): string {
  const to = targetText(r);
  switch (r.role) {
    case 'gateway-host':
      return `${to} dev ${r.interface} scope link proto ${r.protocol}`;
    case 'prohibit':
      return `prohibit ${to} proto ${r.protocol} metric ${r.metric} table ${r.table}`;
    case 'bond':
      return `${to} via ${literal(r.gateway!)} dev ${r.interface} proto ${r.protocol} onlink`;
    default: {
      const via = r.gateway ? ` via ${literal(r.gateway)}` : '';
      return `${to}${via} dev ${r.interface} src ${literal(r.source!)} proto ${r.protocol}${r.onlink ? ' onlink' : ''} table ${r.table}`;
    }
  }
}

export const routeAdd = (r: Route): string => `ip route replace ${routeWords(r)}`;
export const routeDel = (r: Route): string => `ip route del ${routeWords(r)} ${OK}`;

/** `priority P [from ADDR/32] [fwmark M/MASK] lookup T [suppress_prefixlength N]`. */
export function ruleWords(r: Rule): string {
  const from = r.from ? ` from ${fromText(r)}` : '';
  const mark = r.fwmark !== undefined ? ` fwmark ${fwmarkText(r)}` : '';
  const suppress = r.suppressPrefixLength !== undefined ? ` suppress_prefixlength ${r.suppressPrefixLength}` : '';
  return `priority ${r.priority}${from}${mark} lookup ${tableWord(r.table)}${suppress}`;
}
/** `ip rule add` of an identical rule fails with EEXIST: delete first so a second ifup succeeds and never duplicates. */
export const ruleDelete = (r: Rule): string => `ip rule del ${ruleWords(r)} ${OK}`;
export const ruleAdd = (r: Rule): string => `ip rule add ${ruleWords(r)}`;

/**
 * ifupdown's inet static has no noprefixroute option, and `ip addr change`
 * does not take the connected route away once it exists (checked on 6.x), so
 * such uplinks use `inet manual` and add the address themselves.
 */
export function addressNoPrefixRoute(a: Address): string {
  const brd = a.broadcast ? ` broadcast ${a.broadcast}` : '';
  return `ip addr replace ${cidrText(a.local)}${brd} dev ${a.interface} noprefixroute`;
}
export const addressDel = (a: Address): string => `ip addr del ${cidrText(a.local)} dev ${a.interface} ${OK}`;

export const TEQL_MODULE = 'modprobe sch_teql';
export const qdiscAttach = (q: Qdisc): string => `tc qdisc replace dev ${q.interface} ${q.parent} ${q.kind}`;
export const qdiscDetach = (q: Qdisc): string => `tc qdisc del dev ${q.interface} ${q.parent} ${OK}`;

/** One nexthop of the multipath route, as ip(8) arguments: `nexthop via GW dev IF weight W [onlink]`. */
export function nexthopArgs(n: Nexthop): string {
  const via = n.gateway ? ` via ${literal(n.gateway)}` : '';
  return `nexthop${via} dev ${n.interface} weight ${n.weight}${n.onlink ? ' onlink' : ''}`;
}
