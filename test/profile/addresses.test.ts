/**
 * Issue 14's examples as written: P (two multipath uplinks) and T (the `mpgen init` teql office),
 * each with one edit, refused at the edited value; and the neighbours the kernel accepts and admins
 * use (a /31 pair, link-local and far onlink gateways, a /32 with onlink), still accepted.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE_YAML } from '../../src/profile/default-profile.js';
import { parseProfile } from '../../src/profile/load.js';

const P = (a: string, b = ''): string => `version: 1
name: lab
mode: multipath
uplinks:
  - {name: a, interface: eth1, address: 192.0.2.1/30, gateway: 192.0.2.2${a}}
  - {name: b, interface: eth2, address: 198.51.100.1/30, gateway: 198.51.100.2${b}}
`;

const errors = (text: string) => parseProfile(text, 'p.yaml').diagnostics.filter((d) => d.severity === 'error');
const at = (text: string) => errors(text).map((d) => `${d.line}:${d.col} ${d.path}: ${d.message}`);

describe('issue 14: P and T with one edit', () => {
  it('P as given is valid', () => expect(at(P(''))).toEqual([]));

  it('P with gateway: 192.0.2.3 (the broadcast of 192.0.2.0/30)', () => {
    const text = P('').replace('gateway: 192.0.2.2', 'gateway: 192.0.2.3');
    expect(at(text)).toEqual([expect.stringMatching(/^5:64 uplinks\[0\]\.gateway: 192\.0\.2\.3 is the broadcast address of 192\.0\.2\.0\/30/)]);
  });

  it('P with an uplink named mp is valid (the multipath table is named apart, see test/model)', () => {
    expect(at(P('').replace('name: a,', 'name: mp,'))).toEqual([]);
  });

  it('T as written is valid', () => expect(at(DEFAULT_PROFILE_YAML)).toEqual([]));

  it('T with bond.gateway: 81.187.191.135 (the broadcast of the bond /29)', () => {
    const text = DEFAULT_PROFILE_YAML.replace('gateway: 81.187.191.134', 'gateway: 81.187.191.135');
    const line = text.split('\n').findIndex((l) => l.includes('81.187.191.135')) + 1;
    expect(at(text)).toEqual([expect.stringMatching(new RegExp(`^${line}:12 bond\\.gateway: 81\\.187\\.191\\.135 is the broadcast address of 81\\.187\\.191\\.128/29`))]);
  });

  it('T with the bond on the lan subnet, or on an uplink gateway or address', () => {
    expect(at(DEFAULT_PROFILE_YAML.replace('address: 10.0.0.1/24', 'address: 81.187.191.1/24'))).toEqual([expect.stringMatching(/lan\.address: 81\.187\.191\.1\/24 overlaps the bond/)]);
    expect(at(DEFAULT_PROFILE_YAML.replace('address: 81.187.191.129/29', 'address: 172.16.8.2/29')).filter((e) => e.includes('bond.address'))).toEqual([
      expect.stringMatching(/bond\.address: 172\.16\.8\.2 is the gateway of uplinks\[0\]/),
    ]);
    expect(at(DEFAULT_PROFILE_YAML.replace('address: 81.187.191.129/29', 'address: 172.16.8.5/29')).filter((e) => e.includes('bond.address'))).toEqual([
      expect.stringMatching(/bond\.address: 172\.16\.8\.5 is already the address of uplinks\[1\]/),
    ]);
  });
});

describe('one address on two uplinks', () => {
  const h2h = `version: 1
name: h2h
mode: equalize
uplinks:
  - {name: l0, interface: eth0, address: 192.0.2.1/24, probe: [192.0.2.2]}
  - {name: l1, interface: eth1, address: 192.0.2.1/24, probe: [192.0.2.2]}
`;
  it('seed 000 (equalize between two hosts over direct links) is kept, with a located warning', () => {
    const r = parseProfile(h2h, 'p.yaml');
    expect(r.profile).toBeDefined();
    expect(r.diagnostics.map((d) => `${d.severity} ${d.line}:${d.col} ${d.path}`)).toContain('warning 6:42 uplinks[1].address');
    expect(r.diagnostics.find((d) => d.path === 'uplinks[1].address')!.hint).toContain('method: arping');
  });
  it('with a gateway it is refused', () => {
    expect(at(h2h.replace('192.0.2.1/24, probe', '192.0.2.1/24, gateway: 192.0.2.254, probe'))).toEqual([expect.stringMatching(/^6:42 uplinks\[1\]\.address: 192\.0\.2\.1 is already the address of uplinks\[0\]/)]);
  });
});

describe('what the kernel accepts and admins use stays valid', () => {
  const ok = (name: string, text: string) => it(name, () => expect(at(text)).toEqual([]));
  ok(
    '/31 point-to-point pairs (RFC 3021), either end',
    P('').replace('192.0.2.1/30, gateway: 192.0.2.2', '192.0.2.0/31, gateway: 192.0.2.1').replace('198.51.100.1/30, gateway: 198.51.100.2', '198.51.100.1/31, gateway: 198.51.100.0'),
  );
  ok('a /32 with an onlink gateway', P(', onlink: true').replace('192.0.2.1/30', '192.0.2.1/32'));
  ok('a link-local onlink gateway', P(', onlink: true').replace('gateway: 192.0.2.2', 'gateway: 169.254.1.1'));
  ok('a link-local address and gateway', P('').replace('192.0.2.1/30, gateway: 192.0.2.2', '169.254.7.1/16, gateway: 169.254.7.2'));
  ok("an onlink gateway that is another subnet's network address", P(', onlink: true').replace('gateway: 192.0.2.2', 'gateway: 203.0.113.0'));
  ok(
    'two uplinks in one subnet, onlink on both, each its own address (seed 004)',
    P(', onlink: true', ', onlink: true').replace('192.0.2.1/30, gateway: 192.0.2.2', '192.0.2.1/29, gateway: 192.0.2.5').replace('198.51.100.1/30, gateway: 198.51.100.2', '192.0.2.2/29, gateway: 192.0.2.6'),
  );
  ok('probes of far hosts and of the other router', P(', probe: [192.0.2.2, 203.0.113.53, 198.51.100.2]'));
  ok('distinct unicast MACs, locally administered or not', P(', mac: "02:00:00:00:00:01"', ', mac: "00:16:3E:00:00:01"'));
});
