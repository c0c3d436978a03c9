/**
 * Policy rules, per-uplink tables and the multipath route (multipath and
 * equalize modes): what DOMAIN.md §1 "Policy routing" says the box holds.
 */
import type { Model, Uplink } from '../model/model.js';
import { fail, pass, type CheckResult } from './result.js';
import { routeProtocol, routeType, tableId, type IpNexthop, type IpRoute, type IpRule, type KernelSnapshot } from './snapshot.js';

function describeRule(r: IpRule): string {
  const from = r.src === undefined || r.src === 'all' ? 'all' : `${r.src}${r.srclen !== undefined ? `/${r.srclen}` : ''}`;
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

export function expectedRules(model: Model): ExpectedRule[] {
  const rt = model.routing;
  return [
    { priority: rt.mainRulePriority, from: 'all', table: 254, suppress: 0 },
    ...model.uplinks.map((u) => ({ priority: u.rulePriority, from: u.address.networkCidr, table: u.table })),
    { priority: rt.multipathRulePriority, from: 'all', table: rt.multipathTable },
  ];
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

function expectedUplinkDefault(u: Uplink): IpRoute {
  const r: IpRoute = { dst: 'default', dev: u.interface, prefsrc: u.address.address, protocol: 'static' };
  if (u.gateway) r.gateway = u.gateway;
  if (u.onlink) r.flags = ['onlink'];
  return r;
}

export function checkUplinkTables(model: Model, snap: KernelSnapshot): CheckResult[] {
  const out: CheckResult[] = [];
  for (const u of model.uplinks) {
    const want = expectedUplinkDefault(u);
    const what = `table ${u.table} (${u.name}) ${describeRoute(want)}`;
    const defaults = inTable(snap, u.table, 'default');
    const unicast = defaults.filter((r) => routeType(r) === 'unicast');
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
    else out.push(fail('table', what, describeRoute(want), unicast.length ? unicast.map(describeRoute).join('; ') : `no default route in table ${u.table}`));

    if (model.routing.prohibitFallback) {
      const pwhat = `table ${u.table} (${u.name}) prohibit default metric 1`;
      const prohibit = defaults.filter((r) => routeType(r) === 'prohibit');
      if (prohibit.some((r) => r.metric === 1)) out.push(pass('table', pwhat));
      else
        out.push(
          fail('table', pwhat, 'prohibit default metric 1', prohibit.length ? prohibit.map(describeRoute).join('; ') : `no prohibit route in table ${u.table}`),
        );
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
