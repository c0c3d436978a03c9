/**
 * Shell fragments shared by the RedHat backends: the initscripts hooks
 * (ifcfg) and the NetworkManager dispatcher script (nm) install the same
 * kernel state for what neither config format can hold:
 *
 * - the multipath route (every nexthop device must be up when it is added),
 *   re-installed over the uplinks that are up each time one comes or goes;
 * - the equalize flag, which iproute2 6.x no longer parses (the command falls
 *   back to the plain multipath route, which is what the kernel does anyway);
 * - removing the connected route of an uplink whose subnet is balanced
 *   (noprefixroute; seed 000 did `route del -net` after each ifconfig).
 *
 * Every word placed in a script here comes from the model, whose interface
 * names, addresses and numbers passed strict patterns; nothing needs quoting,
 * and templates only loop over these word lists.
 */
import { renderTemplate } from '../base/templates.js';
import { routesByRole, staticNexthops, targetText } from '../state/query.js';
import type { KernelState, Nexthop, Route } from '../state/state.js';
import { literal } from '../state/value.js';

/** `nexthop via GW dev IF weight W [onlink]` (`nexthop dev IF weight W` for a direct link). */
export function nexthopWords(n: Nexthop): string[] {
  const w = ['nexthop'];
  if (n.gateway) w.push('via', literal(n.gateway));
  w.push('dev', n.interface, 'weight', String(n.weight));
  if (n.onlink) w.push('onlink');
  return w;
}

export interface MultipathFnView {
  /** one entry per uplink, in profile order */
  nexthops: { dev: string; words: string }[];
  /** one `ip route replace` per balanced destination */
  /** fallback: '' unless equalize (Handlebars strict wants every key present) */
  routes: { words: string; fallback: string; what: string }[];
}

/**
 * The multipath route of kernel-state.md, or undefined in teql mode (or without a static uplink).
 * Only the static uplinks' nexthops: a DHCP uplink's goes through the lease's router, and the
 * keepalive adds it (and puts it back after this function replaced the route).
 */
export function multipathFnView(state: KernelState): MultipathFnView | undefined {
  const routes = routesByRole(state, 'multipath');
  const first = routes[0];
  if (!first) return undefined;
  const nexthops = staticNexthops(state, first);
  if (nexthops.length === 0) return undefined;
  return {
    nexthops: nexthops.map((n) => ({ dev: n.interface, words: nexthopWords(n).join(' ') })),
    routes: routes.map((r) => {
      const dst = targetText(r);
      const base = ['ip', 'route', 'replace', dst, 'table', String(r.table), 'proto', r.protocol];
      const what = `${dst} table ${r.table}`;
      if (r.equalize) return { words: [...base, 'equalize'].join(' '), fallback: base.join(' '), what };
      return { words: base.join(' '), fallback: '', what };
    }),
  };
}

/** The `mpgen_multipath` shell function (POSIX sh), or '' in teql mode. */
export function multipathFunction(state: KernelState): string {
  const view = multipathFnView(state);
  return view ? renderTemplate('ifcfg/fn-multipath', view) : '';
}

export interface NoPrefixRoute {
  dev: string;
  /** `ip route del ...` words for the connected route in main */
  words: string;
}

/** Connected routes to remove (uplinks whose subnet overlaps a balanced destination). */
export function noPrefixRoutes(state: KernelState): NoPrefixRoute[] {
  return state.addresses
    .filter((a) => a.noPrefixRoute)
    .map((a) => ({
      dev: a.interface,
      words: ['ip', 'route', 'del', a.network, 'dev', a.interface, 'table', 'main', 'proto', 'kernel', 'scope', 'link', 'src', literal(a.local.addr)].join(' '),
    }));
}

/** `a | b | c` for a shell case pattern (names are [A-Za-z0-9_.-]: no glob characters). */
export function casePattern(names: string[]): string {
  return names.join(' | ');
}

/** Words of the teql bond's main-table routes: `D via BOND_GW dev teqlN onlink proto static`. */
export function bondRouteLines(state: KernelState): string[] {
  return routesByRole(state, 'bond').map((r) => `${targetText(r)} via ${literal(r.gateway!)} dev ${r.interface} onlink proto ${r.protocol}`);
}

/** One route as a route-DEV line, passed verbatim to `ip route add` (then `replace` on failure);
 * the NM dispatcher installs prohibit routes with the same words. */
export function routeLine(r: Route): string {
  if (r.role === 'gateway-host') return `${targetText(r)} dev ${r.interface} scope link proto ${r.protocol}`;
  if (r.type === 'prohibit') return `prohibit ${targetText(r)} table ${r.table} proto ${r.protocol} metric ${r.metric}`;
  const via = r.gateway ? `via ${literal(r.gateway)} ` : '';
  return `${targetText(r)} ${via}dev ${r.interface} src ${literal(r.source!)} table ${r.table} proto ${r.protocol}${r.onlink ? ' onlink' : ''}`;
}

