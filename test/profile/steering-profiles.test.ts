/**
 * The steering keys' rules (src/profile/rules-steering.ts), each with its located message, in the
 * style of bad-profiles.test.ts: tiers, policies, routing.pin_flows and keepalive.targets.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/profile/diagnostics.js';
import { parseProfile } from '../../src/profile/load.js';
import { BASE } from './bad-profiles.cases.js';

interface Case {
  name: string;
  text: string;
  at: string;
  path: string;
  says: string[];
}

const add = (extra: string): string => BASE + extra;
/** BASE with `tier: N` on the uplink at 0-based index i (after its gateway line). */
const tier = (i: number, n: number, text = BASE): string => {
  const lines = text.split('\n');
  const gw = lines.map((l, k) => (l.startsWith('    gateway:') ? k : -1)).filter((k) => k >= 0)[i]!;
  lines.splice(gw + 1, 0, `    tier: ${n}`);
  return lines.join('\n');
};
const policy = (body: string): string => add(`policies:\n  - name: voip\n${body}`);

const ERRORS: Case[] = [
  {
    name: 'a policy names an unknown uplink',
    text: policy('    match: { protocol: udp, dport: 5060 }\n    uplinks: [dsl2, lte]\n'),
    at: '16:21',
    path: 'policies[0].uplinks[1]',
    says: ['"lte" is not the name of an uplink', 'Use one of: dsl1, dsl2'],
  },
  {
    name: 'a policy lists an uplink twice',
    text: policy('    uplinks: [dsl1, dsl1]\n'),
    at: '15:21',
    path: 'policies[0].uplinks[1]',
    says: ['"dsl1" is listed twice', 'Remove the duplicate'],
  },
  {
    name: 'two policies of one name',
    text: policy('    uplinks: [dsl1]\n  - name: voip\n    uplinks: [dsl2]\n'),
    at: '16:11',
    path: 'policies[1].name',
    says: ['"voip" is already the name of policies[0]', 'unique name'],
  },
  {
    name: 'ports without protocol',
    text: policy('    match: { dport: 5060 }\n    uplinks: [dsl1]\n'),
    at: '15:14',
    path: 'policies[0].match.dport',
    says: ['dport needs protocol tcp or udp, and no protocol is given', 'Add protocol: tcp (or udp)'],
  },
  {
    name: 'ports with protocol icmp',
    text: policy('    match: { protocol: icmp, sport: 5060 }\n    uplinks: [dsl1]\n'),
    at: '15:30',
    path: 'policies[0].match.sport',
    says: ['sport needs protocol tcp or udp, and protocol is "icmp"'],
  },
  {
    name: 'a port range that runs backwards',
    text: policy('    match: { protocol: tcp, dport: ["6000-5000"] }\n    uplinks: [dsl1]\n'),
    at: '15:37',
    path: 'policies[0].match.dport[0]',
    says: ['"6000-5000" runs backwards', 'Write "5000-6000"'],
  },
  {
    name: 'a port out of range',
    text: policy('    match: { protocol: tcp, dport: ["5000-70000"] }\n    uplinks: [dsl1]\n'),
    at: '15:37',
    path: 'policies[0].match.dport[0]',
    says: ['"5000-70000" is out of range', 'Ports are 1 to 65535'],
  },
  {
    name: 'pin_flows in teql mode',
    text: BASE.replace('mode: multipath', 'mode: teql') + 'bond:\n  interface: teql0\n  address: 203.0.113.1/29\n  gateway: 203.0.113.6\nrouting:\n  pin_flows: true\n',
    at: '18:14',
    path: 'routing.pin_flows',
    says: ['teql balances every packet over all slaves by design', 'use mode: multipath'],
  },
  {
    name: 'policies in teql mode',
    text: BASE.replace('mode: multipath', 'mode: teql') + 'bond:\n  interface: teql0\n  address: 203.0.113.1/29\n  gateway: 203.0.113.6\npolicies:\n  - name: voip\n    uplinks: [dsl1]\n',
    at: '17:1',
    path: 'policies',
    says: ['teql sends every packet over all of its slaves', 'Remove policies'],
  },
  {
    name: 'pin_flows with firewall none',
    text: add('firewall: none\nrouting:\n  pin_flows: true\n'),
    at: '15:14',
    path: 'routing.pin_flows',
    says: ['pinned connections need connection marks, and firewall is none', 'Set firewall: nftables (or iptables), or pin_flows: false'],
  },
  {
    name: 'policies with firewall none',
    text: add('firewall: none\npolicies:\n  - name: voip\n    uplinks: [dsl1]\n'),
    at: '14:1',
    path: 'policies',
    says: ['policies need connection marks, and firewall is none', 'or remove policies'],
  },
  {
    name: 'no tier-1 uplink',
    text: tier(1, 3, tier(0, 2)),
    at: '9:11',
    path: 'uplinks[0].tier',
    says: ['no uplink is in tier 1', 'Give the main lines tier: 1'],
  },
  { name: 'tier 0', text: tier(1, 0), at: '13:11', path: 'uplinks[1].tier', says: ['uplinks[1].tier'] },
  { name: 'tier 17', text: tier(1, 17), at: '13:11', path: 'uplinks[1].tier', says: ['uplinks[1].tier'] },
];

const WARNINGS: Case[] = [
  {
    name: 'targets: [] with the keepalive on',
    text: add('keepalive:\n  targets: []\n'),
    at: '14:12',
    path: 'keepalive.targets',
    says: ['with no far targets, uplinks without probe: are probed at their gateway only', 'Leave targets out'],
  },
  {
    name: 'a tier-2 uplink without the keepalive',
    text: tier(1, 2) + 'keepalive:\n  enabled: false\n',
    at: '13:11',
    path: 'uplinks[1].tier',
    says: ['without the keepalive only tier-1 uplinks are in the balance', 'Enable the keepalive'],
  },
];

function located(c: Case, severity: 'error' | 'warning') {
  const r = parseProfile(c.text, 'p.yaml');
  const found = r.diagnostics.filter((d) => d.severity === severity);
  const hit = found.find((d) => d.path === c.path);
  expect(hit, `no ${severity} at "${c.path}"; got: ${found.map((d) => `${d.path} ${d.message}`).join('; ')}`).toBeDefined();
  expect(`${hit!.line}:${hit!.col}`).toBe(c.at);
  const text = formatDiagnostic(hit!);
  expect(text.startsWith(`p.yaml:${c.at}: ${severity === 'warning' ? 'warning: ' : ''}${c.path}: `)).toBe(true);
  for (const s of c.says) expect(text).toContain(s);
  const [, src, caret] = text.split('\n');
  expect(src).toMatch(new RegExp(`^ *${hit!.line} \\| `));
  expect(caret!.indexOf('^') - caret!.indexOf('|') - 1).toBe(hit!.col);
  return r;
}

describe('steering rules: errors, located', () => {
  for (const c of ERRORS) {
    it(`${c.name}: ${c.at} ${c.path}`, () => {
      expect(located(c, 'error').profile).toBeUndefined();
    });
  }
});

describe('steering rules: warnings, located, and the profile still loads', () => {
  for (const c of WARNINGS) {
    it(`${c.name}: ${c.at} ${c.path}`, () => {
      const r = located(c, 'warning');
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(r.profile).toBeDefined();
    });
  }

  it('valid steering: tiers, a policy with ports and ranges, pin_flows, far targets: no finding at all', () => {
    const text = tier(1, 2) + 'policies:\n  - name: voip\n    match: { protocol: udp, dport: [5060, "10000-20000"], dst: [203.0.113.0/24] }\n    uplinks: [dsl2, dsl1]\n    fallback: none\nrouting:\n  pin_flows: true\nkeepalive:\n  targets: [203.0.113.53]\n';
    const r = parseProfile(text, 'p.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(r.profile).toBeDefined();
  });
});
