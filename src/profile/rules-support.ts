/**
 * What the profile's rules share: the raw-value readers (fields may have failed the schema), the
 * address arithmetic and what the kernel calls a host address.
 */
import ipaddr from 'ipaddr.js';
import { quote } from '../base/printable.js';
import { CIDR_RE, IPV4_RE } from './schema.js';

export type KeyPath = Array<string | number>;

export interface Finding {
  path: KeyPath;
  message: string;
  hint?: string;
  severity?: 'error' | 'warning';
  /** point at the key instead of the value */
  at?: 'key';
  /**
   * This finding explains a value that the schema refuses, better than the schema's generic
   * "is not valid here": the loader then drops the schema's problem at the same path (the rule
   * must report every value the pattern refuses, or the value would pass unexplained).
   */
  supersedes?: 'schema';
}

export type Raw = Record<string, unknown>;
export type Rule = (p: Raw) => Finding[];

export const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/**
 * Every rule reads the same few addresses again: each string is parsed once, and the same
 * (read-only) value is handed out, so caches keyed by it (edges) hit too. Bounded: a batch reads
 * many profiles in one process.
 */
const parsed = new Map<string, [ipaddr.IPv4, number] | ipaddr.IPv4 | undefined>();
function memo<T extends [ipaddr.IPv4, number] | ipaddr.IPv4>(key: string, make: () => T | undefined): T | undefined {
  if (parsed.has(key)) return parsed.get(key) as T | undefined;
  if (parsed.size >= 4096) parsed.clear();
  const v = make();
  parsed.set(key, v);
  return v;
}
export const cidr = (v: unknown): [ipaddr.IPv4, number] | undefined =>
  typeof v === 'string' ? memo(`c${v}`, () => (CIDR_RE.test(v) ? (ipaddr.IPv4.parseCIDR(v) as [ipaddr.IPv4, number]) : undefined)) : undefined;
export const ip = (v: unknown): ipaddr.IPv4 | undefined =>
  typeof v === 'string' ? memo(`a${v}`, () => (IPV4_RE.test(v) ? ipaddr.IPv4.parse(v) : undefined)) : undefined;

export function networkOf([addr, prefix]: [ipaddr.IPv4, number]): string {
  return `${ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${prefix}`).toString()}/${prefix}`;
}

export function overlaps(a: [ipaddr.IPv4, number], b: [ipaddr.IPv4, number]): boolean {
  const p = Math.min(a[1], b[1]);
  return a[0].match(b[0], p);
}

/** A raw value as a message quotes it: strings quoted and escaped (printable.ts), others described. */
export const shown = (v: unknown): string =>
  typeof v === 'string' ? quote(v.length > 60 ? `${v.slice(0, 60)}…` : v) : typeof v === 'number' || typeof v === 'boolean' || v === null ? String(v) : Array.isArray(v) ? 'a list' : 'a mapping';

export const uplinksOf = (p: Raw): Raw[] => asArray(p.uplinks).map((u) => (isObj(u) ? u : {}));

/** An uplink whose address comes from the link (`address: dhcp` or `pppoe`): no address, prefix or gateway in the profile. */
export const isDynamic = (u: Raw): boolean => u.address === 'dhcp' || u.address === 'pppoe';

// ------------------------------------------------------------ what the kernel calls an address
// Checked against Linux 6.x in a namespace (test/property/kernel-gateways.test.ts): `ip addr add`
// then `ip route add default via GW dev D [onlink] table T`, the commands the rendered config runs.

export const V4 = (s: string): ipaddr.IPv4 => ipaddr.IPv4.parse(s);
export const ZERONET = V4('0.0.0.0');
export const LOOPBACK = V4('127.0.0.0');
export const MULTICAST = V4('224.0.0.0');
export const CLASS_E = V4('240.0.0.0');

/**
 * The ranges that are never a unicast host on a link, each with why: the kernel refuses a gateway
 * there ("Nexthop has invalid gateway"), or accepts it and it can never work.
 */
export function notUnicast(a: ipaddr.IPv4): { what: string; why: string } | undefined {
  if (a.match(ZERONET, 8)) return { what: 'in 0.0.0.0/8, "this network"', why: 'such addresses are only ever a source (RFC 1122 3.2.1.3); nothing on a link answers for them' };
  if (a.match(LOOPBACK, 8)) return { what: 'a loopback address (127.0.0.0/8)', why: 'it never leaves the host (the kernel drops it on a link as a martian)' };
  if (a.match(MULTICAST, 4)) return { what: 'a multicast address (224.0.0.0/4)', why: 'the kernel refuses it as a gateway and as the source of a route' };
  if (a.toString() === '255.255.255.255') return { what: 'the limited broadcast address', why: 'it reaches every host on the link and is nobody\'s address' };
  if (a.match(CLASS_E, 4)) return { what: 'in 240.0.0.0/4', why: 'that block is reserved (RFC 1112, RFC 6890) and routers other than Linux drop it' };
  return undefined;
}

/** Network and broadcast addresses of a subnet with prefix < 31 (a /31 is a point-to-point link, RFC 3021; a /32 has neither). */
const toInt = (a: ipaddr.IPv4): number => ((a.octets[0]! << 24) | (a.octets[1]! << 16) | (a.octets[2]! << 8) | a.octets[3]!) >>> 0;
const dotted = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
/** Every rule asks for the edges of the same few subnets: computed once per subnet value. */
const edgesOf = new WeakMap<[ipaddr.IPv4, number], { network: string; broadcast: string }>();
export function edges(c: [ipaddr.IPv4, number]): { network: string; broadcast: string } | undefined {
  if (c[1] > 30) return undefined;
  const known = edgesOf.get(c);
  if (known) return known;
  const mask = c[1] === 0 ? 0 : (0xffffffff << (32 - c[1])) >>> 0;
  const net = (toInt(c[0]) & mask) >>> 0;
  const e = { network: dotted(net), broadcast: dotted((net | ~mask) >>> 0) };
  edgesOf.set(c, e);
  return e;
}

/** The usable host range of a subnet, for hints: "192.0.2.1 to 192.0.2.6". */
export function hostRange(c: [ipaddr.IPv4, number]): string {
  const s = `${c[0].toString()}/${c[1]}`;
  const net = ipaddr.IPv4.networkAddressFromCIDR(s).toByteArray();
  const bc = ipaddr.IPv4.broadcastAddressFromCIDR(s).toByteArray();
  if (c[1] >= 31) return `${new ipaddr.IPv4(net).toString()} to ${new ipaddr.IPv4(bc).toString()}`;
  net[3] = net[3]! + 1;
  bc[3] = bc[3]! - 1;
  return `${new ipaddr.IPv4(net).toString()} to ${new ipaddr.IPv4(bc).toString()}`;
}

/** Every address and subnet this host configures: the uplinks', the lan's and the bond's. */
export interface Local {
  label: string;
  path: KeyPath;
  cidr: [ipaddr.IPv4, number];
}
export const localsOf = new WeakMap<Raw, Local[]>();
export function localAddresses(p: Raw): Local[] {
  const known = localsOf.get(p);
  if (known) return known;
  const out: Local[] = [];
  localsOf.set(p, out);
  uplinksOf(p).forEach((u, i) => {
    const c = cidr(u.address);
    if (c) out.push({ label: `uplinks[${i}]`, path: ['uplinks', i, 'address'], cidr: c });
  });
  if (isObj(p.lan)) {
    const c = cidr(p.lan.address);
    if (c) out.push({ label: 'the lan', path: ['lan', 'address'], cidr: c });
  }
  if (isObj(p.bond)) {
    const c = cidr(p.bond.address);
    if (c) out.push({ label: 'the bond', path: ['bond', 'address'], cidr: c });
  }
  return out;
}
