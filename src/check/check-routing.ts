/**
 * Policy rules, per-uplink tables, the multipath route and the routes in
 * main: the routing part of docs/kernel-state.md.
 */
import type { Model, Uplink } from '../model/model.js';
import { fail, pass, type CheckResult } from './result.js';
import { routeProtocol, routeType, tableId, type IpNexthop, type IpRoute, type IpRule, type KernelSnapshot } from './snapshot.js';

function describeRule(r: IpRule): string {
  // ip prints a host selector without srclen; say /32 either way
  const from = r.src === undefined || r.src === 'all' ? 'all' : `${r.src}/${r.srclen ?? 32}`;
  const parts = [`from ${from}`];
  if (r.table !== undefined) parts.push(`lookup ${tableId(r.table) ?? r.table}`);
  else if (r.action !== undefined) parts.push(r.action);
  if (r.suppress_prefixlen !== undefined) parts.push(`suppress_prefixlength ${r.suppress_prefixlen}`);
  for (const k of ['iif', 'oif', 'fwmark', 'dst', 'tos'] as const) if (r[k] !== undefined) parts.push(`${k} ${String(r[k])}`);
  return parts.join(' ');
}

interface ExpectedRule {
  priority: number;
  from: string;
  table: number;
  suppress?: number;
}

function ruleMatches(r: IpRule, e: ExpectedRule): boolean {
  return describeRule(r) === describeRule(ruleOf(e));
}

function ruleOf(e: ExpectedRule): IpRule {
  const [src, len] = e.from === 'all' ? ['all', undefined] : e.from.split('/');
  const r: IpRule = { priority: e.priority, src, table: String(e.table) };
  if (len !== undefined) r.srclen = Number(len);
  if (e.suppress !== undefined) r.suppress_prefixlen = e.suppress;
  return r;
}

/** Per-uplink rules exist in every mode (the keepalive probes through them); the multipath rule only without teql. */
export function expectedRules(model: Model): ExpectedRule[] {
  const rt = model.routing;
  const rules: ExpectedRule[] = [
    { priority: rt.mainRulePriority, from: 'all', table: 254, suppress: 0 },
    ...model.uplinks.map((u) => ({ priority: u.rulePriority, from: u.ruleFrom, table: u.table })),
  ];
  if (model.mode !== 'teql') rules.push({ priority: rt.multipathRulePriority, from: 'all', table: rt.multipathTable });
  return rules;
}

export function checkRules(model: Model, snap: KernelSnapshot): CheckResult[] {
  return expectedRules(model).map((e) => {
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

function expectedUplinkRoute(u: Uplink, dst: string): IpRoute {
  const r: IpRoute = { dst, dev: u.interface, prefsrc: u.address.address, protocol: 'static' };
  if (u.gateway) r.gateway = u.gateway;
  if (u.onlink) r.flags = ['onlink'];
  return r;
}

/** In table T of every uplink, for every balanced destination D: the route out of that uplink, and the prohibit fallback. */
export function checkUplinkTables(model: Model, snap: KernelSnapshot): CheckResult[] {
  const out: CheckResult[] = [];
  for (const u of model.uplinks) {
    for (const dst of model.routes) {
      const want = expectedUplinkRoute(u, dst);
      const what = `table ${u.table} (${u.name}) ${describeRoute(want)}`;
      const here = inTable(snap, u.table, dst);
      const unicast = here.filter((r) => routeType(r) === 'unicast');
      const good = unicast.some(
        (r) =>
          r.gateway === want.gateway &&
          r.dev === want.dev &&
          r.prefsrc === want.prefsrc &&
          routeProtocol(r) === 'static' &&
          !r.nexthops &&
          (!u.onlink || (r.flags ?? []).includes('onlink')),
      );
      if (good) out.push(pass('table', what));
      else out.push(fail('table', what, describeRoute(want), unicast.length ? unicast.map(describeRoute).join('; ') : `no ${dst} route in table ${u.table}`));

      if (model.routing.prohibitFallback) {
        const pwhat = `table ${u.table} (${u.name}) prohibit ${dst} proto static metric 1`;
        const prohibit = here.filter((r) => routeType(r) === 'prohibit');
        if (prohibit.some((r) => r.metric === 1 && routeProtocol(r) === 'static')) out.push(pass('table', pwhat));
        else
          out.push(
            fail(
              'table',
              pwhat,
              `prohibit ${dst} proto static metric 1`,
              prohibit.length ? prohibit.map(describeRoute).join('; ') : `no prohibit ${dst} route in table ${u.table}`,
            ),
          );
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
export function checkMainRoutes(model: Model, snap: KernelSnapshot): CheckResult[] {
  const out: CheckResult[] = [];
  const main = snap.routes.filter((r) => tableId(r.table) === 254 && routeType(r) === 'unicast');
  for (const u of model.uplinks) {
    if (u.onlink && u.gateway) {
      const what = `main ${u.gateway} dev ${u.interface} scope link proto static (${u.name} onlink gateway)`;
      const r = main.filter((x) => x.dst === u.gateway);
      const ok = r.some((x) => x.dev === u.interface && !x.gateway && routeProtocol(x) === 'static');
      out.push(ok ? pass('table', what) : fail('table', what, `${u.gateway} dev ${u.interface} proto static`, r.length ? r.map(describeRoute).join('; ') : 'no such route'));
    }
    if (u.noPrefixRoute) {
      const what = `main without the connected route ${u.address.networkCidr} dev ${u.interface} (${u.name} noprefixroute)`;
      const r = main.filter((x) => x.dst === u.address.networkCidr && x.dev === u.interface && routeProtocol(x) === 'kernel');
      out.push(r.length === 0 ? pass('table', what) : fail('table', what, 'no connected route', r.map(describeRoute).join('; ')));
    }
  }
  const bond = model.bond;
  if (model.mode === 'teql' && bond) {
    for (const dst of model.routes) {
      const what = `main ${dst} via ${bond.gateway} dev ${bond.interface} onlink`;
      const r = main.filter((x) => x.dst === dst);
      const ok = r.some((x) => x.gateway === bond.gateway && x.dev === bond.interface && (x.flags ?? []).includes('onlink'));
      out.push(ok ? pass('table', what) : fail('table', what, `${dst} via ${bond.gateway} dev ${bond.interface} onlink`, r.length ? r.map(describeRoute).join('; ') : `no ${dst} route in main`));
    }
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

function expectedNexthop(u: Uplink): IpNexthop {
  const n: IpNexthop = { dev: u.interface, weight: u.weight };
  if (u.gateway) n.gateway = u.gateway;
  if (u.onlink) n.flags = ['onlink'];
  return n;
}

export function checkMultipath(model: Model, snap: KernelSnapshot, takenOut: TakenOut): CheckResult[] {
  const table = model.routing.multipathTable;
  const live = model.uplinks.filter((u) => !takenOut.has(u.name));
  const out = live.length > 0 ? model.uplinks.filter((u) => takenOut.has(u.name)) : [];
  // Fail open: when every uplink looks dead the keepalive keeps them all.
  const expectIn = live.length > 0 ? live : model.uplinks;
  return model.routes.map((dst) => {
    const all = model.uplinks.map((u) => describeNexthop(expectedNexthop(u), true)).join(' ');
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
    const route = routes[0] as IpRoute;
    const have = nexthopsOf(route);
    const single = have.length === 1;
    const key = (n: IpNexthop, w: boolean) => describeNexthop(n, w);
    const haveKeys = have.map((n) => key(n, !single)).sort();
    const wantKeys = want.map((n) => key(n, !single)).sort();
    const same = haveKeys.length === wantKeys.length && haveKeys.every((k, i) => k === wantKeys[i]);
    const foundText = have.map((n) => describeNexthop(n, !single)).join(' ');
    if (!same) return fail('multipath', what, wantText, foundText);
    if (out.length === 0) return pass('multipath', what);
    const note = out.map((u) => `${u.name} (${u.interface}) taken out by the keepalive: down`).join('; ');
    return pass('multipath', what, note);
  });
}
