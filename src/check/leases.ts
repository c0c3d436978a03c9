/**
 * Dynamic uplinks in `mpgen check`: the kernel state holds a DHCP lease's address and router (and
 * a PPP session's address) as values known only at run time. The check reads the current lease
 * from the kernel itself (the address on the uplink's device, the default route its client put
 * into the uplink's table), says which lease it used, and compares everything else against the
 * state with that lease filled in. An uplink without a lease must have no rule and no nexthop.
 */
import type { Address, KernelState, Nexthop, Route, Rule } from '../state/state.js';
import { lit, type Addr } from '../state/value.js';
import { fail, pass, type CheckResult } from './result.js';
import { routeType, tableId, type KernelSnapshot } from './snapshot.js';

export interface Lease {
  uplink: string;
  device: string;
  table: number;
  /** absent: no address on the device */
  address?: string;
  prefix?: number;
  /** the lease's router (DHCP), from the uplink's table; a PPP link has none */
  gateway?: string;
  /** usable: an address, and for DHCP a router */
  ok: boolean;
}

/** The current lease of every dynamic uplink, read from a snapshot. */
export function readLeases(state: KernelState, snap: KernelSnapshot): Lease[] {
  return state.uplinks
    .filter((u) => u.addressing !== 'static')
    .map((u) => {
      const link = snap.links.find((l) => l.ifname === u.device);
      const a = (link?.addr_info ?? []).find((i) => i.family === 'inet' && i.scope !== 'host' && i.local !== undefined);
      const route = snap.routes.find((r) => tableId(r.table) === u.table && r.dst === 'default' && routeType(r) === 'unicast' && r.dev === u.device && r.gateway !== undefined);
      const lease: Lease = { uplink: u.name, device: u.device, table: u.table, address: a?.local, prefix: a?.prefixlen, gateway: route?.gateway, ok: false };
      lease.ok = lease.address !== undefined && (u.addressing === 'pppoe' || lease.gateway !== undefined);
      return lease;
    });
}

/** One result per dynamic uplink: the lease the check used, or that there is none. */
export function leaseResults(state: KernelState, leases: Lease[]): CheckResult[] {
  return leases.map((l) => {
    const u = state.uplinks.find((x) => x.name === l.uplink)!;
    const what = `${l.uplink} (${l.device}) ${u.addressing === 'dhcp' ? 'DHCP lease' : 'PPP session'}`;
    if (l.ok) return pass('lease', `${what}: ${l.address}/${l.prefix}${l.gateway ? ` via ${l.gateway} (table ${l.table})` : ''}`, 'the rules and routes below are checked against it');
    const want = u.addressing === 'dhcp' ? `an address on ${l.device} and the lease's router in table ${l.table}` : `an address on ${l.device}`;
    const found = l.address === undefined ? `no address on ${l.device}` : `${l.address}/${l.prefix}, no default route in table ${l.table}`;
    return fail('lease', what, want, `${found}: ${l.uplink} must be out of the balance`);
  });
}

/** No lease's default route in main: every stack's client is told to put it into the uplink's table. */
export function mainDefaultResults(state: KernelState, snap: KernelSnapshot): CheckResult[] {
  return state.uplinks
    .filter((u) => u.addressing !== 'static')
    .map((u) => {
      const what = `no default route in main via ${u.device} (${u.name}: the lease's router belongs in table ${u.table})`;
      const bad = snap.routes.filter((r) => (tableId(r.table) ?? 254) === 254 && r.dst === 'default' && (r.dev === u.device || (r.nexthops ?? []).some((n) => n.dev === u.device)));
      return bad.length === 0 ? pass('table', what) : fail('table', what, 'none', bad.map((r) => `default${r.gateway ? ` via ${r.gateway}` : ''} dev ${u.device}`).join('; '));
    });
}

/**
 * The state with each lease filled in: the leased address and router become literals, and an
 * uplink without a lease loses what depends on it (its `from` rule, its table's route, its nexthop).
 */
export function withLeases(state: KernelState, leases: Lease[]): KernelState {
  if (leases.length === 0) return state;
  const of = new Map(leases.map((l) => [l.uplink, l]));
  const gone = (u: string): boolean => of.get(u)?.ok === false;
  const fill = (a: Addr | undefined): Addr | undefined => {
    if (a === undefined || a.kind === 'literal') return a;
    const l = of.get(a.uplink);
    if (!l?.ok) return a;
    if (a.kind === 'lease' && a.field === 'address') return lit(l.address!);
    if (a.kind === 'lease' && a.field === 'gateway') return l.gateway === undefined ? undefined : lit(l.gateway);
    return a;
  };
  const hop = (n: Nexthop): Nexthop => ({ ...n, gateway: fill(n.gateway) });
  const routes: Route[] = state.routes
    .filter((r) => !(r.role === 'uplink' && gone(r.owner)))
    .map((r) => ({ ...r, gateway: fill(r.gateway), source: fill(r.source), nexthops: r.nexthops.filter((n) => !gone(n.uplink)).map(hop) }));
  const rules: Rule[] = state.rules
    .filter((r) => !(r.role === 'uplink' && gone(r.owner)))
    .map((r) => (r.from ? { ...r, from: { addr: fill(r.from.addr)!, prefix: r.from.prefix } } : r));
  const addresses: Address[] = [...state.addresses];
  for (const l of leases.filter((x) => x.ok)) addresses.push({ interface: l.device, owner: l.uplink, local: { addr: lit(l.address!), prefix: l.prefix ?? 32 }, network: '', noPrefixRoute: false });
  return { ...state, routes, rules, addresses };
}
