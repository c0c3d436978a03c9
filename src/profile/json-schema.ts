/**
 * The JSON Schema printed by `mpgen schema`: the zod schema's own, with every key's default (where
 * one exists) and an example added, so that an editor (yaml-language-server) offers and explains
 * them as the user types. docs/profile.md is generated from the same data (`npm run docs:profile`).
 *
 * Loaded only by `mpgen schema` and the docs script: it parses the examples with `yaml`.
 */
import { parse } from 'yaml';
import * as z from 'zod/mini';
import { DEFAULTS } from './defaults.js';
import { KEY_DOCS, profileSchema } from './schema.js';

/** A default: a value the model takes when the key is absent, or a sentence when it is derived. */
export type KeyDefault = { value: unknown } | { text: string };

const K = DEFAULTS.keepalive;

/** Defaults of the optional keys, by key path (as in KEY_DOCS). Required keys have none. */
export const KEY_DEFAULTS: Record<string, KeyDefault> = {
  description: { text: 'none' },
  lan: { text: 'none: no inside network' },
  'uplinks[].gateway': { text: 'none: a direct link, routed with `nexthop dev IF` only; with address: dhcp or pppoe the gateway of the lease or the session' },
  'uplinks[].onlink': { value: false },
  'uplinks[].weight': { value: 1 },
  'uplinks[].mac': { text: 'none: the NIC is matched by its name only' },
  'uplinks[].mtu': { text: "none: the link's own MTU is left as it is; 1492 with address: pppoe" },
  'uplinks[].table': { text: 'routing.rule_priority_base + 1 + index (201, 202, … with the defaults), skipping routing.multipath_table and ids used by other uplinks' },
  'uplinks[].nat': { text: 'the top-level nat (in teql mode NAT applies to the bond, and a per-uplink nat is an error)' },
  'uplinks[].probe': { text: "[the uplink's gateway]; in teql mode without a gateway, [bond.gateway]; with address: dhcp or pppoe, the current gateway of the lease or the session" },
  'uplinks[].tier': { value: DEFAULTS.tier },
  'uplinks[].pppoe': { text: 'none (required with address: pppoe, refused otherwise)' },
  'uplinks[].pppoe.password': { text: 'none: give exactly one of password and password_file' },
  'uplinks[].pppoe.password_file': { text: 'none: give exactly one of password and password_file' },
  'uplinks[].pppoe.service': { text: 'none: any access concentrator that answers' },
  'uplinks[].pppoe.device': { text: 'pppN, N the place of the uplink among the address: pppoe uplinks in list order (ppp0, ppp1, …)' },
  bond: { text: 'none (required in teql mode, forbidden otherwise)' },
  policies: { text: 'none: every connection follows the balance' },
  'policies[].match.protocol': { text: 'any protocol' },
  'policies[].match.dport': { text: 'any port' },
  'policies[].match.sport': { text: 'any port' },
  'policies[].match.src': { text: 'any source' },
  'policies[].match.dst': { text: 'any destination' },
  'policies[].fallback': { value: DEFAULTS.policyFallback },
  routes: { value: ['default'] },
  routing: { value: {} },
  'routing.multipath_table': { value: DEFAULTS.multipathTable },
  'routing.rule_priority_base': { value: DEFAULTS.rulePriorityBase },
  'routing.prohibit_fallback': { value: DEFAULTS.prohibitFallback },
  'routing.hash': { value: DEFAULTS.hash },
  'routing.pin_flows': { text: 'true in multipath and equalize modes with a firewall; false in teql mode and with firewall: none' },
  nat: { value: DEFAULTS.nat },
  firewall: { value: DEFAULTS.firewall },
  sysctl: { value: {} },
  'sysctl.rp_filter': { value: DEFAULTS.rpFilter },
  'sysctl.forwarding': { value: DEFAULTS.forwarding },
  keepalive: { value: {} },
  'keepalive.enabled': { value: K.enabled },
  'keepalive.method': { value: K.method },
  'keepalive.interval': { value: K.interval },
  'keepalive.timeout': { value: K.timeout },
  'keepalive.down': { value: K.down },
  'keepalive.up': { value: K.up },
  'keepalive.targets': { value: DEFAULTS.targets },
  package: { value: {} },
  'package.name': { text: 'mpgen-NAME (NAME is the profile name)' },
  'package.version': { value: DEFAULTS.packageVersion },
  'package.maintainer': { text: '"Network Administrator <netadmin@NAME.invalid>": set it for packages anyone else installs' },
};

/** The value of a KEY_DOCS example: "name: office" -> "office", "- 192.168.1.0/24" -> "192.168.1.0/24". */
export function exampleValue(key: string): unknown {
  const ex = KEY_DOCS[key]?.example;
  if (ex === undefined) throw new Error(`no example for ${key}`);
  const v: unknown = parse(ex);
  if (Array.isArray(v)) return v[0];
  if (v && typeof v === 'object') return Object.values(v)[0];
  throw new Error(`example of ${key} is not "key: value": ${ex}`);
}

/** How a default reads in a description or a doc. */
export function defaultText(d: KeyDefault): string {
  return 'value' in d ? JSON.stringify(d.value) : d.text;
}

type Node = Record<string, any>;

/** Calls fn on every property (key path as in KEY_DOCS) of a JSON Schema, depth first, in order. */
export function walkProperties(schema: Node, fn: (path: string, node: Node, required: boolean) => void, prefix = ''): void {
  const visit = (node: Node, path: string): void => {
    if (node.properties) {
      for (const [k, child] of Object.entries<Node>(node.properties)) {
        const p = path ? `${path}.${k}` : k;
        fn(p, child, (node.required ?? []).includes(k));
        visit(child, p);
      }
    }
    if (node.items && typeof node.items === 'object') visit(node.items, `${path}[]`);
  };
  visit(schema, prefix);
}

/** The JSON Schema printed by `mpgen schema`. */
export function profileJsonSchema(): Node {
  const schema = z.toJSONSchema(profileSchema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Node;
  walkProperties(schema, (path, node) => {
    node.examples = [exampleValue(path)];
    // a union (one port or a list of them) carries its doc on the branches only
    if (node.description === undefined && node.anyOf && KEY_DOCS[path]) node.description = KEY_DOCS[path].doc;
    const d = KEY_DEFAULTS[path];
    if (d && 'value' in d) node.default = d.value;
    if (d && node.description !== undefined) node.description = `${node.description}. Default: ${defaultText(d)}`;
  });
  const items = schema.properties?.routes?.items;
  if (items && KEY_DOCS['routes[]']) items.examples = [exampleValue('routes[]')];
  return schema;
}
