/**
 * The profile as written (docs/profile.md), as one zod schema: the source of
 * validation, of the TypeScript type, of `mpgen schema` and of the key docs.
 * Defaults are NOT applied here: src/model/normalize.ts resolves them, so the
 * written profile and the model stay two types.
 *
 * Every free string that can reach a script, unit or config file has a strict
 * pattern here; that is the injection boundary.
 */
import * as z from 'zod/mini';
// The English locale alone: `z.locales` would pull every translation into the bundle.
import en from 'zod/v4/locales/en.js';
// Named, not through z.core: a namespace used as a value keeps all of it (every locale) in the bundle.
import { globalConfig } from 'zod/v4/core';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
export const IPV4_RE = new RegExp(`^${IPV4}$`);
export const CIDR_RE = new RegExp(`^${IPV4}/(?:3[0-2]|[12]?\\d)$`);
export const PROFILE_NAME_RE = /^[a-z][a-z0-9-]{0,30}$/;
export const UPLINK_NAME_RE = /^[a-z][a-z0-9_-]{0,14}$/;
// Not "." or "..", not starting with "-" (it would read as an option to ip, tc, ifup, nmcli),
// and not "all" or "default", which are the sysctl trees net.ipv4.conf.all / .default.
export const IFNAME_RE = /^(?!\.{1,2}$)(?!(?:all|default)$)(?!-)[A-Za-z0-9_.-]{1,15}$/;
export const MAC_RE = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/;
export const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s)$/;
export const TEQL_RE = /^teql([0-9]|[1-9][0-9])$/;
export const PKG_NAME_RE = /^[a-z0-9][a-z0-9+.-]{1,62}$/;
export const PKG_VERSION_RE = /^[0-9][A-Za-z0-9.+~]{0,31}$/;
export const MAINTAINER_RE = /^[A-Za-z0-9 .,'()_+-]{1,80} <[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}>$/;
// Printable text, no control characters; it only ever goes into comments and package descriptions.
export const DESCRIPTION_RE = /^[^\u0000-\u001f\u007f]{0,200}$/;
export const POLICY_NAME_RE = /^[a-z][a-z0-9_-]{0,14}$/;
/** a port range "lo-hi" (the numbers are checked by the rules: 1..65535, lo <= hi) */
export const PORT_RANGE_RE = /^([1-9][0-9]{0,4})-([1-9][0-9]{0,4})$/;
/** `uplinks[].address` values whose address comes from the link: a DHCPv4 lease, or the PPPoE session (IPCP). */
export const DYNAMIC_ADDRESSES = ['dhcp', 'pppoe'] as const;
// PPPoE credentials and names: they reach pppd's options and secrets files (quoted there), so
// nothing that ends a quoted word, starts a comment or names a file (a secret starting with "@").
export const PPPOE_USERNAME_RE = /^[A-Za-z0-9._@+=:/-]{1,64}$/;
/** printable ASCII without `"` and `\` (they end or escape pppd's quoted word), not starting with `@` (pppd reads such a secret as a file name) */
export const PPPOE_PASSWORD_RE = /^(?!@)[ !#-[\]-~]{1,128}$/;
/** an absolute path without `..` segments and not ending in `/` */
export const SECRET_FILE_RE = /^(?!.*\/\.\.(?:\/|$))(?!.*\/$)\/[A-Za-z0-9._\/+-]{1,255}$/;
export const PPPOE_SERVICE_RE = /^[A-Za-z0-9._@+=:/-]{0,64}$/;
export const PPP_DEVICE_RE = /^ppp[0-9]{1,3}$/;

/** Per-key documentation: feeds .meta() (JSON Schema descriptions) and the remedy in error messages. */
export const KEY_DOCS: Record<string, { doc: string; example: string }> = {
  version: { doc: 'profile format version; 1 is the only supported one', example: 'version: 1' },
  name: { doc: 'profile name: a lower-case letter, then up to 30 of [a-z0-9-]; used in file, unit and package names', example: 'name: office' },
  description: { doc: 'free text, at most 200 printable characters', example: 'description: Four ADSL lines' },
  mode: { doc: 'teql (per-packet bonding), multipath (per-flow ECMP with weights) or equalize (legacy per-packet flag)', example: 'mode: multipath' },
  lan: { doc: 'the inside network, when the box routes for others', example: 'lan: {interface: eth0, address: 10.0.0.1/24}' },
  'lan.interface': { doc: 'kernel interface name: 1 to 15 of [A-Za-z0-9_.-], not starting with "-", not "all" or "default"', example: 'interface: eth0' },
  'lan.address': { doc: 'IPv4 address with prefix', example: 'address: 10.0.0.1/24' },
  uplinks: { doc: 'the uplinks, 2 to 32 entries', example: 'uplinks: [{name: adsl1, interface: eth2, address: 172.16.8.1/30, gateway: 172.16.8.2}]' },
  'uplinks[].name': { doc: 'unique uplink name: a lower-case letter, then up to 14 of [a-z0-9_-]', example: 'name: adsl1' },
  'uplinks[].interface': { doc: 'unique kernel interface name: 1 to 15 of [A-Za-z0-9_.-], not starting with "-", not "." or "..", "all" or "default"', example: 'interface: eth2' },
  'uplinks[].address': {
    doc: "this host's IPv4 address on the link, with prefix; or dhcp: address, prefix and gateway come from a DHCPv4 lease on the interface; or pppoe: they come from a PPPoE session over the interface (see pppoe)",
    example: 'address: 172.16.8.1/30',
  },
  'uplinks[].gateway': { doc: 'IPv4 next hop without prefix, inside the address subnet unless onlink: true; absent for a direct link, and refused with address: dhcp or pppoe', example: 'gateway: 172.16.8.2' },
  'uplinks[].onlink': { doc: 'reach the gateway onlink even outside the subnet (true or false); refused with address: dhcp or pppoe', example: 'onlink: true' },
  'uplinks[].weight': { doc: 'multipath weight, a whole number from 1 to 256', example: 'weight: 10' },
  'uplinks[].mac': { doc: 'MAC address to pin the NIC, six hex pairs separated by colons, quoted', example: 'mac: "00:11:22:33:44:55"' },
  'uplinks[].mtu': { doc: 'MTU, a whole number from 68 to 65535; with address: pppoe the MTU of the PPP device, 128 to 1492', example: 'mtu: 1500' },
  'uplinks[].table': { doc: 'policy routing table id: 1..252 or 256..4294967295 (253-255 are the kernel default, main and local)', example: 'table: 201' },
  'uplinks[].nat': { doc: 'masquerade, snat or none; not snat with address: dhcp or pppoe (the address is not known when rendering)', example: 'nat: masquerade' },
  'uplinks[].probe': { doc: 'keepalive targets for this uplink: 1 to 8 IPv4 addresses (then keepalive.targets are not probed through it)', example: 'probe: [192.0.2.53]' },
  'uplinks[].pppoe': { doc: 'the PPPoE session of an uplink with address: pppoe (required there, refused otherwise)', example: 'pppoe: {username: "user@isp.example", password_file: /etc/mpgen/secrets/dsl}' },
  'uplinks[].pppoe.username': { doc: 'the PPP username: 1 to 64 of [A-Za-z0-9._@+=:/-], no spaces or quotes', example: 'username: "user@isp.example"' },
  'uplinks[].pppoe.password': {
    doc: 'the PPP password inline: 1 to 128 printable ASCII characters without " or \\, not starting with @; it is written into mode-0600 files and into the package (a warning): prefer password_file. Exactly one of password and password_file',
    example: 'password: "s3cret-Pass"',
  },
  'uplinks[].pppoe.password_file': {
    doc: 'absolute path of a file on the target box that holds the PPP password; mpgen never reads nor packages it. pppd reads the first word of the file: write the password in double quotes if it holds a space or #, and keep the file mode 0600. Of [A-Za-z0-9._/+-], no .. segments. Exactly one of password and password_file',
    example: 'password_file: /etc/mpgen/secrets/dsl',
  },
  'uplinks[].pppoe.service': { doc: 'the access concentrator service name to ask for: 0 to 64 of [A-Za-z0-9._@+=:/-]', example: 'service: internet' },
  'uplinks[].pppoe.device': { doc: 'the PPP interface of the session: pppN, N from 0 to 999', example: 'device: ppp0' },
  'uplinks[].tier': { doc: 'failover tier, 1 to 16, lower is preferred: the balance holds the live uplinks of the lowest tier that has one', example: 'tier: 2' },
  policies: { doc: 'per-traffic steering, first match wins: new matching connections take the first live uplink listed', example: 'policies: [{name: voip, match: {protocol: udp, dport: [5060]}, uplinks: [dsl1]}]' },
  'policies[].name': { doc: 'unique policy name: a lower-case letter, then up to 14 of [a-z0-9_-]', example: 'name: voip' },
  'policies[].match': { doc: 'what a connection\'s first packet must match: protocol, dport, sport, src, dst (every given field; a list matches any item)', example: 'match: {protocol: udp, dport: [5060, "10000-20000"]}' },
  'policies[].match.protocol': { doc: 'tcp, udp or icmp; required with sport or dport (tcp or udp)', example: 'protocol: udp' },
  'policies[].match.dport': { doc: 'destination ports: a port 1..65535, a quoted range "lo-hi", or a list of them', example: 'dport: [5060, "10000-20000"]' },
  'policies[].match.sport': { doc: 'source ports: a port 1..65535, a quoted range "lo-hi", or a list of them', example: 'sport: [5060]' },
  'policies[].match.src': { doc: 'source IPv4 subnets (or addresses), one or a list', example: 'src: [198.51.100.0/25]' },
  'policies[].match.dst': { doc: 'destination IPv4 subnets (or addresses), one or a list', example: 'dst: [203.0.113.0/24]' },
  'policies[].uplinks': { doc: 'uplink names in order of preference, 1 to 32', example: 'uplinks: [dsl1, cable]' },
  'policies[].fallback': { doc: 'balance (default): when none of the uplinks is live, use the normal balance; none: refuse the connection', example: 'fallback: none' },
  bond: { doc: 'the teql bond: required in teql mode, forbidden otherwise', example: 'bond: {interface: teql0, address: 81.187.191.129/29, gateway: 81.187.191.134}' },
  'bond.interface': { doc: 'teqlN, N from 0 to 99', example: 'interface: teql0' },
  'bond.address': { doc: 'the shared public IPv4 address with prefix', example: 'address: 81.187.191.129/29' },
  'bond.gateway': { doc: 'the IPv4 address common to every router', example: 'gateway: 81.187.191.134' },
  routes: { doc: 'destinations balanced over the uplinks: "default" or IPv4 subnets', example: 'routes: [default]' },
  'routes[]': { doc: '"default" or an IPv4 subnet such as 192.168.1.0/24', example: '- 192.168.1.0/24' },
  routing: { doc: 'multipath and equalize tunables', example: 'routing: {multipath_table: 222}' },
  'routing.multipath_table': { doc: 'table holding the multipath route: 1..252 or 256..4294967295', example: 'multipath_table: 222' },
  'routing.rule_priority_base': { doc: 'base priority of the policy rules, 1 to 32743 (the multipath rule goes at base+22, below main at 32766)', example: 'rule_priority_base: 200' },
  'routing.prohibit_fallback': { doc: 'add `prohibit default metric 1` to every uplink table (true or false)', example: 'prohibit_fallback: true' },
  'routing.hash': { doc: 'multipath hash policy: l3 or l4', example: 'hash: l4' },
  'routing.pin_flows': { doc: 'keep every connection on the uplink that carried its first packet (connection marks); default true in multipath and equalize modes with a firewall', example: 'pin_flows: true' },
  nat: { doc: 'default NAT for uplinks: masquerade, snat or none', example: 'nat: masquerade' },
  firewall: { doc: 'where NAT rules are rendered: nftables, iptables or none', example: 'firewall: nftables' },
  sysctl: { doc: 'kernel settings', example: 'sysctl: {rp_filter: loose}' },
  'sysctl.rp_filter': { doc: 'reverse path filter on the uplinks: loose, strict or off', example: 'rp_filter: loose' },
  'sysctl.forwarding': { doc: 'enable IPv4 forwarding when a lan is present (true or false)', example: 'forwarding: true' },
  keepalive: { doc: 'the link monitor', example: 'keepalive: {interval: 0.5s}' },
  'keepalive.enabled': { doc: 'true or false', example: 'enabled: true' },
  'keepalive.method': { doc: 'ping or arping', example: 'method: ping' },
  'keepalive.interval': { doc: 'time between probes of one target, a string with a unit, 100ms to 60s', example: 'interval: 0.5s' },
  'keepalive.timeout': { doc: 'a probe with no answer by then is lost, a string with a unit, 100ms to 60s', example: 'timeout: 1s' },
  'keepalive.down': { doc: 'consecutive lost probes that take an uplink out, 1 to 100', example: 'down: 3' },
  'keepalive.up': { doc: 'consecutive answered probes that put it back, 1 to 100', example: 'up: 10' },
  'keepalive.targets': { doc: 'far targets probed through every uplink without probe:, beside its gateway (a quorum decides): 0 to 8 IPv4 addresses; [] probes gateways only', example: 'targets: [192.0.2.53, 198.51.100.53]' },
  package: { doc: 'metadata for bundle, .deb and .rpm', example: 'package: {version: 1.0.0}' },
  'package.name': { doc: 'package name: lower case [a-z0-9+.-], 2 to 63 characters', example: 'name: mpgen-office' },
  'package.version': { doc: 'a quoted string starting with a digit, of [A-Za-z0-9.+~], no hyphen', example: 'version: "1.0.0"' },
  'package.maintainer': { doc: '"Full Name <email@example.net>"', example: 'maintainer: "Net Admin <admin@example.net>"' },
};

// What importing zod (classic) configures, which zod/mini leaves to the caller: English messages,
// and the memoizer that gives containers cycle support (a YAML alias can make a cyclic value).
// Set before any schema is built, and only where not set already, as zod itself does.
if (!globalConfig.localeError) z.config(en());
if (!globalConfig.memoizer) z.config({ memoizer: z.memoizer() });

const doc = (key: string) => z.meta({ description: KEY_DOCS[key]?.doc ?? key });

// zod/mini: the same schema as zod's chained API, built from functions (cheaper to build at
// startup, and tree-shaken in the bundle). `.check(doc(...))` is classic `.meta(...)`.
const str = (re: RegExp, key: string) => z.string().check(z.regex(re), doc(key));
const bool = (key: string) => z.boolean().check(doc(key));
const int = (min: number, max: number, key: string) => z.number().check(z.int(), z.minimum(min), z.maximum(max), doc(key));
const oneOf = <T extends readonly [string, ...string[]]>(values: T, key: string) => z.enum(values).check(doc(key));
const opt = z.optional;

export const NAT_VALUES = ['masquerade', 'snat', 'none'] as const;

const tableId = (key: string) =>
  z
    .number()
    .check(
      z.int(),
      z.minimum(1),
      z.maximum(4294967295),
      z.refine((n: number) => n < 253 || n > 255, { message: 'table ids 253, 254 and 255 are the kernel default, main and local tables' }),
      doc(key),
    );

export const uplinkSchema = z.strictObject({
  name: str(UPLINK_NAME_RE, 'uplinks[].name'),
  interface: str(IFNAME_RE, 'uplinks[].interface'),
  // the doc on the union, not on its branches (a JSON Schema editor shows it once)
  address: z.union([z.string().check(z.regex(CIDR_RE)), z.enum(DYNAMIC_ADDRESSES)]).check(doc('uplinks[].address')),
  gateway: opt(str(IPV4_RE, 'uplinks[].gateway')),
  onlink: opt(bool('uplinks[].onlink')),
  weight: opt(int(1, 256, 'uplinks[].weight')),
  mac: opt(str(MAC_RE, 'uplinks[].mac')),
  mtu: opt(int(68, 65535, 'uplinks[].mtu')),
  table: opt(tableId('uplinks[].table')),
  nat: opt(oneOf(NAT_VALUES, 'uplinks[].nat')),
  probe: opt(z.array(str(IPV4_RE, 'uplinks[].probe')).check(z.minLength(1), z.maxLength(8), doc('uplinks[].probe'))),
  tier: opt(int(1, 16, 'uplinks[].tier')),
  pppoe: opt(
    z
      .strictObject({
        username: str(PPPOE_USERNAME_RE, 'uplinks[].pppoe.username'),
        password: opt(str(PPPOE_PASSWORD_RE, 'uplinks[].pppoe.password')),
        password_file: opt(str(SECRET_FILE_RE, 'uplinks[].pppoe.password_file')),
        service: opt(str(PPPOE_SERVICE_RE, 'uplinks[].pppoe.service')),
        device: opt(str(PPP_DEVICE_RE, 'uplinks[].pppoe.device')),
      })
      .check(doc('uplinks[].pppoe')),
  ),
});

const port = (key: string) => z.union([int(1, 65535, key), str(PORT_RANGE_RE, key)]);
const ports = (key: string) => z.union([port(key), z.array(port(key)).check(z.minLength(1), z.maxLength(32), doc(key))]);
const subnet = (key: string) => z.string().check(z.regex(new RegExp(`(?:${CIDR_RE.source})|(?:${IPV4_RE.source})`)), doc(key));
const subnets = (key: string) => z.union([subnet(key), z.array(subnet(key)).check(z.minLength(1), z.maxLength(32), doc(key))]);

export const policySchema = z.strictObject({
  name: str(POLICY_NAME_RE, 'policies[].name'),
  match: z
    .strictObject({
      protocol: opt(oneOf(['tcp', 'udp', 'icmp'] as const, 'policies[].match.protocol')),
      dport: opt(ports('policies[].match.dport')),
      sport: opt(ports('policies[].match.sport')),
      src: opt(subnets('policies[].match.src')),
      dst: opt(subnets('policies[].match.dst')),
    })
    .check(doc('policies[].match')),
  uplinks: z.array(str(UPLINK_NAME_RE, 'policies[].uplinks')).check(z.minLength(1), z.maxLength(32), doc('policies[].uplinks')),
  fallback: opt(oneOf(['balance', 'none'] as const, 'policies[].fallback')),
});

export const profileSchema = z
  .strictObject({
    version: z.literal(1).check(doc('version')),
    name: str(PROFILE_NAME_RE, 'name'),
    description: opt(str(DESCRIPTION_RE, 'description')),
    mode: oneOf(['teql', 'multipath', 'equalize'] as const, 'mode'),
    lan: opt(
      z
        .strictObject({
          interface: str(IFNAME_RE, 'lan.interface'),
          address: str(CIDR_RE, 'lan.address'),
        })
        .check(doc('lan')),
    ),
    uplinks: z.array(uplinkSchema).check(z.minLength(2), z.maxLength(32), doc('uplinks')),
    bond: opt(
      z
        .strictObject({
          interface: str(TEQL_RE, 'bond.interface'),
          address: str(CIDR_RE, 'bond.address'),
          gateway: str(IPV4_RE, 'bond.gateway'),
        })
        .check(doc('bond')),
    ),
    policies: opt(z.array(policySchema).check(z.maxLength(64), doc('policies'))),
    routes: opt(z.array(z.union([z.literal('default'), z.string().check(z.regex(CIDR_RE))]).check(doc('routes[]'))).check(z.minLength(1), z.maxLength(64), doc('routes'))),
    routing: opt(
      z
        .strictObject({
          multipath_table: opt(tableId('routing.multipath_table')),
          rule_priority_base: opt(int(1, 32743, 'routing.rule_priority_base')),
          prohibit_fallback: opt(bool('routing.prohibit_fallback')),
          hash: opt(oneOf(['l3', 'l4'] as const, 'routing.hash')),
          pin_flows: opt(bool('routing.pin_flows')),
        })
        .check(doc('routing')),
    ),
    nat: opt(oneOf(NAT_VALUES, 'nat')),
    firewall: opt(oneOf(['nftables', 'iptables', 'none'] as const, 'firewall')),
    sysctl: opt(
      z
        .strictObject({
          rp_filter: opt(oneOf(['loose', 'strict', 'off'] as const, 'sysctl.rp_filter')),
          forwarding: opt(bool('sysctl.forwarding')),
        })
        .check(doc('sysctl')),
    ),
    keepalive: opt(
      z
        .strictObject({
          enabled: opt(bool('keepalive.enabled')),
          method: opt(oneOf(['ping', 'arping'] as const, 'keepalive.method')),
          interval: opt(str(DURATION_RE, 'keepalive.interval')),
          timeout: opt(str(DURATION_RE, 'keepalive.timeout')),
          down: opt(int(1, 100, 'keepalive.down')),
          up: opt(int(1, 100, 'keepalive.up')),
          targets: opt(z.array(str(IPV4_RE, 'keepalive.targets')).check(z.maxLength(8), doc('keepalive.targets'))),
        })
        .check(doc('keepalive')),
    ),
    package: opt(
      z
        .strictObject({
          name: opt(str(PKG_NAME_RE, 'package.name')),
          version: opt(str(PKG_VERSION_RE, 'package.version')),
          maintainer: opt(str(MAINTAINER_RE, 'package.maintainer')),
        })
        .check(doc('package')),
    ),
  })
  .check(z.meta({ title: 'mpgen profile, version 1', description: 'One multi-uplink Linux box. Reference: docs/profile.md.' }));

/** The profile as written. */
export type Profile = z.infer<typeof profileSchema>;
export type ProfileUplink = z.infer<typeof uplinkSchema>;
export type ProfilePolicy = z.infer<typeof policySchema>;

/** The JSON Schema printed by `mpgen schema`, with defaults and examples, is built in json-schema.ts. */

/** Parses "500ms", "0.5s", "2s" into milliseconds. */
export function durationMs(s: string): number {
  const m = DURATION_RE.exec(s);
  if (!m) throw new Error(`not a duration: ${s}`);
  const n = parseFloat(m[1]!);
  return Math.round(m[2] === 'ms' ? n : n * 1000);
}
