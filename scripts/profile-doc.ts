/**
 * Writes docs/profile.md, the profile reference, from the profile's JSON Schema (the zod schema,
 * its key descriptions, defaults and examples): `npm run docs:profile`. test/cli/profile-doc.test.ts
 * regenerates it in memory and fails when the committed file differs.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_PROFILE_YAML } from '../src/profile/default-profile.js';
import { KEY_DEFAULTS, defaultText, profileJsonSchema, walkProperties } from '../src/profile/json-schema.js';
import { CIDR_RE, DURATION_RE, IPV4_RE, KEY_DOCS } from '../src/profile/schema.js';

type Node = Record<string, any>;

/** The rules across keys (src/profile/rules.ts), one line each; the test checks every rule is here. */
export const RULE_DOCS: Record<string, string> = {
  bondPresence: '`bond` is required in `mode: teql` and forbidden in the other modes.',
  uniqueNames: 'Every uplink has its own `name`.',
  uniqueInterfaces: 'Every uplink, the `lan` and the `bond` have their own `interface`.',
  gatewayInSubnet: "An uplink's `gateway` is inside its `address` subnet (unless `onlink: true`) and is not the host's own address; `bond.gateway` is not the bond's own address.",
  hostAddresses:
    'Host addresses (uplinks, `lan`, `bond`) are unicast: not multicast, loopback, 0.0.0.0/8, 240.0.0.0/4 or the limited broadcast, and below /31 not the network or broadcast address of their subnet (see docs/addresses.md).',
  gatewayUnicast:
    "A `gateway` (uplink or `bond`) is a router's unicast address: not a broadcast address of any configured subnet, not one of this host's own addresses, not multicast, loopback, 0.0.0.0/8 or 240.0.0.0/4, with or without `onlink`.",
  balancedSubnetGateway:
    'An uplink whose subnet a `routes` entry balances reaches its `gateway` only with `onlink: true`: its address goes in without the connected route.',
  uniqueAddresses:
    "No two uplinks share a host address: the second uplink's `from ADDR/32` rule would never match. Two direct links with one address in `mode: equalize` (host-to-host links) are a warning.",
  bondDisjoint: "The `bond` subnet is its own: the `lan` does not overlap it, and `bond.address` is no uplink's address or gateway.",
  macs: 'Every `mac` is unique across the uplinks and a unicast station address (not broadcast, multicast or all-zero).',
  subnetsDisjoint: 'In multipath and equalize modes, uplink subnets do not overlap, unless both uplinks set `onlink: true` (several lines in one provider subnet).',
  lanDisjoint: "The `lan` subnet overlaps no uplink's.",
  teqlSlaves: 'In teql mode, uplink interfaces are Ethernet-like devices, and a per-uplink `nat` is an error: NAT applies to the bond (top-level `nat`).',
  tables: 'No uplink `table` is `routing.multipath_table`, and no two uplinks share a table.',
  routes: '`routes` entries are `default` or a network address (no host bits), not `0.0.0.0/0` (write `default`), and not listed twice.',
  natNeedsFirewall: 'NAT (`masquerade` or `snat`, top-level or per uplink) needs `firewall: nftables` or `iptables`.',
  priorities: '`routing.rule_priority_base` leaves room for one rule per uplink and the multipath rule below 32766 (the main table rule).',
  keepaliveTimes: '`keepalive.interval` and `keepalive.timeout` are from 100 ms to 60 s.',
  probes: 'An uplink lists no probe twice, and no probe that can never fail or never answer (this host\'s own addresses, 0.0.0.0, loopback, broadcast, multicast, 240.0.0.0/4); a direct link (no `gateway`) without `probe` is a warning: the keepalive has no target for it.',
  policyRefs: 'Every `policies[].name` is unique, and `policies[].uplinks` names uplinks of the profile, each once.',
  policyPorts: '`sport` and `dport` need `protocol: tcp` or `udp`; a range `"lo-hi"` runs upwards and stays within 1 to 65535.',
  steeringNeedsMarks:
    '`routing.pin_flows: true` and `policies` need connection marks: not in `mode: teql` (every packet goes over all slaves) and not with `firewall: none` (no rule would set them).',
  tiers: 'At least one uplink is in tier 1: the balance at boot, and where the keepalive fails open.',
  tierWithoutKeepalive: 'An uplink of tier 2 or more with `keepalive.enabled: false` is a warning: only tier 1 is ever in the balance.',
  targetsEmpty: '`keepalive.targets: []` is a warning: uplinks without `probe:` are then probed at their gateway only, and a dead line behind a live modem goes unnoticed.',
  dynamicGateway: 'An uplink with `address: dhcp` or `pppoe` has no `gateway` and no `onlink`: the lease or the session gives the gateway and its subnet.',
  dynamicNat: 'An uplink with `address: dhcp` or `pppoe` is not `nat: snat`, set on it or inherited from the top-level `nat` (outside teql mode): its address is not known when rendering; use `masquerade`.',
  dynamicNeedsKeepalive: 'A profile with an `address: dhcp` or `pppoe` uplink keeps the keepalive (`keepalive.enabled` is not `false`): it is what follows the lease, with the rule from the current address and the uplink\'s place in the balance.',
  dynamicTeql: 'In teql mode no slave has `address: dhcp` or `pppoe`: teql slaves stay static, as the bond\'s shared address and gateway are fixed.',
  pppoeSection:
    '`uplinks[].pppoe` is required with `address: pppoe` and refused otherwise; the `interface` of a PPPoE uplink is the Ethernet that carries the session, not a `pppN` device.',
  pppoeCredentials:
    '`pppoe.username` is 1 to 64 of `[A-Za-z0-9._@+=:/-]` (a space or a quote is named in the error); exactly one of `pppoe.password` and `pppoe.password_file` is given; a password is printable ASCII without `"` and `\\`, not starting with `@` (pppd reads such a secret as a file name), and is never echoed in a message.',
  pppoeDevices:
    'Every PPPoE uplink has its own PPP device (`pppoe.device`, else `pppN` with N its place among the `address: pppoe` uplinks), which is not the `interface` of another uplink, of the `lan` or of the `bond`.',
  pppoeMtu: 'The `mtu` of an `address: pppoe` uplink (its PPP device) is 128 to 1492: PPPoE adds 8 bytes inside Ethernet\'s 1500, and pppd takes no MTU below 128.',
  inlinePassword: 'An inline `pppoe.password` is a warning: it is written into mode-0600 files and into the package; `password_file` keeps it out.',
  equalizeWarning: '`mode: equalize` is rendered, with a warning: kernels since 3.6 ignore the flag and iproute2 6.x refuses it, so the route balances per flow like multipath.',
};

const code = (s: unknown): string => `\`${String(s)}\``;

/** Patterns with a name a reader knows. */
const NAMED_PATTERNS = new Map<string, string>([
  [IPV4_RE.source, 'an IPv4 address (`192.0.2.1`)'],
  [CIDR_RE.source, 'an IPv4 address with prefix (`192.0.2.1/30`)'],
  [DURATION_RE.source, 'a duration: a number and `ms` or `s` (`250ms`, `0.5s`)'],
]);

function typeOf(node: Node): string {
  if (node.const !== undefined) return `${typeof node.const === 'string' ? 'the string' : 'the number'} ${code(node.const)}`;
  if (node.enum) return `one of ${node.enum.map(code).join(', ')}`;
  if (node.anyOf) return node.anyOf.map(typeOf).join(', or ');
  switch (node.type) {
    case 'string':
      if (node.pattern && NAMED_PATTERNS.has(node.pattern)) return NAMED_PATTERNS.get(node.pattern)!;
      return node.pattern ? `a string matching ${code(node.pattern)}` : 'a string';
    case 'integer':
      return `a whole number from ${node.minimum} to ${node.maximum}`;
    case 'number':
      return 'a number';
    case 'boolean':
      return '`true` or `false`';
    case 'object':
      return 'a mapping of the keys below';
    case 'array': {
      const n = node.minItems !== undefined && node.maxItems !== undefined ? `${node.minItems} to ${node.maxItems} ` : '';
      return `a list of ${n}entries: ${node.items?.properties ? 'mappings of the keys below' : typeOf(node.items ?? {})}`;
    }
    default:
      return 'any value';
  }
}

export function renderProfileDoc(): string {
  const schema = profileJsonSchema();
  const out: string[] = [
    '# The mpgen profile',
    '',
    '<!-- Generated by `npm run docs:profile` (scripts/profile-doc.ts) from the profile schema; do not edit. -->',
    '',
    'One YAML file describes one multi-uplink Linux box. `mpgen validate -p FILE` checks it and lists',
    'every problem at once, located; unknown keys are errors (with a "did you mean"). IPv4 only.',
    '',
    'Editors: `mpgen init` writes the example profile with a first line',
    '`# yaml-language-server: $schema=./mpgen.schema.json` and the schema beside it, so that an editor',
    'with the YAML language server validates and completes keys as you type. `mpgen schema` prints the',
    'same JSON Schema (every key with its description, default and an example).',
    '',
    '## Rules for values',
    '',
    '- Addresses are IPv4: `ADDR/PREFIX` where a prefix is asked for (`10.0.0.1/24`), a bare address',
    '  for gateways and probes. An uplink\'s `address` may instead be `dhcp` (address, prefix and',
    '  gateway from a DHCPv4 lease on its interface) or `pppoe` (from a PPPoE session over it, with a',
    '  `pppoe` section); the gateway, `onlink` and `nat: snat` are then refused.',
    '- Durations are strings with a unit, `ms` or `s` (`250ms`, `0.5s`, `2s`), from 100 ms to 60 s.',
    '- Routing table ids are 1 to 252 or 256 to 4294967295: 253, 254 and 255 are the kernel\'s',
    '  default, main and local tables.',
    '- Names that end up in file, unit and package names follow the patterns below; free text',
    '  (`description`) is at most 200 printable characters.',
    '',
    '## Rules across keys',
    '',
    ...Object.values(RULE_DOCS).map((r) => `- ${r}`),
    '',
    '## Keys',
    '',
    'Key paths: `uplinks[].gateway` is the `gateway` of each entry of `uplinks`.',
  ];
  walkProperties(schema, (path, node, required) => {
    const d = KEY_DEFAULTS[path];
    out.push(
      '',
      `### ${code(path)}`,
      '',
      `${KEY_DOCS[path]?.doc ?? path}.`,
      '',
      `- Type: ${typeOf(node)}`,
      `- ${required ? 'Required' : `Default: ${d && 'value' in d ? code(defaultText(d)) : d ? defaultText(d) : 'none'}`}`,
      '- Example:',
      '',
      '  ```yaml',
      `  ${KEY_DOCS[path]?.example ?? ''}`,
      '  ```',
    );
  });
  out.push('', '## A complete profile', '', 'What `mpgen init` writes (without its `yaml-language-server` line):', '', '```yaml', DEFAULT_PROFILE_YAML.trimEnd(), '```', '');
  return out.join('\n');
}

export const PROFILE_DOC = fileURLToPath(new URL('../docs/profile.md', import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(PROFILE_DOC, renderProfileDoc());
  process.stderr.write(`wrote ${PROFILE_DOC}\n`);
}
