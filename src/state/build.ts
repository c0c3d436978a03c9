/**
 * Model -> KernelState: docs/kernel-state.md as code. The only place that
 * decides which routes, rules, sysctls, qdiscs and NAT objects a profile
 * means; backends and `mpgen check` read the result.
 */
import type { Cidr, Model, Uplink } from '../model/model.js';
import { connectionId, namesOf } from './names.js';
import { MAIN_TABLE, MARK_MASK, REJECT_MARK, markOfIndex, type PppSession, type Address, type KernelState, type Link, type Mark, type Nat, type Nexthop, type Qdisc, type Route, type Rule, type Steering, type Sysctl, type UplinkState } from './state.js';
import { lit, type Addr } from './value.js';

/**
 * Where an uplink's gateway is: a static one's, the router of a DHCP lease (known at run time), or
 * none: a direct link, and a PPP link, whose routes name the device alone.
 */
function gatewayOf(u: Uplink): Addr | undefined {
  if (u.addressing === 'dhcp') return { kind: 'lease', uplink: u.name, field: 'gateway' };
  return u.gateway === undefined ? undefined : lit(u.gateway);
}
/** The uplink's own address: written in the profile, or leased (DHCP, PPP IPCP) at run time. */
const addressOf = (u: Uplink): Addr => (u.address ? lit(u.address.address) : { kind: 'lease', uplink: u.name, field: 'address' });
/** onlink applies only through a gateway (`onlink: true` on a direct link means nothing). */
const onlinkOf = (u: Uplink): boolean => u.onlink && u.gateway !== undefined;

function links(m: Model): Link[] {
  // a PPPoE uplink's MTU is its session's (PppSession.mtu): the Ethernet under it keeps its own
  const out: Link[] = m.uplinks.map((u) => ({ role: 'uplink', name: u.name, interface: u.interface, mtu: u.addressing === 'pppoe' ? undefined : u.mtu, mac: u.mac, needsCarrier: true }));
  if (m.lan) out.push({ role: 'lan', name: 'lan', interface: m.lan.interface, needsCarrier: true });
  if (m.bond) out.push({ role: 'bond', name: 'bond', interface: m.bond.interface, mtu: m.bond.mtu, needsCarrier: false });
  return out;
}

function addresses(m: Model): Address[] {
  // a dynamic uplink's address is the DHCP client's or pppd's to set
  const out: Address[] = m.uplinks.flatMap((u) =>
    u.address
      ? [{ interface: u.interface, owner: u.name, local: { addr: addressOf(u), prefix: u.address.prefix }, network: u.address.networkCidr, broadcast: u.address.broadcast, noPrefixRoute: u.noPrefixRoute }]
      : [],
  );
  const plain = (iface: string, owner: string, a: Cidr): Address => ({
    interface: iface,
    owner,
    local: { addr: lit(a.address), prefix: a.prefix },
    network: a.networkCidr,
    broadcast: a.broadcast,
    noPrefixRoute: false,
  });
  if (m.lan) out.push(plain(m.lan.interface, 'lan', m.lan.address));
  if (m.bond) out.push(plain(m.bond.interface, 'bond', m.bond.address));
  return out;
}

/**
 * Every route with all its fields, in one order: one object shape for all of them (spreading a
 * shared base into object literals made V8 build slow dictionary objects, 10x slower to build).
 */
function route(r: Pick<Route, 'role' | 'owner' | 'table' | 'type' | 'to'> & Partial<Route>): Route {
  return {
    role: r.role,
    owner: r.owner,
    table: r.table,
    type: r.type,
    to: r.to,
    gateway: r.gateway,
    interface: r.interface,
    source: r.source,
    scope: r.scope,
    metric: r.metric,
    onlink: r.onlink ?? false,
    protocol: 'static',
    nexthops: r.nexthops ?? [],
    equalize: r.equalize ?? false,
  };
}

/** Per uplink: the onlink gateway's host route in main, then for each destination the route and its prohibit fallback. */
function uplinkRoutes(m: Model, u: Uplink): Route[] {
  const out: Route[] = [];
  const gateway = gatewayOf(u);
  if (onlinkOf(u) && gateway)
    out.push(route({ role: 'gateway-host', owner: u.name, table: MAIN_TABLE, type: 'unicast', to: { kind: 'host', host: gateway }, interface: u.interface, scope: 'link' }));
  for (const d of m.routes) {
    out.push(
      route({
        role: 'uplink',
        owner: u.name,
        table: u.table,
        type: 'unicast',
        to: { kind: 'destination', destination: d },
        gateway,
        interface: u.device,
        source: addressOf(u),
        scope: gateway ? undefined : 'link',
        onlink: onlinkOf(u),
      }),
    );
  }
  if (m.routing.prohibitFallback)
    for (const d of m.routes) out.push(route({ role: 'prohibit', owner: u.name, table: u.table, type: 'prohibit', to: { kind: 'destination', destination: d }, metric: 1 }));
  return out;
}

/**
 * A lease's router is on the link by definition, and its client may keep the subnet's route in the
 * uplink's table only (networkd), where the kernel's check of a multipath nexthop does not look:
 * the keepalive adds that nexthop onlink.
 */
export const nexthopOf = (u: Uplink): Nexthop => ({ uplink: u.name, interface: u.device, gateway: gatewayOf(u), weight: u.weight, onlink: u.addressing === 'dhcp' || onlinkOf(u) });

function sharedRoutes(m: Model): Route[] {
  const b = m.bond;
  if (b) {
    // teqlN is NOARP: the gateway, the address common to all routers, is reached onlink
    return m.routes.map((d) =>
      route({ role: 'bond', owner: 'bond', table: MAIN_TABLE, type: 'unicast', to: { kind: 'destination', destination: d }, gateway: lit(b.gateway), interface: b.interface, onlink: true }),
    );
  }
  // the balance at boot, and without a keepalive for good: tier 1 (the keepalive adds the others)
  const nexthops = m.uplinks.filter(inFirstTier).map(nexthopOf);
  return m.routes.map((d) =>
    route({
      role: 'multipath',
      owner: 'shared',
      table: m.routing.multipathTable,
      type: 'unicast',
      to: { kind: 'destination', destination: d },
      nexthops,
      equalize: m.mode === 'equalize',
    }),
  );
}

const inFirstTier = (u: Uplink): boolean => u.tier === 1;

/** Marks exist when something steers by them: pinned connections or policies (never in teql mode). */
const marked = (m: Model): boolean => m.mode !== 'teql' && m.firewall !== 'none' && (m.routing.pinFlows || m.policies.length > 0);

function marks(m: Model): Mark[] {
  return marked(m) ? m.uplinks.map((u) => ({ uplink: u.name, interface: u.device, table: u.table, mark: markOfIndex(u.index), mask: MARK_MASK })) : [];
}

/**
 * Rules in priority order: main without its default route, one per uplink, then the multipath table.
 * An uplink's mark rule shares the priority of its address rule: both select the uplink's table,
 * so their order does not matter, and every uplink count fits below the multipath rule.
 */
function rules(m: Model): Rule[] {
  const rt = m.routing;
  const out: Rule[] = [{ role: 'main', owner: 'shared', priority: rt.mainRulePriority, table: MAIN_TABLE, suppressPrefixLength: 0 }];
  const withMarks = marked(m);
  for (const u of m.uplinks) {
    out.push({ role: 'uplink', owner: u.name, priority: u.rulePriority, from: { addr: addressOf(u), prefix: 32 }, table: u.table });
    if (withMarks) out.push({ role: 'mark', owner: u.name, priority: u.rulePriority, fwmark: markOfIndex(u.index), mask: MARK_MASK, table: u.table });
  }
  if (m.mode !== 'teql') out.push({ role: 'multipath', owner: 'shared', priority: rt.multipathRulePriority, table: rt.multipathTable });
  return out;
}

const conf = (iface: string, leaf: string): string[] => ['net', 'ipv4', 'conf', iface, leaf];

function sysctls(m: Model): Sysctl[] {
  const v = m.sysctl.rpFilterValue;
  const word = m.sysctl.rpFilter;
  const out: Sysctl[] = [
    { path: conf('all', 'rp_filter'), value: 0, why: 'effective rp_filter is max(all, iface): 0 here lets each interface below govern itself' },
    ...m.uplinks.map((u) => ({ path: conf(u.interface, 'rp_filter'), value: v, why: `uplink ${u.name}`, rpFilter: { interface: u.interface, owner: u.name, word } })),
    // replies arrive on the PPP device, which exists only while the session is up
    ...m.uplinks
      .filter((u) => u.device !== u.interface)
      .map((u) => ({ path: conf(u.device, 'rp_filter'), value: v, why: `uplink ${u.name}, its PPP session`, rpFilter: { interface: u.device, owner: u.name, word }, atLinkUp: true })),
  ];
  if (m.bond) out.push({ path: conf(m.bond.interface, 'rp_filter'), value: v, why: 'teql bond: replies arrive on the slaves', rpFilter: { interface: m.bond.interface, owner: 'bond', word } });
  if (m.lan) out.push({ path: conf(m.lan.interface, 'rp_filter'), value: 1, why: 'lan: strict, against spoofed inside sources', rpFilter: { interface: m.lan.interface, owner: 'lan', word: 'strict' } });
  if (m.lan && m.sysctl.forwarding) out.push({ path: ['net', 'ipv4', 'ip_forward'], value: 1, why: 'route for the lan' });
  if (m.mode !== 'teql') {
    out.push(
      { path: ['net', 'ipv4', 'fib_multipath_hash_policy'], value: m.routing.hashPolicy, why: `${m.routing.hash} hash of new flows over the nexthops`, gloss: m.routing.hash },
      { path: ['net', 'ipv4', 'fib_multipath_use_neigh'], value: 1, why: 'skip nexthops whose gateway has no valid neighbour entry' },
      { path: conf('all', 'ignore_routes_with_linkdown'), value: 1, why: 'skip nexthops on links without carrier' },
    );
  }
  return out;
}

function qdiscs(m: Model): Qdisc[] {
  const b = m.bond;
  // higher tiers are attached by the keepalive, only while no tier-1 slave is live
  return b ? m.uplinks.filter(inFirstTier).map((u) => ({ interface: u.interface, owner: u.name, parent: 'root', kind: b.interface })) : [];
}

function nat(m: Model): Nat[] {
  if (m.bond) return m.bond.nat === 'none' ? [] : [{ interface: m.bond.interface, address: lit(m.bond.address.address), kind: m.bond.nat }];
  return m.uplinks.flatMap((u) => (u.nat === 'none' ? [] : [{ interface: u.device, address: addressOf(u), kind: u.nat }]));
}

/** pppd's LCP echoes: a dead session is noticed within about 2 * 3 s, like the keepalive's probes. */
const LCP_ECHO_INTERVAL = 2;
const LCP_ECHO_FAILURE = 3;
const PPP_HOLDOFF = 3;

function sessions(m: Model): PppSession[] {
  return m.uplinks.flatMap((u) => {
    const p = u.pppoe;
    if (u.addressing !== 'pppoe' || !p) return [];
    const peer = connectionId(m.name, u.name);
    return [
      {
        uplink: u.name,
        parent: u.interface,
        device: p.device,
        unit: p.unit,
        peer,
        username: p.username,
        secretPath: p.passwordFile ?? `/etc/mpgen/secrets/${peer.slice('mpgen-'.length)}`,
        inlinePassword: p.passwordFile === undefined ? p.password : undefined,
        service: p.service,
        mtu: u.mtu ?? 1492,
        lcpEchoInterval: LCP_ECHO_INTERVAL,
        lcpEchoFailure: LCP_ECHO_FAILURE,
        holdoff: PPP_HOLDOFF,
        table: u.table,
      },
    ];
  });
}

const uplinkState = (u: Uplink): UplinkState => ({
  name: u.name,
  index: u.index,
  interface: u.interface,
  addressing: u.addressing,
  device: u.device,
  table: u.table,
  weight: u.weight,
  tier: u.tier,
  probe: u.probe.map(lit),
  probeGateway: u.probeGateway,
  far: u.far.map(lit),
});

function steering(m: Model): Steering {
  const on = marked(m);
  return {
    pinFlows: on && m.routing.pinFlows,
    mask: MARK_MASK,
    rejectMark: REJECT_MARK,
    policies: on ? m.policies.map((p) => ({ name: p.name, index: p.index, protocol: p.protocol, dport: p.dport, sport: p.sport, src: p.src, dst: p.dst, uplinks: p.uplinks, fallback: p.fallback })) : [],
  };
}

export function kernelState(m: Model): KernelState {
  return {
    profile: m.name,
    mode: m.mode,
    uplinks: m.uplinks.map(uplinkState),
    links: links(m),
    addresses: addresses(m),
    routes: [...m.uplinks.flatMap((u) => uplinkRoutes(m, u)), ...sharedRoutes(m)],
    rules: rules(m),
    sysctls: sysctls(m),
    qdiscs: qdiscs(m),
    nat: nat(m),
    marks: marks(m),
    steering: steering(m),
    sessions: sessions(m),
    mssClamp: m.uplinks.filter((u) => u.addressing === 'pppoe').map((u) => ({ interface: u.device, mss: (u.mtu ?? 1492) - 40 })),
    bond: m.bond ? { interface: m.bond.interface, index: m.bond.index, gateway: lit(m.bond.gateway) } : undefined,
    names: namesOf(m),
  };
}
