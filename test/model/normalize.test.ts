import { describe, expect, it } from 'vitest';
import { loadModelFromText } from '../../src/model/load.js';
import { DEFAULT_PROFILE_YAML } from '../../src/profile/default-profile.js';
import { fixtureModel } from '../support/fixtures.js';

const uplinks = (n: number, extra = ''): string =>
  Array.from({ length: n }, (_, i) => `  - name: u${i}\n    interface: eth${i + 1}\n    address: 10.${i}.0.2/30\n    gateway: 10.${i}.0.1\n${extra}`).join('');

const profile = (body: string): string => `version: 1\nname: t\nmode: multipath\nuplinks:\n${body}`;

describe('normalize: defaults, allocation, derived values', () => {
  it('seed 001: tables 201/202, rules 201/202, multipath rule 222, main rule at the base', () => {
    const m = fixtureModel('seed001-multipath');
    expect(m.uplinks.map((u) => [u.table, u.rulePriority, u.ruleFrom])).toEqual([
      [201, 201, '192.0.2.2/32'],
      [202, 202, '192.0.2.10/32'],
    ]);
    expect(m.routing).toMatchObject({ multipathTable: 222, mainRulePriority: 200, multipathRulePriority: 222, hashPolicy: 1, prohibitFallback: true });
    expect(m.uplinks.map((u) => u.nat)).toEqual(['snat', 'masquerade']);
    expect(m.uplinks[1]!.probe).toEqual(['203.0.113.10', '192.0.2.9']);
    expect(m.uplinks[0]!.probe).toEqual(['192.0.2.1']);
    expect(m.uplinks[0]!.address).toMatchObject({ network: '192.0.2.0', netmask: '255.255.255.248', broadcast: '192.0.2.7', networkCidr: '192.0.2.0/29' });
  });

  it('seed 003: teql bond, NAT on the bond, probes default to the uplink gateway', () => {
    const m = fixtureModel('seed003-teql');
    expect(m.bond).toMatchObject({ interface: 'teql0', index: 0, gateway: '203.0.113.6' });
    expect(m.uplinks.every((u) => u.nat === 'none')).toBe(true);
    expect(m.uplinks[0]!.mac).toBe('02:00:00:00:00:02');
    expect(m.sysctl.rpFilterValue).toBe(2);
  });

  it('seed 000: the balanced destination is the links’ own subnet, so no prefix routes', () => {
    const m = fixtureModel('seed000-equalize');
    expect(m.routes).toEqual(['192.0.2.0/24']);
    expect(m.uplinks.map((u) => u.noPrefixRoute)).toEqual([true, true]);
    expect(m.warnings.join(' ')).toContain('kernels since 3.6 ignore the equalize flag');
  });

  it('seed 004: weights and onlink kept', () => {
    const m = fixtureModel('seed004-weights');
    expect(m.uplinks.map((u) => [u.weight, u.onlink])).toEqual([
      [9, true],
      [10, true],
    ]);
  });

  it('allocates tables around explicit ones and the multipath table, deterministically', () => {
    const text = profile(uplinks(3).replace('gateway: 10.1.0.1\n', 'gateway: 10.1.0.1\n    table: 201\n'));
    const a = loadModelFromText(text, 'x').model.uplinks.map((u) => u.table);
    const b = loadModelFromText(text, 'x').model.uplinks.map((u) => u.table);
    expect(a).toEqual([202, 201, 203]);
    expect(b).toEqual(a);
  });

  it('with 32 uplinks, no table collides with 222 and the multipath rule moves below the uplink rules', () => {
    const m = loadModelFromText(profile(uplinks(32)), 'x').model;
    const tables = m.uplinks.map((u) => u.table);
    expect(new Set(tables).size).toBe(32);
    expect(tables).not.toContain(222);
    expect(Math.max(...m.uplinks.map((u) => u.rulePriority))).toBeLessThan(m.routing.multipathRulePriority);
    expect(m.routing.multipathRulePriority).toBe(200 + 33);
  });

  it('durations become milliseconds; defaults are the measured keepalive values (docs/keepalive.md)', () => {
    const m = loadModelFromText(profile(uplinks(2)) + 'keepalive:\n  interval: 250ms\n  timeout: 2s\n', 'x').model;
    expect(m.keepalive).toEqual({ enabled: true, method: 'ping', intervalMs: 250, timeoutMs: 2000, down: 8, up: 20, targets: ['1.1.1.1', '8.8.8.8'] });
    const d = loadModelFromText(profile(uplinks(2)), 'x').model;
    expect(d.keepalive).toEqual({ enabled: true, method: 'ping', intervalMs: 250, timeoutMs: 750, down: 8, up: 20, targets: ['1.1.1.1', '8.8.8.8'] });
    expect(d.package).toMatchObject({ name: 'mpgen-t', version: '0.1.0', release: '1' });
    expect(d.package.defaultEpoch).toBeGreaterThan(157766400); // after 1975, not the clock
    expect(d.firewall).toBe('nftables');
  });

  it('the embedded default is the seed-003 teql office and is valid', () => {
    const { model, warnings } = loadModelFromText(DEFAULT_PROFILE_YAML, '<default>');
    expect(warnings).toEqual([]);
    expect(model.mode).toBe('teql');
    expect(model.uplinks.map((u) => u.interface)).toEqual(['eth2', 'eth3', 'eth4', 'eth5']);
    expect(model.bond?.gateway).toBe('81.187.191.134');
  });
});
