/**
 * The normalized model: every default resolved, every address parsed, every
 * table and rule priority allocated. Templates, backends and packers see only
 * this type (never the profile as written), so they need no defaulting logic.
 *
 * Every string in here that can reach a shell script, unit or config file has
 * passed a strict pattern in src/profile/schema.ts.
 */

export type Mode = 'teql' | 'multipath' | 'equalize';
export type NatKind = 'masquerade' | 'snat' | 'none';
export type Firewall = 'nftables' | 'iptables' | 'none';
export type RpFilter = 'loose' | 'strict' | 'off';

/** An IPv4 interface address with its prefix, and everything derived from it. */
export interface Cidr {
  /** "172.16.8.1/30" — the host address with prefix, as written in ip(8) commands. */
  cidr: string;
  /** "172.16.8.1" */
  address: string;
  /** 30 */
  prefix: number;
  /** "255.255.255.252" (ifcfg NETMASK=, ENI netmask) */
  netmask: string;
  /** "172.16.8.0" */
  network: string;
  /** "172.16.8.0/30" — the subnet, used in `from SUBNET` rules and NAT matches. */
  networkCidr: string;
  /** "172.16.8.3" (undefined for /31 and /32) */
  broadcast?: string;
}

/** How an uplink gets its address: written in the profile, a DHCPv4 lease, or a PPPoE session. */
export type Addressing = 'static' | 'dhcp' | 'pppoe';

export interface Pppoe {
  /** [A-Za-z0-9._@+=:/-]{1,64} */
  username: string;
  /** inline secret: it lands in mode-0600 files and in the package (mpgen warns) */
  password?: string;
  /** a file on the target box, read by pppd (`@FILE` in the secrets file); never read or packed by mpgen */
  passwordFile?: string;
  /** access-concentrator service name ("" or absent: any) */
  service?: string;
  /** the PPP interface, pppN */
  device: string;
  /** N of pppN (pppd `unit N`) */
  unit: number;
}

export interface Uplink {
  /** 0-based position in the profile's uplinks list. */
  index: number;
  /** [a-z][a-z0-9_-]{0,14} */
  name: string;
  /** kernel interface name, 1..15 chars of [A-Za-z0-9_.-]; for PPPoE the Ethernet carrying the session */
  interface: string;
  addressing: Addressing;
  /** the interface that holds the uplink's address and routes: `interface`, or the PPP device */
  device: string;
  /** static uplinks only: a lease or session is known at run time (src/state/value.ts) */
  address?: Cidr;
  pppoe?: Pppoe;
  /** next hop; undefined = direct link (`nexthop dev X` only, seed 000) */
  gateway?: string;
  onlink: boolean;
  /** 1..256 */
  weight: number;
  /** lower-case aa:bb:cc:dd:ee:ff */
  mac?: string;
  mtu?: number;
  /** policy routing table of this uplink (seed 001: 201, 202, ...) */
  table: number;
  /** priority of the `from ADDR/32 lookup TABLE` rule (base + 1 + index) */
  rulePriority: number;
  /**
   * selector of the per-uplink rule: the uplink's own address as a /32
   * ("192.0.2.2/32"). Seed 001 matched the subnet; the host address is what
   * the kernel selects by, and stays unambiguous when subnets overlap (seed 004
   * has two uplinks in one /29).
   */
  ruleFrom?: string;
  /**
   * true when the uplink's connected subnet overlaps a balanced destination
   * (seed 000 balances the very subnet both NICs sit on): the address is added
   * without its prefix route (noprefixroute), or the connected route would win
   * over the multipath route.
   */
  noPrefixRoute: boolean;
  /** NAT for traffic leaving through this uplink (teql mode: always 'none'; NAT sits on the bond) */
  nat: NatKind;
  /** keepalive targets; default [gateway], or [bond.gateway] in teql mode, or [] for a direct link */
  probe: string[];
  /** a dynamic uplink without probe: probe its current gateway (the lease's router, the PPP peer) */
  probeGateway: boolean;
  /** far targets probed beside `probe` (keepalive.targets), [] when the uplink sets its own probe */
  far: string[];
  /** failover tier, 1..16: the balance holds the live uplinks of the lowest tier that has one */
  tier: number;
}

/** A port or a range, inclusive. */
export interface PortRange {
  from: number;
  to: number;
}

export interface Policy {
  /** [a-z][a-z0-9_-]{0,14} */
  name: string;
  /** 0-based position: the first matching policy wins */
  index: number;
  protocol?: 'tcp' | 'udp' | 'icmp';
  dport: PortRange[];
  sport: PortRange[];
  /** normalized subnets "198.51.100.0/25" */
  src: string[];
  dst: string[];
  /** uplink names in order of preference */
  uplinks: string[];
  fallback: 'balance' | 'none';
}

export interface Bond {
  /** teqlN */
  interface: string;
  /** N of teqlN */
  index: number;
  address: Cidr;
  gateway: string;
  /** smallest uplink MTU when any uplink sets one (the teql master's MTU is the smallest slave MTU) */
  mtu?: number;
  nat: NatKind;
}

export interface Lan {
  interface: string;
  address: Cidr;
}

export interface Routing {
  multipathTable: number;
  /** rule_priority_base */
  rulePriorityBase: number;
  /** priority of `lookup main suppress_prefixlength 0` (= base): connected and LAN routes win over the uplink tables */
  mainRulePriority: number;
  /** priority of `lookup <multipathTable>` (base + 22, or base + n + 1 when more than 21 uplinks) */
  multipathRulePriority: number;
  prohibitFallback: boolean;
  hash: 'l3' | 'l4';
  /** value of net.ipv4.fib_multipath_hash_policy */
  hashPolicy: 0 | 1;
  /** connections stay on the uplink of their first packet (connection marks); never in teql mode or without a firewall */
  pinFlows: boolean;
}

export interface Keepalive {
  enabled: boolean;
  method: 'ping' | 'arping';
  intervalMs: number;
  timeoutMs: number;
  down: number;
  up: number;
  /** far targets (keepalive.targets, default DEFAULTS.targets) */
  targets: string[];
}

export interface PackageMeta {
  name: string;
  version: string;
  /** rpm Release / deb revision; "1" */
  release: string;
  maintainer: string;
  /**
   * Unix seconds used as mtime of every packed file when SOURCE_DATE_EPOCH is
   * unset: derived from the profile contents, never from the clock.
   */
  defaultEpoch: number;
}

/** A destination balanced over the uplinks: "default" or a normalized subnet "192.168.1.0/24". */
export type Destination = string;

export interface Model {
  /** profile name ([a-z][a-z0-9-]{0,30}); used in file, unit and package names */
  name: string;
  /** free text; only ever written into comments after sanitizing, never into shell */
  description?: string;
  /**
   * where the profile was read from (a path, "<stdin>" or the default's label), for messages only:
   * no rendered or packed file may contain it (a path may hold any character, and a package's
   * bytes must not depend on where its profile was read from)
   */
  source: string;
  mode: Mode;
  lan?: Lan;
  uplinks: Uplink[];
  /** present exactly when mode is teql */
  bond?: Bond;
  routes: Destination[];
  routing: Routing;
  /** per-traffic steering, in profile order (first match wins); never in teql mode */
  policies: Policy[];
  nat: NatKind;
  firewall: Firewall;
  sysctl: {
    rpFilter: RpFilter;
    /** 0 off, 1 strict, 2 loose */
    rpFilterValue: 0 | 1 | 2;
    /** net.ipv4.ip_forward = 1 is emitted when true and a lan is present */
    forwarding: boolean;
  };
  keepalive: Keepalive;
  package: PackageMeta;
  /** non-fatal findings from normalization (e.g. "equalize is ignored by kernels since 3.6") */
  warnings: string[];
}
