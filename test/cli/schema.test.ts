import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mpgen, REPO } from '../support/cli.js';
import { describe, expect, it } from 'vitest';
import { KEY_DOCS } from '../../src/profile/schema.js';
import { KEY_DEFAULTS, defaultText, profileJsonSchema, walkProperties } from '../../src/profile/json-schema.js';

describe('JSON Schema of the profile', () => {
  const schema = profileJsonSchema() as Record<string, any>;
  it('is locked by a snapshot that a reviewer reads (test/cli/__snapshots__)', () => {
    expect(JSON.stringify(schema, null, 2)).toMatchSnapshot();
  });
  it('is what `mpgen schema` prints', () => {
    const r = mpgen(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(schema);
  });
  it("keeps the profile's key names (the contract) and forbids unknown keys", () => {
    expect(Object.keys(schema.properties).sort()).toEqual(
      ['bond', 'description', 'firewall', 'keepalive', 'lan', 'mode', 'name', 'nat', 'package', 'policies', 'routes', 'routing', 'sysctl', 'uplinks', 'version'].sort(),
    );
    expect(schema.additionalProperties).toBe(false);
    const up = schema.properties.uplinks.items;
    expect(Object.keys(up.properties).sort()).toEqual(['address', 'gateway', 'interface', 'mac', 'mtu', 'name', 'nat', 'onlink', 'pppoe', 'probe', 'table', 'tier', 'weight'].sort());
    expect(up.properties.address.anyOf.map((b: Record<string, unknown>) => b.enum ?? b.pattern)).toEqual([expect.any(String), ['dhcp', 'pppoe']]);
    expect(Object.keys(up.properties.pppoe.properties).sort()).toEqual(['device', 'password', 'password_file', 'service', 'username']);
    expect(up.properties.pppoe.required).toEqual(['username']);
    expect(up.properties.pppoe.additionalProperties).toBe(false);
    expect(up.required.sort()).toEqual(['address', 'interface', 'name']);
    expect(Object.keys(schema.properties.keepalive.properties).sort()).toEqual(['down', 'enabled', 'interval', 'method', 'targets', 'timeout', 'up']);
    expect(Object.keys(schema.properties.routing.properties).sort()).toEqual(['hash', 'multipath_table', 'pin_flows', 'prohibit_fallback', 'rule_priority_base']);
    const policy = schema.properties.policies.items;
    expect(Object.keys(policy.properties).sort()).toEqual(['fallback', 'match', 'name', 'uplinks']);
    expect(Object.keys(policy.properties.match.properties).sort()).toEqual(['dport', 'dst', 'protocol', 'sport', 'src']);
  });
  it('describes every key (editors show these)', () => {
    expect(schema.properties.uplinks.items.properties.gateway.description).toMatch(new RegExp(`^${KEY_DOCS['uplinks[].gateway']!.doc}\\. Default: `));
    walkProperties(schema, (path, node) => expect(node.description, path).toMatch(/\S/));
  });

  it('gives every key an example, and every optional key its default', () => {
    const missing: string[] = [];
    walkProperties(schema, (path, node, required) => {
      if (!Array.isArray(node.examples) || node.examples.length === 0) missing.push(`${path}: no examples`);
      if (!required && !KEY_DEFAULTS[path]) missing.push(`${path}: optional, no default`);
      if (required && KEY_DEFAULTS[path]) missing.push(`${path}: required, yet a default`);
    });
    expect(missing).toEqual([]);
    expect(schema.properties.keepalive.properties.interval.default).toBe('250ms');
    expect(schema.properties.routing.properties.multipath_table.default).toBe(222);
  });

  it('every example is valid for its key (pattern, enum, range)', () => {
    const bad: string[] = [];
    const check = (path: string, node: Record<string, any>, v: unknown): void => {
      if (node.pattern && !(typeof v === 'string' && new RegExp(node.pattern).test(v))) bad.push(`${path}: ${JSON.stringify(v)} !~ ${node.pattern}`);
      if (node.enum && !node.enum.includes(v)) bad.push(`${path}: ${JSON.stringify(v)} not in ${node.enum}`);
      if (node.type === 'integer' && !(Number.isInteger(v) && (node.minimum ?? -Infinity) <= (v as number) && (v as number) <= (node.maximum ?? Infinity))) bad.push(`${path}: ${JSON.stringify(v)}`);
      if (node.type === 'boolean' && typeof v !== 'boolean') bad.push(`${path}: ${JSON.stringify(v)} is not a boolean`);
      if (node.type === 'array' && !Array.isArray(v)) bad.push(`${path}: ${JSON.stringify(v)} is not a list`);
      if (node.type === 'array' && Array.isArray(v) && node.items) v.forEach((x) => check(`${path}[]`, node.items, x));
    };
    walkProperties(schema, (path, node) => {
      for (const v of node.examples ?? []) check(path, node, v);
      if ('default' in node && node.type !== 'object') check(`${path} (default)`, node, node.default);
    });
    expect(bad).toEqual([]);
  });

  it('docs/profile.md documents every key with its default and example', () => {
    const doc = readFileSync(join(REPO, 'docs', 'profile.md'), 'utf8');
    walkProperties(schema, (path, _node, required) => {
      const section = doc.split(/^### /m).find((s) => s.startsWith(`\`${path}\``));
      expect(section, `docs/profile.md has no section for ${path}`).toBeDefined();
      expect(section).toContain(KEY_DOCS[path]!.example);
      if (required) expect(section).toContain('Required');
      else expect(section).toContain(defaultText(KEY_DEFAULTS[path]!));
    });
  });
});
