/**
 * The dynamic uplinks' rules (src/profile/rules-dynamic.ts): `address: dhcp` and `address: pppoe`
 * with their `pppoe` section, each error with its located message and fix, in the style of
 * steering-profiles.test.ts. Valid dynamic profiles are checked by the rules and the parser only
 * (runRules, parseProfile): the model (src/model/normalize.ts) is not part of this test.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/profile/diagnostics.js';
import { parseProfile } from '../../src/profile/load.js';
import { runRules } from '../../src/profile/rules.js';
import { passwordFileProblem, passwordProblem, usernameProblem } from '../../src/profile/rules-dynamic.js';
import { PPPOE_PASSWORD_RE, PPPOE_USERNAME_RE, SECRET_FILE_RE } from '../../src/profile/schema.js';

/** A valid profile: a DHCP uplink, a PPPoE uplink and a static one. */
export const DYN = `version: 1
name: shop
mode: multipath
uplinks:
  - name: cable
    interface: eth1
    address: dhcp
  - name: dsl
    interface: eth2
    address: pppoe
    pppoe:
      username: "user@isp.example"
      password_file: /etc/mpgen/secrets/dsl
  - name: fibre
    interface: eth3
    address: 203.0.113.2/30
    gateway: 203.0.113.1
`;

const LINES = DYN.split('\n');
/** DYN with 1-based line n replaced by `to` (several lines, or none with ''). */
const set = (n: number, to: string, text = DYN): string => {
  const lines = text.split('\n');
  if (to === '') lines.splice(n - 1, 1);
  else lines[n - 1] = to;
  return lines.join('\n');
};
/** DYN with `extra` (one or more lines) inserted after 1-based line n. */
const after = (n: number, extra: string, text = DYN): string => {
  const lines = text.split('\n');
  lines.splice(n, 0, extra);
  return lines.join('\n');
};
const TEQL_BOND = 'bond:\n  interface: teql0\n  address: 198.51.100.1/29\n  gateway: 198.51.100.6\n';
/** A second PPPoE uplink, appended (uplinks[3], lines 18 to 24). */
const SECOND_PPPOE = (extra = '') => `  - name: dsl2\n    interface: eth4\n    address: pppoe\n    pppoe:\n      username: other@isp.example\n      password_file: /etc/mpgen/secrets/dsl2\n${extra}`;

interface Case {
  name: string;
  text: string;
  at: string;
  path: string;
  says: string[];
  /** what the formatted message (its first line) must not contain */
  not?: string[];
}

const ERRORS: Case[] = [
  // what the lease or the session gives
  {
    name: 'gateway with address: dhcp',
    text: after(7, '    gateway: 192.0.2.1'),
    at: '8:5',
    path: 'uplinks[0].gateway',
    says: ['with address: dhcp the gateway comes from the DHCP lease', 'Remove gateway'],
  },
  {
    name: 'gateway with address: pppoe',
    text: after(10, '    gateway: 198.51.100.1'),
    at: '11:5',
    path: 'uplinks[1].gateway',
    says: ['with address: pppoe the gateway comes from the PPPoE session', 'Remove gateway'],
  },
  {
    name: 'onlink with address: dhcp',
    text: after(7, '    onlink: true'),
    at: '8:5',
    path: 'uplinks[0].onlink',
    says: ['with address: dhcp the gateway and its subnet come from the DHCP lease', 'Remove onlink'],
  },
  {
    name: 'onlink: false with address: pppoe',
    text: after(10, '    onlink: false'),
    at: '11:5',
    path: 'uplinks[1].onlink',
    says: ['the PPPoE session', 'Remove onlink'],
  },
  {
    name: 'nat: snat on a dhcp uplink',
    text: after(7, '    nat: snat'),
    at: '8:10',
    path: 'uplinks[0].nat',
    says: ["snat writes the uplink's address into the rule", 'not known when rendering', 'Use nat: masquerade'],
  },
  {
    name: 'nat: snat on a pppoe uplink',
    text: after(10, '    nat: snat'),
    at: '11:10',
    path: 'uplinks[1].nat',
    says: ['the PPPoE session', 'Use nat: masquerade'],
  },
  {
    name: 'top-level nat: snat inherited by the dhcp uplink',
    text: after(3, 'nat: snat'),
    at: '4:6',
    path: 'nat',
    says: ['the top-level snat applies to uplinks[0] (cable) too', 'the DHCP lease', 'not known when rendering', 'Set nat: masquerade on uplinks[0] (cable)'],
  },
  {
    name: 'top-level nat: snat inherited by the pppoe uplink',
    text: after(3, 'nat: snat'),
    at: '4:6',
    path: 'nat',
    says: ['the top-level snat applies to uplinks[1] (dsl) too', 'the PPPoE session', 'Set nat: masquerade on uplinks[1] (dsl)'],
  },
  // the pppoe section
  {
    name: 'pppoe without address: pppoe (dhcp)',
    text: after(7, '    pppoe:\n      username: "user@isp.example"\n      password_file: /etc/mpgen/secrets/cable'),
    at: '8:5',
    path: 'uplinks[0].pppoe',
    says: ['pppoe is only used with address: pppoe, and address is dhcp', 'Remove the pppoe section, or set address: pppoe'],
  },
  {
    name: 'pppoe on a static uplink',
    text: DYN + '    pppoe:\n      username: "user@isp.example"\n      password_file: /etc/mpgen/secrets/fibre\n',
    at: '18:5',
    path: 'uplinks[2].pppoe',
    says: ['pppoe is only used with address: pppoe, and address is "203.0.113.2/30"'],
  },
  {
    name: 'address: pppoe without pppoe',
    text: set(11, '', set(12, '', set(13, ''))),
    at: '10:14',
    path: 'uplinks[1].address',
    says: ["address: pppoe needs a pppoe section with the session's username and password", 'Add pppoe: {username: USER, password_file: /etc/mpgen/secrets/NAME}'],
  },
  {
    name: 'the interface of a pppoe uplink is a ppp device',
    text: set(9, '    interface: ppp0'),
    at: '9:16',
    path: 'uplinks[1].interface',
    says: ['the interface is the Ethernet that carries the session, and "ppp0" is a PPP device', 'Give the Ethernet'],
  },
  {
    name: 'password and password_file',
    text: after(13, '      password: "s3cret"'),
    at: '14:7',
    path: 'uplinks[1].pppoe.password',
    says: ['password and password_file are both given', 'Keep one of them: password_file keeps the password out of the package'],
    not: ['s3cret'],
  },
  {
    name: 'neither password nor password_file',
    text: set(13, ''),
    at: '11:5',
    path: 'uplinks[1].pppoe',
    says: ['the PPPoE session needs a password, and neither password_file nor password is given', 'Add password_file: /etc/mpgen/secrets/NAME'],
  },
  {
    name: 'no username',
    text: set(12, ''),
    at: '12:7',
    path: 'uplinks[1].pppoe.username',
    says: ['is required', 'the PPP username'],
  },
  // the username
  {
    name: 'username with a space',
    text: set(12, '      username: "user name@isp.example"'),
    at: '12:17',
    path: 'uplinks[1].pppoe.username',
    says: ['the username "user name@isp.example" contains a space', 'without spaces or quotes', '. _ @ + = : / -'],
    not: ['is not valid here'],
  },
  {
    name: 'username with a single quote',
    text: set(12, `      username: "o'brien@isp.example"`),
    at: '12:17',
    path: 'uplinks[1].pppoe.username',
    says: ['contains a quote', 'without spaces or quotes'],
    not: ['is not valid here'],
  },
  {
    name: 'username with a double quote',
    text: set(12, `      username: 'user"@isp.example'`),
    at: '12:17',
    path: 'uplinks[1].pppoe.username',
    says: ['contains a quote'],
  },
  {
    name: 'username with a backslash',
    text: set(12, `      username: 'DOMAIN\\user'`),
    at: '12:17',
    path: 'uplinks[1].pppoe.username',
    says: ['contains a backslash'],
  },
  {
    name: 'username with another character',
    text: set(12, '      username: "user#1@isp.example"'),
    at: '12:17',
    path: 'uplinks[1].pppoe.username',
    says: ['contains "#"', 'letters, digits and . _ @ + = : / -'],
  },
  {
    name: 'username with a tab',
    text: set(12, '      username: "user\\t1"'),
    at: '12:17',
    path: 'uplinks[1].pppoe.username',
    says: ['contains a tab, a line break or another control character'],
  },
  {
    name: 'empty username',
    text: set(12, '      username: ""'),
    at: '12:17',
    path: 'uplinks[1].pppoe.username',
    says: ['the username is empty'],
  },
  {
    name: 'username of 65 characters',
    text: set(12, `      username: ${'u'.repeat(53)}@isp.example`),
    at: '12:17',
    path: 'uplinks[1].pppoe.username',
    says: ['is 65 characters long; at most 64'],
  },
  // the password, never echoed
  {
    name: 'password starting with @',
    text: set(13, '      password: "@s3cret"'),
    at: '13:17',
    path: 'uplinks[1].pppoe.password',
    says: ['the password starts with "@": pppd reads a secret that starts with @ as the name of a file', 'give password_file'],
    not: ['s3cret', 'is not valid here'],
  },
  {
    name: 'password with a double quote',
    text: set(13, `      password: 'se"cret'`),
    at: '13:17',
    path: 'uplinks[1].pppoe.password',
    says: ['the password contains a double quote', 'password_file'],
    not: ['se"cret', 'is not valid here'],
  },
  {
    name: 'password with a backslash',
    text: set(13, `      password: 'se\\cret'`),
    at: '13:17',
    path: 'uplinks[1].pppoe.password',
    says: ['the password contains a backslash'],
    not: ['cret'],
  },
  {
    name: 'password with a line break',
    text: set(13, '      password: "se\\ncret"'),
    at: '13:17',
    path: 'uplinks[1].pppoe.password',
    says: ['a line break'],
    not: ['cret'],
  },
  {
    name: 'password of 129 characters',
    text: set(13, `      password: ${'p'.repeat(129)}`),
    at: '13:17',
    path: 'uplinks[1].pppoe.password',
    says: ['the password is 129 characters long; at most 128'],
    not: ['ppppp'],
  },
  {
    name: 'password read as a number',
    text: set(13, '      password: 20251202'),
    at: '13:17',
    path: 'uplinks[1].pppoe.password',
    says: ['YAML read the password as a number, not a string', 'Quote it'],
    not: ['20251202'],
  },
  // password_file
  {
    name: 'relative password_file',
    text: set(13, '      password_file: secrets/dsl'),
    at: '13:22',
    path: 'uplinks[1].pppoe.password_file',
    says: ['"secrets/dsl" is not an absolute path', 'such as /etc/mpgen/secrets/dsl'],
    not: ['is not valid here'],
  },
  {
    name: 'password_file with ..',
    text: set(13, '      password_file: /etc/mpgen/../shadow'),
    at: '13:22',
    path: 'uplinks[1].pppoe.password_file',
    says: ['has a ".." segment', 'without .. segments'],
  },
  {
    name: 'password_file that names a directory',
    text: set(13, '      password_file: /etc/mpgen/secrets/'),
    at: '13:22',
    path: 'uplinks[1].pppoe.password_file',
    says: ['ends in "/", which names a directory'],
  },
  {
    name: 'password_file with a space',
    text: set(13, '      password_file: "/etc/mpgen/my secret"'),
    at: '13:22',
    path: 'uplinks[1].pppoe.password_file',
    says: ['contains " "'],
  },
  // the schema's own checks on the section
  {
    name: 'unknown key in pppoe',
    text: after(13, '      passwd: x'),
    at: '14:7',
    path: 'uplinks[1].pppoe.passwd',
    says: ['unknown key "passwd"', 'Did you mean "password"?'],
  },
  {
    name: 'device that is not pppN',
    text: after(13, '      device: eth9'),
    at: '14:15',
    path: 'uplinks[1].pppoe.device',
    says: ['"eth9" is not valid', 'pppN'],
  },
  {
    name: 'service with a space',
    text: after(13, '      service: "my isp"'),
    at: '14:16',
    path: 'uplinks[1].pppoe.service',
    says: ['"my isp" is not valid', 'service name'],
  },
  {
    name: 'address typo dchp',
    text: set(7, '    address: dchp'),
    at: '7:14',
    path: 'uplinks[0].address',
    says: ['"dchp" is not valid here', 'Did you mean "dhcp"?'],
  },
  // the keepalive follows the lease
  {
    name: 'keepalive off with a dhcp uplink',
    text: `${DYN}keepalive:\n  enabled: false\n`,
    at: '19:12',
    path: 'keepalive.enabled',
    says: ['uplinks[0] (cable) has address: dhcp, and the keepalive is what follows the DHCP lease', 'Remove enabled: false'],
  },
  // teql
  {
    name: 'teql with a dhcp slave',
    text: set(3, 'mode: teql') + TEQL_BOND,
    at: '7:14',
    path: 'uplinks[0].address',
    says: ["teql slaves stay static: the bond's shared address and gateway are fixed", 'the DHCP lease', 'Give the slave its static address', 'use mode: multipath'],
  },
  {
    name: 'teql with a pppoe slave',
    text: set(3, 'mode: teql') + TEQL_BOND,
    at: '10:14',
    path: 'uplinks[1].address',
    says: ["teql slaves stay static: the bond's shared address and gateway are fixed", 'the PPPoE session'],
  },
  // PPP devices
  {
    name: 'two pppoe uplinks with one explicit device',
    text: after(13, '      device: ppp0') + SECOND_PPPOE('      device: ppp0\n'),
    at: '25:15',
    path: 'uplinks[3].pppoe.device',
    says: ['device ppp0 is already the PPP device of uplinks[1] (dsl)', 'Give every PPPoE uplink its own device'],
  },
  {
    name: 'a default device taken by an explicit one',
    text: after(13, '      device: ppp1') + SECOND_PPPOE(),
    at: '22:5',
    path: 'uplinks[3].pppoe',
    says: ['the default device ppp1 (this is PPPoE uplink 2 in list order) is already the PPP device of uplinks[1] (dsl)', 'set pppoe.device'],
  },
  {
    name: "a default device that is another uplink's interface",
    text: set(15, '    interface: ppp0'),
    at: '11:5',
    path: 'uplinks[1].pppoe',
    says: ['the default device ppp0 (this is PPPoE uplink 1 in list order) is the interface of uplinks[2] (fibre)', 'Set pppoe.device to a pppN'],
  },
  {
    name: 'a device that is the lan interface',
    text: after(13, '      device: ppp3') + 'lan:\n  interface: ppp3\n  address: 198.51.100.1/24\n',
    at: '14:15',
    path: 'uplinks[1].pppoe.device',
    says: ['device ppp3 is the interface of the lan'],
  },
  // MTU
  {
    name: 'pppoe mtu 1500',
    text: after(10, '    mtu: 1500'),
    at: '11:10',
    path: 'uplinks[1].mtu',
    says: ["1500 is above 1492: PPPoE adds 8 bytes of headers inside Ethernet's 1500", 'Use 1492 or less'],
  },
  {
    name: 'pppoe mtu 100',
    text: after(10, '    mtu: 100'),
    at: '11:10',
    path: 'uplinks[1].mtu',
    says: ['100 is below 128, the smallest MTU pppd accepts'],
  },
];

const WARNINGS: Case[] = [
  {
    name: 'inline password',
    text: set(13, '      password: "s3cret pass"'),
    at: '11:5',
    path: 'uplinks[1].pppoe',
    says: ['the package will hold the PPPoE password for uplinks[1] (dsl) (in mode-0600 files); use password_file to keep it out', 'give password_file'],
    not: ['s3cret'],
  },
];

function located(c: Case, severity: 'error' | 'warning', opts: { fast?: boolean } = {}) {
  const r = parseProfile(c.text, 'p.yaml', opts);
  const found = r.diagnostics.filter((d) => d.severity === severity);
  // several findings may share a path (the top-level nat): the one that says the first thing
  const hit = found.find((d) => d.path === c.path && formatDiagnostic(d).includes(c.says[0]!)) ?? found.find((d) => d.path === c.path);
  expect(hit, `no ${severity} at "${c.path}"; got: ${r.diagnostics.map((d) => `${d.severity} ${d.path} ${d.message}`).join('; ')}`).toBeDefined();
  expect(`${hit!.line}:${hit!.col}`).toBe(c.at);
  const text = formatDiagnostic(hit!);
  expect(text.startsWith(`p.yaml:${c.at}: ${severity === 'warning' ? 'warning: ' : ''}${c.path}: `)).toBe(true);
  for (const s of c.says) expect(text).toContain(s);
  const [first, src, caret] = text.split('\n');
  for (const s of c.not ?? []) expect(first).not.toContain(s);
  expect(src).toMatch(new RegExp(`^ *${hit!.line} \\| `));
  expect(caret!.indexOf('^') - caret!.indexOf('|') - 1).toBe(hit!.col);
  expect(hit!.hint, 'every finding says how to fix it').toMatch(/\S/);
  return r;
}

describe('dynamic uplinks: errors, located, with the fix', () => {
  it('the base profile has no finding at all', () => {
    expect(runRules(parse(DYN))).toEqual([]);
    const r = parseProfile(DYN, 'p.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(LINES[6]).toBe('    address: dhcp');
  });

  for (const c of ERRORS) {
    it(`${c.name}: ${c.at} ${c.path}`, () => {
      expect(located(c, 'error').profile).toBeUndefined();
    });
  }

  it('a refused username, password or password_file is reported once, by the rule (not also as "is not valid here")', () => {
    for (const line of ['      username: "user name"', '      password: "@x"', '      password_file: rel/x']) {
      const n = line.includes('username') ? 12 : 13;
      const r = parseProfile(set(n, line), 'p.yaml');
      const key = line.trim().split(':')[0]!;
      const at = r.diagnostics.filter((d) => d.path === `uplinks[1].pppoe.${key}`);
      expect(at, line).toHaveLength(1);
      expect(at[0]!.message).not.toContain('is not valid here');
    }
  });

  it('the rules explain every value the patterns refuse, and nothing they accept', () => {
    const samples = ['', ' ', 'a', 'user@isp.example', 'a b', "a'b", 'a"b', 'a\\b', 'a\tb', 'a\nb', '@x', '/etc/x', '/etc/../x', '/etc/', 'é', '#x', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(128), 'x'.repeat(129), `/${'x'.repeat(255)}`, `/${'x'.repeat(256)}`];
    for (const s of samples) {
      expect(usernameProblem(s) === undefined, `username ${JSON.stringify(s)}`).toBe(PPPOE_USERNAME_RE.test(s));
      expect(passwordProblem(s) === undefined, `password ${JSON.stringify(s)}`).toBe(PPPOE_PASSWORD_RE.test(s));
      expect(passwordFileProblem(s) === undefined, `password_file ${JSON.stringify(s)}`).toBe(SECRET_FILE_RE.test(s));
      // and a password is never in its message
      if (s.length > 2) expect(passwordProblem(s)?.message ?? '').not.toContain(s);
    }
  });

  it('every error also comes through the `yaml` path (fast: false) at the same place', () => {
    for (const c of ERRORS) located(c, 'error', { fast: false });
  });
});

describe('dynamic uplinks: warnings, located, and the profile still parses', () => {
  for (const c of WARNINGS) {
    it(`${c.name}: ${c.at} ${c.path}`, () => {
      for (const fast of [true, false]) {
        const r = located(c, 'warning', { fast });
        expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(r.profile).toBeDefined();
        // the warning's source line is the pppoe key's, not the password's
        expect(formatDiagnostic(r.diagnostics[0]!)).not.toContain('s3cret');
      }
    });
  }

  it('the inline-password warning is the only finding of the rules', () => {
    const f = runRules(parse(set(13, '      password: "s3cret pass"')));
    expect(f).toEqual([expect.objectContaining({ severity: 'warning', path: ['uplinks', 1, 'pppoe'], at: 'key' })]);
  });
});

describe('valid dynamic profiles: no finding of the rules', () => {
  const VALID: Array<[string, string]> = [
    ['the base profile', DYN],
    ['dhcp with probe, table, mac, weight, tier and mtu', after(7, '    probe: [192.0.2.53]\n    table: 210\n    mac: "02:00:00:00:00:01"\n    weight: 3\n    tier: 2\n    mtu: 1500')],
    ['pppoe with service, device, mtu 1492, probe, table, weight, tier', after(18, '      service: ""\n      device: ppp7', after(10, '    mtu: 1492\n    probe: [198.51.100.53]\n    table: 211\n    weight: 2\n    tier: 2'))],
    ['pppoe with a service name and the inline password (a warning only)', set(13, '      password: "pa$$ w0rd!#"\n      service: internet')],
    ['two pppoe uplinks, default devices ppp0 and ppp1', DYN + SECOND_PPPOE()],
    ['two pppoe uplinks, explicit ppp5 then the default ppp1', after(13, '      device: ppp5') + SECOND_PPPOE()],
    ['top-level nat: snat with dynamic uplinks on masquerade', after(10, '    nat: masquerade', after(7, '    nat: masquerade', after(3, 'nat: snat')))],
    ['top-level nat: masquerade', after(3, 'nat: masquerade')],
    ['nat: none on a dynamic uplink', after(7, '    nat: none')],
    [
      'a lan, routes, policies and far targets beside dynamic uplinks',
      DYN +
        'lan:\n  interface: eth0\n  address: 198.51.100.1/24\nroutes: [default, 192.0.2.0/24]\npolicies:\n  - name: voip\n    match: { protocol: udp, dport: [5060] }\n    uplinks: [dsl, cable]\nkeepalive:\n  targets: [192.0.2.53, 198.51.100.53]\n',
    ],
    ['only dynamic uplinks', set(14, '', set(15, '', set(16, '', set(17, ''))))],
    ['equalize with dynamic uplinks', set(3, 'mode: equalize')],
    ['two dhcp uplinks (no address to compare)', set(16, '    address: dhcp', set(17, ''))],
    ['pppoe mtu 128, the smallest pppd takes', after(10, '    mtu: 128')],
  ];
  for (const [name, text] of VALID) {
    it(name, () => {
      const value = parse(text);
      const errors = runRules(value).filter((f) => f.severity !== 'warning');
      expect(errors).toEqual([]);
      const warnings = runRules(value).filter((f) => f.severity === 'warning');
      // the only warnings: an inline password, equalize's
      for (const w of warnings) expect(w.message).toMatch(/PPPoE password|equalize/);
      // the schema takes it too
      const r = parseProfile(text, 'p.yaml');
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    });
  }

  it('no direct-link warning for a dynamic uplink without probe (its gateway comes from the link)', () => {
    const f = runRules(parse(DYN));
    expect(f.filter((x) => x.message.includes('direct link'))).toEqual([]);
  });
});

describe('hostile strings in the pppoe section are rejected at their key (the injection boundary)', () => {
  // as in injection.test.ts: shell, newlines and CR (they end a line in the pppd options and secrets
  // files), quotes, a unicode look-alike and an over-long value
  const HOSTILE = ['u;reboot', '$(reboot)', '`reboot`', 'u\nreboot', 'u\rplugin x.so', "u' || reboot '", 'u" && reboot "', 'u|reboot', 'u&reboot', 'u>x', 'u reboot', '${IFS}reboot', 'usеr', 'x'.repeat(300)];
  // a password is any printable ASCII but for `"` and `\` (so shell characters are its own to have):
  // what would break out of pppd's quoted word, or be read as a file name, is refused
  const HOSTILE_PASSWORD = ['p"\nplugin evil.so', 'p\nreboot', 'p\r', 'p"x', 'p\\"', '@/etc/shadow', 'pаss', '\u0000', 'x'.repeat(129)];
  const KEYS: Array<[string, number, string[]]> = [
    ['username', 12, HOSTILE],
    ['password_file', 13, [...HOSTILE.map((h) => `/etc/${h}`), '/etc/../shadow', 'etc/x']],
    ['service', 14, HOSTILE],
    ['device', 14, [...HOSTILE, 'ppp0;x', 'eth2', 'ppp1234']],
    ['password', 13, HOSTILE_PASSWORD],
  ];
  for (const [key, line, values] of KEYS) {
    it(`uplinks[1].pppoe.${key}`, () => {
      for (const v of values) {
        const text = line === 14 ? after(13, `      ${key}: ${JSON.stringify(v)}`) : set(line, `      ${key}: ${JSON.stringify(v)}`);
        for (const fast of [true, false]) {
          const r = parseProfile(text, 'evil.yaml', { fast });
          expect(r.profile, `${key} accepted ${JSON.stringify(v)}`).toBeUndefined();
          const hit = r.diagnostics.find((d) => d.severity === 'error' && d.path === `uplinks[1].pppoe.${key}`);
          expect(hit, `no error at ${key} for ${JSON.stringify(v)}: ${r.diagnostics.map((d) => `${d.path} ${d.message}`).join('; ')}`).toBeDefined();
          expect(`${hit!.line}:${hit!.col}`).toBe(`${line}:${key.length + 9}`);
          if (key === 'password' && v.length > 1) expect(hit!.message).not.toContain(v.slice(1, 6));
        }
      }
    });
  }
});
