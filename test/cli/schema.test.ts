import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../support/cli.js';
import { describe, expect, it } from 'vitest';
import { profileJsonSchema, KEY_DOCS } from '../../src/profile/schema.js';

describe('JSON Schema of the profile', () => {
  const schema = profileJsonSchema() as Record<string, any>;
  it('is locked by a snapshot that a reviewer reads (test/cli/__snapshots__)', () => {
    expect(JSON.stringify(schema, null, 2)).toMatchSnapshot();
  });
  it('keeps every PROFILE.md key name (the contract) and forbids unknown keys', () => {
    expect(Object.keys(schema.properties).sort()).toEqual(
      ['bond', 'description', 'firewall', 'keepalive', 'lan', 'mode', 'name', 'nat', 'package', 'routes', 'routing', 'sysctl', 'uplinks', 'version'].sort(),
    );
    expect(schema.additionalProperties).toBe(false);
    const up = schema.properties.uplinks.items;
    expect(Object.keys(up.properties).sort()).toEqual(['address', 'gateway', 'interface', 'mac', 'mtu', 'name', 'nat', 'onlink', 'probe', 'table', 'weight'].sort());
    expect(up.required.sort()).toEqual(['address', 'interface', 'name']);
    expect(Object.keys(schema.properties.keepalive.properties).sort()).toEqual(['down', 'enabled', 'interval', 'method', 'timeout', 'up']);
    expect(Object.keys(schema.properties.routing.properties).sort()).toEqual(['hash', 'multipath_table', 'prohibit_fallback', 'rule_priority_base']);
  });
  it('describes every key (editors show these)', () => {
    expect(schema.properties.uplinks.items.properties.gateway.description).toBe(KEY_DOCS['uplinks[].gateway']!.doc);
  });
  it('PROFILE.md documents every top-level key the schema has', () => {
    const profileMd = readFileSync(join(REPO, '..', 'shared', 'guide', 'PROFILE.md'), 'utf8');
    for (const k of Object.keys(schema.properties)) expect(profileMd).toMatch(new RegExp(`^${k}:`, 'm'));
  });
});
