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
import type { Model, Uplink } from '../model/model.js';
import { renderTemplate } from '../plan/templates.js';

/** `nexthop via GW dev IF weight W [onlink]` (`nexthop dev IF weight W` for a direct link). */
export function nexthopWords(u: Uplink): string[] {
  const w = ['nexthop'];
  if (u.gateway) w.push('via', u.gateway);
  w.push('dev', u.interface, 'weight', String(u.weight));
  if (u.onlink && u.gateway) w.push('onlink');
  return w;
}

export interface MultipathFnView {
  /** one entry per uplink, in profile order */
  nexthops: { dev: string; words: string }[];
  /** one `ip route replace` per balanced destination */
  /** fallback: '' unless equalize (Handlebars strict wants every key present) */
  routes: { words: string; fallback: string; what: string }[];
}

/** The multipath route of kernel-state.md, or undefined in teql mode. */
export function multipathFnView(model: Model): MultipathFnView | undefined {
  if (model.mode === 'teql') return undefined;
  const table = model.routing.multipathTable;
  return {
    nexthops: model.uplinks.map((u) => ({ dev: u.interface, words: nexthopWords(u).join(' ') })),
    routes: model.routes.map((dst) => {
      const base = ['ip', 'route', 'replace', dst, 'table', String(table), 'proto', 'static'];
      if (model.mode === 'equalize') {
        return {
          words: [...base, 'equalize'].join(' '),
          fallback: base.join(' '),
          what: `${dst} table ${table}`,
        };
      }
      return { words: base.join(' '), fallback: '', what: `${dst} table ${table}` };
    }),
  };
}

/** The `mpgen_multipath` shell function (POSIX sh), or '' in teql mode. */
export function multipathFunction(model: Model): string {
  const view = multipathFnView(model);
  return view ? renderTemplate('ifcfg/fn-multipath', view) : '';
}

export interface NoPrefixRoute {
  dev: string;
  /** `ip route del ...` words for the connected route in main */
  words: string;
}

/** Connected routes to remove (uplinks whose subnet overlaps a balanced destination). */
export function noPrefixRoutes(model: Model): NoPrefixRoute[] {
  return model.uplinks
    .filter((u) => u.noPrefixRoute)
    .map((u) => ({
      dev: u.interface,
      words: ['ip', 'route', 'del', u.address.networkCidr, 'dev', u.interface, 'table', 'main', 'proto', 'kernel', 'scope', 'link', 'src', u.address.address].join(
        ' ',
      ),
    }));
}

/** `a | b | c` for a shell case pattern (names are [A-Za-z0-9_.-]: no glob characters). */
export function casePattern(names: string[]): string {
  return names.join(' | ');
}

/** Words of the teql bond's main-table routes: `D via BOND_GW dev teqlN onlink proto static`. */
export function bondRouteLines(model: Model): string[] {
  const b = model.bond;
  if (!b) return [];
  return model.routes.map((dst) => `${dst} via ${b.gateway} dev ${b.interface} onlink proto static`);
}
