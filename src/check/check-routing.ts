/**
 * Policy rules, per-uplink tables, the multipath route and the routes in
 * main: the routing part of docs/kernel-state.md.
 */
import { fromText, routesByRole, routesOf, targetText } from '../state/query.js';
import type { KernelState, Nexthop, Route } from '../state/state.js';
import { literal, literalOpt } from '../state/value.js';
import { nexthopFor } from './check-tiers.js';
import { fail, pass, type CheckResult } from './result.js';
import { routeProtocol, routeType, tableId, type IpNexthop, type IpRoute, type IpRule, type KernelSnapshot } from './snapshot.js';

function describeRule(r: IpRule): string {
  // ip prints a host selector without srclen; say /32 either way
  const from = r.src === undefined || r.src === 'all' ? 'all' : `${r.src}/${r.srclen ?? 32}`;
  const parts = [`from ${from}`];
  if (r.fwmark !== undefined) parts.push(`fwmark ${markText(r.fwmark, r.fwmask)}`);
  if (r.table !== undefined) parts.push(`lookup ${tableId(r.table) ?? r.table}`);
  else if (r.action !== undefined) parts.push(r.action);
  if (r.suppress_prefixlen !== undefined) parts.push(`suppress_prefixlength ${r.suppress_prefixlen}`);
  for (const k of ['iif', 'oif', 'dst', 'tos'] as const) if (r[k] !== undefined) parts.push(`${k} ${String(r[k])}`);
  return parts.join(' ');
}

/** `0x100/0x3f00` whatever spelling ip used (hex or decimal); no mask shown when it is all ones. */
function markText(mark: string | number, mask: string | number | undefined): string {
  const hex = (v: string | number) => {
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isInteger(n) ? `0x${n.toString(16)}` : String(v);
  };
  return mask === undefined || hex(mask) === '0xffffffff' ? hex(mark) : `${hex(mark)}/${hex(mask)}`;
}

interface ExpectedRule {
  priority: number;
  from: string;
  table: number;
  suppress?: number;
  fwmark?: number;
  mask?: number;
}

function ruleMatches(r: IpRule, e: ExpectedRule): boolean {
  return describeRule(r) === describeRule(ruleOf(e));
}

function ruleOf(e: ExpectedRule): IpRule {
  const [src, len] = e.from === 'all' ? ['all', undefined] : e.from.split('/');
  const r: IpRule = { priority: e.priority, src, table: String(e.table) };
  if (len !== undefined) r.srclen = Number(len);
  if (e.suppress !== undefined) r.suppress_prefixlen = e.suppress;
  if (e.fwmark !== undefined) {
    r.fwmark = String(e.fwmark);
    if (e.mask !== undefined) r.fwmask = String(e.mask);
  }
  return r;
}

/** The rules of the kernel state: per-uplink rules in every mode (the keepalive probes through them), each uplink's fwmark rule when flows are pinned or steered, the multipath rule only without teql. */
export function expectedRules(state: KernelState): ExpectedRule[] {
  return state.rules.map((r) => {
    const e: ExpectedRule = { priority: r.priority, from: fromText(r), table: r.table };
    if (r.suppressPrefixLength !== undefined) e.suppress = r.suppressPrefixLength;
    if (r.fwmark !== undefined) {
      e.fwmark = r.fwmark;
      e.mask = r.mask;
    }
    return e;
  });
}

export function checkRules(state: KernelState, snap: KernelSnapshot): CheckResult[] {
  return expectedRules(state).map((e) => {
    const what = `rule ${e.priority} ${describeRule(ruleOf(e))}`;
    const at = snap.rules.filter((r) => r.priority === e.priority);
    if (at.some((r) => ruleMatches(r, e))) return pass('rule', what);
    const found = at.length === 0 ? `no rule at priority ${e.priority}` : at.map(describeRule).join('; ');
    return fail('rule', what, describeRule(ruleOf(e)), found);
  });
}

function describeRoute(r: IpRoute): string {
  const t = routeType(r);
  const parts: string[] = t === 'unicast' ? [r.dst] : [t, r.dst];
  if (r.gateway) parts.push(`via ${r.gateway}`);
  if (r.dev) parts.push(`dev ${r.dev}`);
  if (r.prefsrc) parts.push(`src ${r.prefsrc}`);
  const proto = routeProtocol(r);
  if (proto) parts.push(`proto ${proto}`);
  if (r.metric !== undefined) parts.push(`metric ${r.metric}`);
  if (r.flags?.includes('onlink')) parts.push('onlink');
  for (const n of r.nexthops ?? []) parts.push(describeNexthop(n, true));
  return parts.join(' ');
}

function describeNexthop(n: IpNexthop, withWeight: boolean): string {
  const parts = ['nexthop'];
  if (n.gateway) parts.push(`via ${n.gateway}`);
  if (n.dev) parts.push(`dev ${n.dev}`);
  if (withWeight) parts.push(`weight ${n.weight ?? 1}`);
  if (n.flags?.includes('onlink')) parts.push('onlink');
  return parts.join(' ');
}

function inTable(snap: KernelSnapshot, table: number, dst: string): IpRoute[] {
  return snap.routes.filter((r) => tableId(r.table) === table && r.dst === dst);
}

function expectedUplinkRoute(r: Route): IpRoute {
  const want: IpRoute = { dst: targetText(r), dev: r.interface, prefsrc: literalOpt(r.source), protocol: r.protocol };
  if (r.gateway) want.gateway = literal(r.gateway);
  if (r.onlink) want.flags = ['onlink'];
  return want;
}

/** In table T of every uplink, for every balanced destination D: the route out of that uplink, and the prohibit fallback. */
export function checkUplinkTables(state: KernelState, snap: KernelSnapshot): CheckResult[] {
  const out: CheckResult[] = [];
  for (const u of state.uplinks) {
    const prohibits = routesOf(state, u.name, 'prohibit');
    for (const r of routesOf(state, u.name, 'uplink')) {
      const dst = targetText(r);
      const want = expectedUplinkRoute(r);
      const what = `table ${r.table} (${u.name}) ${describeRoute(want)}`;
      const here = inTable(snap, r.table, dst);
      const unicast = here.filter((x) => routeType(x) === 'unicast');
      // a lease's route is its client's: its protocol and source are the client's to choose, but not
      // its metric: one above the prohibit fallback's (networkd's default 1024) leaves the line dead
      const dynamic = u.addressing !== 'static';
      const good = unicast.some(
        (x) =>
          x.gateway === want.gateway &&
          x.dev === want.dev &&
          (dynamic ? (x.metric ?? 0) === (r.metric ?? 0) : x.prefsrc === want.prefsrc && routeProtocol(x) === r.protocol) &&
          !x.nexthops &&
          (!r.onlink || (x.flags ?? []).includes('onlink')),
      );
      if (good) out.push(pass('table', what));
      else out.push(fail('table', what, describeRoute(want), unicast.length ? unicast.map(describeRoute).join('; ') : `no ${dst} route in table ${r.table}`));

      for (const p of prohibits.filter((x) => targetText(x) === dst)) {
        const words = `prohibit ${dst} proto ${p.protocol} metric ${p.metric}`;
        const pwhat = `table ${p.table} (${u.name}) ${words}`;
        const prohibit = here.filter((x) => routeType(x) === 'prohibit');
        if (prohibit.some((x) => x.metric === p.metric && routeProtocol(x) === p.protocol)) out.push(pass('table', pwhat));
        else out.push(fail('table', pwhat, words, prohibit.length ? prohibit.map(describeRoute).join('; ') : `no prohibit ${dst} route in table ${p.table}`));
      }
    }
  }
  return out;
}

/**
 * Routes in main: the host route to an onlink gateway (every mode), the
 * destinations via the bond (teql), and no connected route for an uplink
 * added with noprefixroute.
 */
export function checkMainRoutes(state: KernelState, snap: KernelSnapshot): CheckResult[] {
  const out: CheckResult[] = [];
  const main = snap.routes.filter((r) => tableId(r.table) === 254 && routeType(r) === 'unicast');
  for (const u of state.uplinks) {
    for (const h of routesOf(state, u.name, 'gateway-host')) {
      const gw = targetText(h);
      const what = `main ${gw} dev ${h.interface} scope link proto ${h.protocol} (${u.name} onlink gateway)`;
      const r = main.filter((x) => x.dst === gw);
      const ok = r.some((x) => x.dev === h.interface && !x.gateway && routeProtocol(x) === h.protocol);
      out.push(ok ? pass('table', what) : fail('table', what, `${gw} dev ${h.interface} proto ${h.protocol}`, r.length ? r.map(describeRoute).join('; ') : 'no such route'));
    }
    for (const a of state.addresses.filter((x) => x.owner === u.name && x.noPrefixRoute)) {
      const what = `main without the connected route ${a.network} dev ${a.interface} (${u.name} noprefixroute)`;
      const r = main.filter((x) => x.dst === a.network && x.dev === a.interface && routeProtocol(x) === 'kernel');
      out.push(r.length === 0 ? pass('table', what) : fail('table', what, 'no connected route', r.map(describeRoute).join('; ')));
    }
  }
  for (const b of routesByRole(state, 'bond')) {
    const dst = targetText(b);
    const gw = literal(b.gateway!);
    const what = `main ${dst} via ${gw} dev ${b.interface} onlink`;
    const r = main.filter((x) => x.dst === dst);
    const ok = r.some((x) => x.gateway === gw && x.dev === b.interface && (x.flags ?? []).includes('onlink'));
    out.push(ok ? pass('table', what) : fail('table', what, `${dst} via ${gw} dev ${b.interface} onlink`, r.length ? r.map(describeRoute).join('; ') : `no ${dst} route in main`));
  }
  return out;
}

/** Which uplinks the keepalive has taken out, by uplink name. */
export type TakenOut = ReadonlySet<string>;

function nexthopsOf(r: IpRoute): IpNexthop[] {
  // With one nexthop left the kernel prints a plain route (and drops the weight).
  if (r.nexthops) return r.nexthops;
  return [{ gateway: r.gateway, dev: r.dev, flags: r.flags }];
}

function expectedNexthop(n: Nexthop): IpNexthop {
  const x: IpNexthop = { dev: n.interface, weight: n.weight };
  if (n.gateway) x.gateway = literal(n.gateway);
  if (n.onlink) x.flags = ['onlink'];
  return x;
}

/**
 * The multipath route holds the balance: at boot (and without a keepalive) the state's tier-1
 * nexthops; with a keepalive that says which uplinks are in the balance (`active`), exactly those,
 * whatever their tier; with an older status file, tier 1 less the uplinks it reports down.
 */
export function checkMultipath(state: KernelState, snap: KernelSnapshot, takenOut: TakenOut, active?: ReadonlySet<string>): CheckResult[] {
  return routesByRole(state, 'multipath').map((route) => {
    const table = route.table;
    const dst = targetText(route);
    const hops = route.nexthops;
    const fromStatus = active && active.size > 0 ? state.uplinks.filter((u) => active.has(u.name)).flatMap((u) => nexthopFor(state, route, u.name) ?? []) : undefined;
    const live = fromStatus ?? hops.filter((n) => !takenOut.has(n.uplink));
    const out = live.length > 0 ? hops.filter((n) => !live.some((x) => x.uplink === n.uplink)) : [];
    const added = live.filter((n) => !hops.some((x) => x.uplink === n.uplink));
    // Fail open: when every uplink looks dead the keepalive keeps tier 1.
    const expectIn = live.length > 0 ? live : hops;
    const all = hops.map((n) => describeNexthop(expectedNexthop(n), true)).join(' ');
    const what = `table ${table} multipath ${dst} ${all}`;
    const routes = inTable(snap, table, dst).filter((r) => routeType(r) === 'unicast');
    const want = expectIn.map(expectedNexthop);
    const wantText = want.map((n) => describeNexthop(n, want.length > 1)).join(' ');
    if (routes.length === 0) return fail('multipath', what, wantText, `no ${dst} route in table ${table}`);
    // A second route to the same destination (another metric) shadows the multipath route or is
    // shadowed by it, and the keepalive's `ip route replace` then changes only one of them; the
    // boot lab met this with NetworkManager's own route beside the multipath one.
    if (routes.length > 1) {
      const found = routes.map((r) => `${nexthopsOf(r).map((n) => describeNexthop(n, nexthopsOf(r).length > 1)).join(' ')}${r.metric !== undefined ? ` metric ${r.metric}` : ''}`);
      return fail('multipath', what, `one ${dst} route: ${wantText}`, `${routes.length} ${dst} routes: ${found.join('; ')}`);
    }
    const kernel = routes[0] as IpRoute;
    const have = nexthopsOf(kernel);
    const single = have.length === 1;
    const key = (n: IpNexthop, w: boolean) => describeNexthop(n, w);
    const haveKeys = have.map((n) => key(n, !single)).sort();
    const wantKeys = want.map((n) => key(n, !single)).sort();
    const same = haveKeys.length === wantKeys.length && haveKeys.every((k, i) => k === wantKeys[i]);
    const foundText = have.map((n) => describeNexthop(n, !single)).join(' ');
    if (!same) return fail('multipath', what, wantText, foundText);
    const tierOf = (n: Nexthop) => state.uplinks.find((u) => u.name === n.uplink)?.tier ?? 1;
    const notes = [
      ...out.map((n) => `${n.uplink} (${n.interface}) taken out by the keepalive${takenOut.has(n.uplink) ? ': down' : ''}`),
      ...added.map((n) => `${n.uplink} (${n.interface}, tier ${tierOf(n)}) in the balance: no live uplink of a lower tier`),
    ];
    return notes.length === 0 ? pass('multipath', what) : pass('multipath', what, notes.join('; '));
  });
}
