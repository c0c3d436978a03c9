/**
 * The base profile of the feature tables, and a snippet laid over it: mappings merge key by key,
 * a list of mappings merges item by item (so `uplinks: [{weight: 3}]` sets the first uplink's
 * weight), and any other value replaces the base's.
 */
import { parse, stringify } from 'yaml';
import { loadModelFromText } from '../../../src/model/load.js';
import type { Model } from '../../../src/model/model.js';

/** two lines balanced per flow; no NAT rules, no keepalive, so each table names only what its snippet adds */
export const FEATURE_BASE = `version: 1
name: feat
mode: multipath
uplinks:
  - name: wan1
    interface: eth1
    address: 192.0.2.2/29
    gateway: 192.0.2.1
  - name: wan2
    interface: eth2
    address: 198.51.100.2/29
    gateway: 198.51.100.1
firewall: none
keepalive:
  enabled: false
`;

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function overlay(base: unknown, over: unknown): unknown {
  if (isMapping(base) && isMapping(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? overlay(base[k], v) : v;
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over) && over.every(isMapping) && base.every(isMapping))
    return [...over.map((v, i) => (i < base.length ? overlay(base[i], v) : v)), ...base.slice(over.length)];
  return over;
}

/** the profile text of a snippet over the base */
export const featureProfileText = (snippet: string): string => stringify(overlay(parse(FEATURE_BASE), parse(snippet) ?? {}));

/** the model of a snippet over the base, through the real loader; it must load without a warning */
export function featureModel(snippet: string): Model {
  const { model, warnings } = loadModelFromText(featureProfileText(snippet), 'feature.yaml');
  if (warnings.length > 0) throw new Error(`the snippet warns: ${warnings.map((w) => `${w.path}: ${w.message}`).join('; ')}`);
  return model;
}
