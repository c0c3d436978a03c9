/**
 * Every free string that can reach a script, unit or config file passes a
 * strict pattern: a profile that tries to inject shell through any field is
 * rejected at that field.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseProfile } from '../../src/profile/load.js';

const BASE = {
  version: 1,
  name: 'shop',
  mode: 'multipath',
  description: 'ok',
  lan: { interface: 'eth0', address: '198.51.100.1/24' },
  uplinks: [
    { name: 'dsl1', interface: 'eth1', address: '192.0.2.2/29', gateway: '192.0.2.1', mac: '02:00:00:00:00:01', probe: ['203.0.113.10'] },
    { name: 'dsl2', interface: 'eth2', address: '192.0.2.10/29', gateway: '192.0.2.9' },
  ],
  routes: ['default'],
  package: { name: 'mpgen-shop', version: '1.0.0', maintainer: 'Net Admin <admin@example.net>' },
  keepalive: { interval: '0.5s', timeout: '1s' },
};

const FIELDS: Array<Array<string | number>> = [
  ['name'],
  ['description'],
  ['lan', 'interface'],
  ['lan', 'address'],
  ['uplinks', 0, 'name'],
  ['uplinks', 0, 'interface'],
  ['uplinks', 0, 'address'],
  ['uplinks', 0, 'gateway'],
  ['uplinks', 0, 'mac'],
  ['uplinks', 0, 'probe', 0],
  ['routes', 0],
  ['package', 'name'],
  ['package', 'version'],
  ['package', 'maintainer'],
  ['keepalive', 'interval'],
  ['keepalive', 'timeout'],
];

// Shell metacharacters, command substitution, newlines (which end a line in
// ifcfg, ENI and unit files), quotes, a unicode look-alike and an over-long value.
const HOSTILE = [
  'eth1;reboot',
  '$(reboot)',
  '`reboot`',
  'eth1\nreboot',
  'eth1\rExecStart=/bin/sh',
  "eth1' || reboot '",
  'eth1" && reboot "',
  'eth1|reboot',
  'eth1&reboot',
  'eth1>x',
  'eth1 reboot',
  '${IFS}reboot',
  'еth1', // Cyrillic е
  'x'.repeat(300),
];

function setIn(obj: unknown, path: Array<string | number>, value: unknown): unknown {
  const copy = structuredClone(obj) as Record<string | number, unknown>;
  let cur = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
  return copy;
}

const pathString = (p: Array<string | number>): string => p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('');

describe('hostile strings are rejected at the field they were put in', () => {
  it('the base profile is valid', () => {
    const r = parseProfile(stringify(BASE), 'base.yaml');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  for (const field of FIELDS) {
    it(`${pathString(field)}`, () => {
      for (const value of HOSTILE) {
        // description is free text: it may hold spaces, quotes and shell characters (it only
        // ever reaches comments and package descriptions), but never a control character.
        if (field[0] === 'description' && !/[\r\n]/.test(value) && value.length <= 200) continue;
        const r = parseProfile(stringify(setIn(BASE, field, value)), 'evil.yaml');
        expect(r.profile, `${pathString(field)} accepted ${JSON.stringify(value)}`).toBeUndefined();
        const hit = r.diagnostics.find((d) => d.severity === 'error' && d.path === pathString(field));
        expect(hit, `no error at ${pathString(field)} for ${JSON.stringify(value)}`).toBeDefined();
      }
    });
  }
});
