/**
 * The routing part of docs/kernel-state.md in systemd-networkd terms, shared
 * by the networkd backend (its own .network files) and the netplan backend
 * (netplan YAML plus networkd drop-ins for what netplan cannot say).
 *
 * Everything here is data: which [Route] and [RoutingPolicyRule] sections
 * exist, and which kernel state networkd cannot express natively and a hook
 * unit has to install with ip(8)/tc(8) instead.
 */
import type { Capabilities } from '../distros/distro.js';
import type { Destination, Model, Uplink } from '../model/model.js';

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
export function destinationOf(d: Destination): string {
  return d === 'default' ? '0.0.0.0/0' : d;
}

/** Table T of one uplink: `D via GW dev IF src ADDR [onlink]` (or `D dev IF src ADDR` for a direct link), plus `prohibit D metric 1`. */
export function uplinkTableRoutes(model: Model, u: Uplink): NdRoute[] {
  const out: NdRoute[] = [];
  for (const d of model.routes) {
    const destination = destinationOf(d);
    out.push({
      destination,
      table: u.table,
      gateway: u.gateway,
      preferredSource: u.address.address,
      onLink: u.onlink && u.gateway !== undefined,
      scope: u.gateway === undefined ? 'link' : undefined,
      multipath: [],
    });
    if (model.routing.prohibitFallback) {
      out.push({ destination, table: u.table, type: 'prohibit', metric: 1, onLink: false, multipath: [] });
    }
  }
  return out;
}

/** `GW dev IF scope link` in main, so an onlink gateway is reached through its own line (seed 004). */
export function onlinkHostRoute(u: Uplink): NdRoute[] {
  if (!u.onlink || u.gateway === undefined) return [];
  return [{ destination: `${u.gateway}/32`, scope: 'link', onLink: false, multipath: [] }];
}

export function uplinkRule(u: Uplink): NdRule {
  return { from: u.ruleFrom, table: String(u.table), priority: u.rulePriority };
}

/** The rules that belong to no single uplink: the suppress rule always, the multipath rule without teql. */
export function sharedRules(model: Model): NdRule[] {
  const rt = model.routing;
  const rules: NdRule[] = [{ table: 'main', priority: rt.mainRulePriority, suppressPrefixLength: 0 }];
  if (model.mode !== 'teql') rules.push({ table: String(rt.multipathTable), priority: rt.multipathRulePriority });
  return rules;
}

/** teql mode: every destination via the bond gateway on teqlN, onlink (teqlN is NOARP), in main. */
export function bondRoutes(model: Model): NdRoute[] {
  const bond = model.bond;
  if (!bond) return [];
  return model.routes.map((d) => ({ destination: destinationOf(d), gateway: bond.gateway, onLink: true, multipath: [] }));
}

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
export function multipathPlan(model: Model, caps: Capabilities, systemd: number): MultipathPlan {
  const plan: MultipathPlan = { routes: [], hookStart: [], hookStop: [], hookWhy: undefined, notes: [] };
  if (model.mode === 'teql') return plan;
  const mt = model.routing.multipathTable;
  const direct = model.uplinks.filter((u) => u.gateway === undefined);
  // systemd-networkd 252 drops GatewayOnLink= from MultiPathRoute= nexthops
  // (seen in test/backends/networkd-netns.test.ts: seed 004 came out without
  // onlink), and the setting is per [Route], not per nexthop anyway.
  const onlink = model.uplinks.filter((u) => u.onlink && u.gateway !== undefined);
  const native = caps.networkdMultipath && direct.length === 0 && onlink.length === 0;
  if (native) {
    if (model.mode === 'equalize') plan.notes.push(equalizeNote(mt));
    for (const d of model.routes) {
      plan.routes.push({
        destination: destinationOf(d),
        table: mt,
        onLink: false,
        multipath: model.uplinks.map((u) => `${u.gateway}@${u.interface} ${u.weight}`),
      });
    }
    if (systemd < MULTIPATH_WITHOUT_CARRIER) {
      plan.notes.push(
        `networkd ${systemd}: the multipath route in table ${mt} is installed only once every uplink has carrier (ConfigureWithoutCarrier= does not lift this for MultiPathRoute= nexthops before systemd ${MULTIPATH_WITHOUT_CARRIER}); until then the keepalive is what restores balancing after a dead link at boot.`,
      );
    }
    return plan;
  }
  const why = !caps.networkdMultipath
    ? `systemd ${systemd} has no MultiPathRoute= (needs 245)`
    : direct.length > 0
      ? `MultiPathRoute= needs a gateway on every nexthop and ${direct.map((u) => u.name).join(', ')} ${direct.length === 1 ? 'is a direct link' : 'are direct links'}`
      : `MultiPathRoute= does not carry onlink to its nexthops (${onlink.map((u) => u.name).join(', ')} need it)`;
  for (const d of model.routes) {
    const dest = destinationOf(d);
    const cmd: Command = ['ip', 'route', 'replace', dest, 'table', String(mt), 'proto', 'static'];
    for (const u of model.uplinks) {
      cmd.push('nexthop');
      if (u.gateway !== undefined) cmd.push('via', u.gateway);
      cmd.push('dev', u.interface, 'weight', String(u.weight));
      if (u.onlink && u.gateway !== undefined) cmd.push('onlink');
    }
    plan.hookStart.push(cmd);
    plan.hookStop.push(['ip', 'route', 'del', dest, 'table', String(mt)]);
  }
  plan.hookWhy = why;
  if (model.mode === 'equalize') plan.notes.push(equalizeNote(mt));
  plan.notes.push(`networkd: ${why}; the multipath route in table ${mt} is installed by mpgen-routes-${model.name}.service (ip route replace) after systemd-networkd.`);
  return plan;
}

const equalizeNote = (mt: number): string =>
  `networkd/netplan: the equalize flag is dropped (MultiPathRoute= cannot set it and iproute2 6.x no longer parses it); table ${mt} gets a plain multipath route, which is what kernels since 3.6 do with the flag anyway.`;

/**
 * Before this version networkd installs a MultiPathRoute= only when every
 * nexthop link has carrier, whatever ConfigureWithoutCarrier= says. Observed
 * with systemd 252 in a network namespace (test/backends/networkd-netns);
 * current upstream (networkd-route-nexthop.c) asks carrier only of links it
 * does not manage. The exact release of that change was not verified here;
 * 256 is where the nexthop code was reworked.
 */
export const MULTIPATH_WITHOUT_CARRIER = 256;

/** The teql slave qdisc as hook commands, for networkd without [TrivialLinkEqualizer] (< 245). */
export function teqlHook(model: Model): { start: Command[]; stop: Command[] } {
  const bond = model.bond;
  if (!bond) return { start: [], stop: [] };
  return {
    start: model.uplinks.map((u) => ['tc', 'qdisc', 'replace', 'dev', u.interface, 'root', bond.interface]),
    stop: model.uplinks.map((u) => ['tc', 'qdisc', 'del', 'dev', u.interface, 'root']),
  };
}

/** IPv4ReversePathFilter= values for the kernel's 0/1/2. */
export function rpFilterWord(v: 0 | 1 | 2): 'no' | 'strict' | 'loose' {
  return v === 0 ? 'no' : v === 1 ? 'strict' : 'loose';
}
