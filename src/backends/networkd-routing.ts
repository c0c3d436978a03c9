/**
 * The routing part of docs/kernel-state.md in systemd-networkd terms, shared
 * by the networkd backend (its own .network files) and the netplan backend
 * (netplan YAML plus networkd drop-ins for what netplan cannot say).
 *
 * Everything here is data: which [Route] and [RoutingPolicyRule] sections
 * exist, and which kernel state networkd cannot express natively and a hook
 * unit has to install with ip(8)/tc(8) instead.
 */
import type { Destination } from '../model/model.js';
import { explicitDestination, explicitTarget, fwmarkText, markRules as markRuleState, routesByRole, routesOf, sharedRules as sharedRuleState, staticNexthops, tableWord, fromText, uplinkRule as uplinkRuleState } from '../state/query.js';
import { MAIN_TABLE, type Address, type KernelState, type Route, type Rule } from '../state/state.js';
import { cidrText, isRuntime, literal, literalOpt } from '../state/value.js';
import { needs, since, type Capabilities } from './features.js';

/** One [Route] section. */
export interface NdRoute {
  /** "0.0.0.0/0" or a CIDR; networkd and netplan both get the explicit form */
  destination: string;
  /** undefined = main */
  table?: number;
  gateway?: string;
  preferredSource?: string;
  onLink: boolean;
  scope?: 'link';
  type?: 'prohibit';
  metric?: number;
  /** MultiPathRoute= values, "GW@IF WEIGHT" */
  multipath: string[];
}

/** One [RoutingPolicyRule] section. */
export interface NdRule {
  from?: string;
  /** FirewallMark=, "0x100/0x3f00" */
  firewallMark?: string;
  /** a table number, or "main" */
  table: string;
  priority: number;
  suppressPrefixLength?: number;
}

/** An address as an [Address] section. */
export interface NdAddress {
  cidr: string;
  noPrefixRoute: boolean;
}

/** "default" is written as 0.0.0.0/0: netplan 0.106 aborts on `to: default` in a route without `via`. */
export const destinationOf = (d: Destination): string => explicitDestination(d);

/** An [Address] section. */
export const ndAddress = (a: Address): NdAddress => ({ cidr: cidrText(a.local), noPrefixRoute: a.noPrefixRoute });

/** One [Route] section of a route of the kernel state (main is networkd's default table). */
export function ndRoute(r: Route): NdRoute {
  return {
    destination: explicitTarget(r),
    table: r.table === MAIN_TABLE ? undefined : r.table,
    gateway: literalOpt(r.gateway),
    preferredSource: literalOpt(r.source),
    onLink: r.onlink,
    scope: r.scope,
    type: r.type === 'prohibit' ? 'prohibit' : undefined,
    metric: r.metric,
    multipath: [],
  };
}

/** Table T of one uplink: `D via GW dev IF src ADDR [onlink]` (or `D dev IF src ADDR` for a direct link), each followed by its `prohibit D metric 1`. */
export function uplinkTableRoutes(state: KernelState, uplink: string): NdRoute[] {
  const prohibit = routesOf(state, uplink, 'prohibit');
  // a lease's route is the DHCP client's to add (networkd: [DHCPv4] RouteTable=)
  const fixed = (r: Route) => !isRuntime(r.gateway) && !isRuntime(r.source);
  return routesOf(state, uplink, 'uplink').flatMap((r) => [...(fixed(r) ? [r] : []), ...prohibit.filter((p) => explicitTarget(p) === explicitTarget(r))].map(ndRoute));
}

/** `GW dev IF scope link` in main, so an onlink gateway is reached through its own line (seed 004). */
export const onlinkHostRoute = (state: KernelState, uplink: string): NdRoute[] => routesOf(state, uplink, 'gateway-host').map(ndRoute);

function ndRule(r: Rule): NdRule {
  const out: NdRule = { table: tableWord(r.table), priority: r.priority };
  if (r.from) out.from = fromText(r);
  if (r.fwmark !== undefined) out.firewallMark = fwmarkText(r);
  if (r.suppressPrefixLength !== undefined) out.suppressPrefixLength = r.suppressPrefixLength;
  return out;
}

export const uplinkRule = (state: KernelState, uplink: string): NdRule => ndRule(uplinkRuleState(state, uplink));

/** The uplink's fwmark rule (connections pinned to it use its table), when marks exist. */
export const markRules = (state: KernelState, uplink: string): NdRule[] => markRuleState(state, uplink).map(ndRule);

/** The rules that belong to no single uplink: the suppress rule always, the multipath rule without teql. */
export const sharedRules = (state: KernelState): NdRule[] => sharedRuleState(state).map(ndRule);

/** teql mode: every destination via the bond gateway on teqlN, onlink (teqlN is NOARP), in main. */
export const bondRoutes = (state: KernelState): NdRoute[] => routesByRole(state, 'bond').map(ndRoute);

/** An argv for the hook unit; every element is a validated model value or a fixed word. */
export type Command = string[];

export interface MultipathPlan {
  /** [Route] sections with MultiPathRoute=, for the .network that carries the shared routing */
  routes: NdRoute[];
  /** commands the hook unit runs instead, when networkd cannot express the route */
  hookStart: Command[];
  hookStop: Command[];
  /** why the hook carries the route, for the unit's comment */
  hookWhy: string | undefined;
  notes: string[];
}

/**
 * How the multipath table gets its routes. MultiPathRoute= (v245) takes
 * "GW@IF WEIGHT" and needs a gateway on every nexthop (device-only nexthops
 * arrived only in a much later networkd), and it cannot set the equalize
 * flag. Whatever it cannot say goes to the hook unit as `ip route replace`.
 * The equalize flag is dropped everywhere, with a note.
 */
export function multipathPlan(state: KernelState, caps: Capabilities, systemd: number): MultipathPlan {
  const plan: MultipathPlan = { routes: [], hookStart: [], hookStop: [], hookWhy: undefined, notes: [] };
  // dynamic uplinks' nexthops are the keepalive's to add, once they have a lease
  const routes = routesByRole(state, 'multipath')
    .map((r) => ({ ...r, nexthops: staticNexthops(state, r) }))
    .filter((r) => r.nexthops.length > 0);
  const first = routes[0];
  if (!first) return plan;
  const mt = first.table;
  const equalize = routes.some((r) => r.equalize);
  const direct = first.nexthops.filter((n) => n.gateway === undefined);
  // systemd-networkd 252 drops GatewayOnLink= from MultiPathRoute= nexthops
  // (seen in test/backends/networkd-netns.test.ts: seed 004 came out without
  // onlink), and the setting is per [Route], not per nexthop anyway.
  const onlink = first.nexthops.filter((n) => n.onlink);
  const native = caps.networkdMultipath && direct.length === 0 && onlink.length === 0;
  if (native) {
    if (equalize) plan.notes.push(equalizeNote(mt));
    for (const r of routes) plan.routes.push({ ...ndRoute(r), multipath: r.nexthops.map((n) => `${literal(n.gateway!)}@${n.interface} ${n.weight}`) });
    if (!caps.networkdMultipathWithoutCarrier) {
      const v = since('networkdMultipathWithoutCarrier');
      plan.notes.push(
        `networkd ${systemd}: the multipath route in table ${mt} is installed only once every uplink has carrier (ConfigureWithoutCarrier= does not lift this for MultiPathRoute= nexthops before systemd ${v}); until then the keepalive is what restores balancing after a dead link at boot.`,
      );
    }
    return plan;
  }
  const why = !caps.networkdMultipath
    ? `systemd ${systemd} has no MultiPathRoute= (${needs('networkdMultipath')})`
    : direct.length > 0
      ? `MultiPathRoute= needs a gateway on every nexthop and ${direct.map((n) => n.uplink).join(', ')} ${direct.length === 1 ? 'is a direct link' : 'are direct links'}`
      : `MultiPathRoute= does not carry onlink to its nexthops (${onlink.map((n) => n.uplink).join(', ')} need it)`;
  for (const r of routes) {
    const dest = explicitTarget(r);
    const cmd: Command = ['ip', 'route', 'replace', dest, 'table', String(r.table), 'proto', r.protocol];
    for (const n of r.nexthops) {
      cmd.push('nexthop');
      if (n.gateway !== undefined) cmd.push('via', literal(n.gateway));
      cmd.push('dev', n.interface, 'weight', String(n.weight));
      if (n.onlink) cmd.push('onlink');
    }
    plan.hookStart.push(cmd);
    plan.hookStop.push(['ip', 'route', 'del', dest, 'table', String(r.table)]);
  }
  plan.hookWhy = why;
  if (equalize) plan.notes.push(equalizeNote(mt));
  plan.notes.push(`networkd: ${why}; the multipath route in table ${mt} is installed by ${state.names.units.routesHook} (ip route replace) after systemd-networkd.`);
  return plan;
}

const equalizeNote = (mt: number): string =>
  `networkd/netplan: the equalize flag is dropped (MultiPathRoute= cannot set it and iproute2 6.x no longer parses it); table ${mt} gets a plain multipath route, which is what kernels since 3.6 do with the flag anyway.`;

/** The teql slave qdisc as hook commands, for networkd without [TrivialLinkEqualizer] (< 245). */
export function teqlHook(state: KernelState): { start: Command[]; stop: Command[] } {
  return {
    start: state.qdiscs.map((q) => ['tc', 'qdisc', 'replace', 'dev', q.interface, q.parent, q.kind]),
    stop: state.qdiscs.map((q) => ['tc', 'qdisc', 'del', 'dev', q.interface, q.parent]),
  };
}

/** IPv4ReversePathFilter= values for the kernel's 0/1/2. */
export function rpFilterWord(v: 0 | 1 | 2): 'no' | 'strict' | 'loose' {
  return v === 0 ? 'no' : v === 1 ? 'strict' : 'loose';
}

/**
 * The [DHCPv4] section of a DHCP uplink (networkd's own .network, and netplan's drop-in: netplan
 * has no key for it): every route of the lease, default included, into the uplink's table, never
 * main, at metric 0 (networkd's default, 1024, would lose to the table's prohibit fallback).
 */
export const dhcpSection = (table: number): { name: string; keys: { key: string; value: string }[] } => ({
  name: 'DHCPv4',
  keys: [
    { key: 'RouteTable', value: String(table) },
    { key: 'RouteMetric', value: '0' },
  ],
});
