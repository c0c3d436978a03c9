/**
 * What `mpgen check` reads from the kernel, kept as the raw JSON that
 * `ip -j` and `tc -j` print, so a snapshot recorded on one box (or printed by
 * a VM guest on its console) can be checked anywhere, without root.
 *
 * The check accepts both the symbolic (`ip -j`) and the numeric (`ip -N -j`)
 * spellings of tables, route types and protocols; readKernel uses -N so that
 * table names from /etc/iproute2/rt_tables.d never hide the ids.
 */

export interface IpAddrInfo {
  family: string;
  local?: string;
  prefixlen?: number;
  [k: string]: unknown;
}

/** One entry of `ip -j addr show`. */
export interface IpLink {
  ifname: string;
  flags?: string[];
  operstate?: string;
  mtu?: number;
  link_type?: string;
  addr_info?: IpAddrInfo[];
  [k: string]: unknown;
}

/** One entry of `ip -j -4 rule show`. */
export interface IpRule {
  priority?: number;
  src?: string;
  srclen?: number;
  table?: string;
  suppress_prefixlen?: number;
  /** "0x100"; with a mask other than 0xffffffff, fwmask "0x3f00" beside it */
  fwmark?: string;
  fwmask?: string;
  action?: string;
  [k: string]: unknown;
}

export interface IpNexthop {
  gateway?: string;
  dev?: string;
  weight?: number;
  flags?: string[];
  [k: string]: unknown;
}

/** One entry of `ip -j -4 route show table all`. */
export interface IpRoute {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  /** absent for the main table */
  table?: string;
  protocol?: string;
  prefsrc?: string;
  metric?: number;
  flags?: string[];
  nexthops?: IpNexthop[];
  [k: string]: unknown;
}

/** One entry of `tc -j qdisc show`. */
export interface TcQdisc {
  kind: string;
  handle?: string;
  dev: string;
  root?: boolean;
  parent?: string;
  [k: string]: unknown;
}

/** What /proc says about a process that a keepalive status file names. */
export interface ProcInfo {
  /** the state letter from /proc/PID/stat (R, S, D, Z, ...) */
  state: string;
  /** /proc/PID/cmdline with NULs turned into spaces */
  cmdline: string;
  /** /proc/PID/cgroup as read */
  cgroup: string;
}

export interface KernelSnapshot {
  links: IpLink[];
  rules: IpRule[];
  routes: IpRoute[];
  qdiscs: TcQdisc[];
  /**
   * Sysctl values keyed by their path under /proc/sys with dots, e.g.
   * "net.ipv4.conf.all.rp_filter". A missing key means the file was absent.
   */
  sysctl: Record<string, string>;
  /** keepalive status files, keyed by profile name (from /run/mpgen/NAME.status) */
  keepaliveStatus?: Record<string, string>;
  /** /proc facts for the pids named in the status files; null = no such process */
  processes?: Record<string, ProcInfo | null>;
}

const TABLE_NAMES: Record<string, number> = { unspec: 0, default: 253, main: 254, local: 255 };

/** Table id of a rule or route; routes without a table key are in main. */
export function tableId(table: string | undefined): number | undefined {
  if (table === undefined) return 254;
  if (/^\d+$/.test(table)) return Number(table);
  return TABLE_NAMES[table];
}

const ROUTE_TYPES: Record<string, string> = {
  '1': 'unicast',
  '2': 'local',
  '3': 'broadcast',
  '4': 'anycast',
  '5': 'multicast',
  '6': 'blackhole',
  '7': 'unreachable',
  '8': 'prohibit',
  '9': 'throw',
  '10': 'nat',
};

/** "unicast" when ip omits the type, as it does for ordinary routes. */
export function routeType(r: IpRoute): string {
  if (r.type === undefined) return 'unicast';
  return ROUTE_TYPES[r.type] ?? r.type;
}

const PROTOCOLS: Record<string, string> = { '0': 'unspec', '1': 'redirect', '2': 'kernel', '3': 'boot', '4': 'static' };

export function routeProtocol(r: IpRoute): string | undefined {
  if (r.protocol === undefined) return undefined;
  return PROTOCOLS[r.protocol] ?? r.protocol;
}
