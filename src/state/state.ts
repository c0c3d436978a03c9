/**
 * The kernel state a profile asks for (docs/kernel-state.md), as typed data:
 * the links, addresses, routes, rules, sysctls, qdiscs and netfilter objects,
 * and the names they go by. Built once from the model (kernelState()); every
 * backend only translates it into its own format, and `mpgen check` compares
 * the live kernel with the same lists.
 */
import type { Addressing, Destination, Mode, NatKind, Policy } from '../model/model.js';
import type { Addr, Prefixed } from './value.js';
import type { Names } from './names.js';

/** Table ids the kernel reserves. */
export const MAIN_TABLE = 254;

export type LinkRole = 'uplink' | 'lan' | 'bond';

export interface Link {
  role: LinkRole;
  /** the uplink's name, or "lan" / "bond" */
  name: string;
  interface: string;
  mtu?: number;
  mac?: string;
  /** a teql master carries no carrier of its own (NOARP, no lower link) */
  needsCarrier: boolean;
}

export interface Address {
  interface: string;
  /** uplink name, "lan" or "bond" */
  owner: string;
  local: Prefixed;
  /** the subnet, "172.16.8.0/30" (for the connected route a noprefixroute address lacks) */
  network: string;
  broadcast?: string;
  /** added without its prefix route: the subnet overlaps a balanced destination */
  noPrefixRoute: boolean;
}

export interface Nexthop {
  uplink: string;
  interface: string;
  /** undefined: a direct link (`nexthop dev IF`) */
  gateway?: Addr;
  weight: number;
  onlink: boolean;
}

/**
 * What a route is for, so a backend can group routes as its format wants:
 * `uplink` (table T: D via GW), `prohibit` (table T fallback), `gateway-host`
 * (main: the onlink gateway), `multipath` (table MT), `bond` (main, teql).
 */
export type RouteRole = 'uplink' | 'prohibit' | 'gateway-host' | 'multipath' | 'bond';

/** A balanced destination, or one host (the onlink gateway's /32). */
export type RouteTarget = { kind: 'destination'; destination: Destination } | { kind: 'host'; host: Addr };

export interface Route {
  role: RouteRole;
  /** uplink name for uplink, prohibit and gateway-host routes; "bond" or "shared" otherwise */
  owner: string;
  table: number;
  type: 'unicast' | 'prohibit';
  to: RouteTarget;
  gateway?: Addr;
  interface?: string;
  /** preferred source (`src ADDR`) */
  source?: Addr;
  scope?: 'link';
  metric?: number;
  onlink: boolean;
  /** always `proto static` */
  protocol: 'static';
  /** multipath routes: one per uplink, in profile order */
  nexthops: Nexthop[];
  /** ask for the legacy equalize flag (kernels since 3.6 ignore it) */
  equalize: boolean;
}

export type RuleRole = 'main' | 'uplink' | 'multipath' | 'mark';

export interface Rule {
  role: RuleRole;
  /** uplink name for uplink and mark rules, "shared" otherwise */
  owner: string;
  priority: number;
  /** undefined: from all */
  from?: Prefixed;
  fwmark?: number;
  mask?: number;
  table: number;
  suppressPrefixLength?: number;
}

export interface Sysctl {
  /** path components under /proc/sys: ["net", "ipv4", "conf", "eth0.10", "rp_filter"] */
  path: string[];
  value: number;
  /** why, for the comment in the sysctl.d file */
  why: string;
  /** an interface's rp_filter: checked as the effective max(all, iface) */
  rpFilter?: { interface: string; owner: string; word: string };
  /** a short gloss of the value for `mpgen check` ("l4") */
  gloss?: string;
  /**
   * the interface exists only while its session is up (a PPP device): the session's ip-up hook
   * sets it, not sysctl.d, and `mpgen check` looks at it only while the device is there
   */
  atLinkUp?: boolean;
}

export interface Qdisc {
  interface: string;
  owner: string;
  parent: 'root';
  /** "teql0": the slave's root qdisc is the teql master itself */
  kind: string;
}

export interface Nat {
  interface: string;
  /** the address traffic leaving through the interface gets (and keeps: saddr != ADDR) */
  address: Addr;
  kind: Exclude<NatKind, 'none'>;
}

/**
 * The bits of the packet and connection mark mpgen owns: 6 bits, room for 63 values, as mwan3's
 * default mask. Uplink N (0-based) is (N + 1) << 8; the top value refuses a policy's connection.
 */
export const MARK_MASK = 0x3f00;
export const REJECT_MARK = 0x3f00;
export const markOfIndex = (index: number): number => (index + 1) << 8;

/** A connection mark that pins a flow to its uplink, and routes it through the uplink's table. */
export interface Mark {
  uplink: string;
  interface: string;
  table: number;
  mark: number;
  mask: number;
}

/** A policy as the netfilter translation needs it (docs/kernel-state.md, "Steering"): the model's, as it is. */
export type PolicyState = Policy;

/**
 * Connection steering in netfilter: with pinning, new connections get the mark of the uplink they
 * leave (or arrive) by, and every later packet carries it; policies set the mark of their current
 * uplink first. Marks and policies exist only outside teql mode and with a firewall.
 */
export interface Steering {
  pinFlows: boolean;
  mask: number;
  /** a policy with fallback none and no live uplink marks its new connections with this; they are refused */
  rejectMark: number;
  policies: PolicyState[];
}

/** An uplink as the state sees it: where it sits in the balance. */
export interface UplinkState {
  name: string;
  index: number;
  interface: string;
  /** static, or learned at run time from a DHCPv4 lease or a PPPoE session */
  addressing: Addressing;
  /** the interface that holds the address and routes: `interface`, or the PPP device */
  device: string;
  table: number;
  weight: number;
  /** failover tier, 1 = the first: tier 1 is the balance at boot, and the one the keepalive fails open to */
  tier: number;
  /**
   * what the keepalive probes through the uplink's table: the profile's `probe`, by default the
   * gateway (a teql slave without one: the bond's gateway), none for a direct link. Addresses, so
   * a DHCP uplink's default can be its leased router, which only the keepalive itself will know.
   */
  probe: Addr[];
  /** probe the current gateway (the lease's router, the PPP peer): known only at run time */
  probeGateway: boolean;
  /** far targets probed beside `probe` (keepalive.targets); a quorum over both lists decides */
  far: Addr[];
}

/**
 * A PPPoE session (pppd with the rp-pppoe plugin on `parent`), as every backend that runs pppd
 * writes it; NetworkManager's pppoe connection sets the same values in its own keys.
 */
export interface PppSession {
  uplink: string;
  /** the Ethernet that carries the session */
  parent: string;
  /** pppN, and N (pppd `unit N`) */
  device: string;
  unit: number;
  /** pppd's `call` name, its `ipparam` and the secrets' server field (`remotename`) */
  peer: string;
  username: string;
  /** where pppd reads the password: `@PATH` in chap-secrets and pap-secrets */
  secretPath: string;
  /** an inline password: mpgen ships it at secretPath, mode 0600 (the profile warned) */
  inlinePassword?: string;
  /** access-concentrator service name; undefined: any */
  service?: string;
  mtu: number;
  /** LCP echo every N s; the session is dead after M unanswered (about N*M s) */
  lcpEchoInterval: number;
  lcpEchoFailure: number;
  /** seconds pppd waits before it dials again (persist, maxfail 0: forever) */
  holdoff: number;
  /** the uplink's table, and the destinations the session's hook routes through the device there */
  table: number;
}

/** TCP MSS clamping on one interface, both ways (docs/kernel-state.md, "PPPoE"). */
export interface MssClamp {
  interface: string;
  /** the MSS a SYN that arrives by the interface is cut to: its MTU less 40 (IPv4 and TCP headers) */
  mss: number;
}

export interface KernelState {
  profile: string;
  mode: Mode;
  uplinks: UplinkState[];
  links: Link[];
  addresses: Address[];
  routes: Route[];
  rules: Rule[];
  sysctls: Sysctl[];
  qdiscs: Qdisc[];
  nat: Nat[];
  marks: Mark[];
  steering: Steering;
  /** PPPoE sessions, one per `address: pppoe` uplink */
  sessions: PppSession[];
  /**
   * interfaces whose forwarded TCP SYNs get their MSS clamped to the route's MTU (`tcp option
   * maxseg size set rt mtu`): a PPP link's 1492 bytes, below what LAN clients assume
   */
  mssClamp: MssClamp[];
  /** the teql master, in teql mode */
  bond?: { interface: string; index: number; gateway: Addr };
  names: Names;
}
