/**
 * Property: no message hands a raw control, bidi or line-separator character to the terminal.
 * Random strings of such characters go into every field of a profile (as its value, twice where
 * a rule compares values), as unknown keys, raw into the YAML text and into the file name; the
 * formatted diagnostics (what stderr gets) hold none of them, only their visible escapes.
 * Through the CLI: an OSC 52 clipboard sequence and U+202E, in a value, a key and a file name.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../../src/profile/diagnostics.js';
import { parseProfile } from '../../src/profile/load.js';
import { escapeChar, printable } from '../../src/base/printable.js';
import { mpgen } from '../support/cli.js';
import { ENUM_STRING_FIELDS, FREE_STRING_FIELDS, pathString, PROFILE_WITH_EVERY_STRING as BASE, type KeyPath } from '../support/profile-fields.js';
import { SEED } from './profile-text.js';

const RUNS = Number(process.env.MPGEN_PROPERTY_RUNS ?? 600);

/** What a terminal must never get raw from a profile (the output's own line breaks aside). */
const RAW = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}]/u;
const rawIn = (s: string): string | undefined => [...s.replace(/\n/g, '')].find((c) => RAW.test(c));

const range = (a: number, b: number): string[] => Array.from({ length: b - a + 1 }, (_, i) => String.fromCodePoint(a + i));
const BAD = [
  ...range(0x01, 0x1f),
  '\u007f',
  ...range(0x80, 0x9f),
  '\u2028',
  '\u2029',
  ...range(0x202a, 0x202e),
  ...range(0x2066, 0x2069),
  ...range(0x200b, 0x200f),
  '\u061c',
  '\ufeff',
  '\u{e0001}',
  '\ue000',
  '\u001b]52;c;cmVib290\u0007',
  '\u001b[2J',
];
const evilString = fc.array(fc.oneof(fc.constantFrom(...BAD), fc.constantFrom('a', 'eth1', ' ', '"', "'", '\\', ':', '#', '[', '{', '-', 'é', '中')), { minLength: 1, maxLength: 12 }).map((a) => a.join(''));

const OTHER_FIELDS: KeyPath[] = [
  ['version'],
  ['uplinks', 0, 'onlink'],
  ['uplinks', 0, 'weight'],
  ['uplinks', 0, 'mtu'],
  ['uplinks', 0, 'table'],
  ['uplinks', 0, 'probe'],
  ['uplinks', 1],
  ['uplinks'],
  ['lan'],
  ['routes'],
  ['nat'],
  ['firewall'],
  ['routing'],
  ['sysctl'],
  ['keepalive', 'down'],
  ['keepalive', 'enabled'],
  ['package'],
];
const FIELDS = [...FREE_STRING_FIELDS, ...ENUM_STRING_FIELDS, ...OTHER_FIELDS];
/** Places where a rule compares two values: the same evil string in both. */
const PAIRS: Array<[KeyPath, KeyPath]> = [
  [['uplinks', 0, 'name'], ['uplinks', 1, 'name']],
  [['uplinks', 0, 'interface'], ['uplinks', 1, 'interface']],
  [['lan', 'interface'], ['uplinks', 1, 'interface']],
];
const KEY_PLACES: KeyPath[] = [[], ['uplinks', 0], ['keepalive'], ['package'], ['lan']];

function setIn(obj: unknown, path: KeyPath, value: unknown): unknown {
  const copy = structuredClone(obj) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
  return copy;
}
const getIn = (obj: unknown, path: KeyPath): Record<string, unknown> => path.reduce((o: unknown, k) => (o as Record<string | number, unknown>)[k], obj) as Record<string, unknown>;

type Case = { where: string; text: string; file: string };
const caseArb: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(fc.constantFrom(...FIELDS), evilString).map(([f, v]) => ({ where: `value of ${pathString(f)}`, text: stringify(setIn(BASE, f, v)), file: 'evil.yaml' })),
  fc.tuple(fc.constantFrom(...FIELDS), evilString).map(([f, v]) => ({ where: `list at ${pathString(f)}`, text: stringify(setIn(BASE, f, [v, v])), file: 'evil.yaml' })),
  fc.tuple(fc.constantFrom(...PAIRS), evilString).map(([[a, b], v]) => ({ where: `${pathString(a)} and ${pathString(b)}`, text: stringify(setIn(setIn(BASE, a, v), b, v)), file: 'evil.yaml' })),
  fc.tuple(fc.constantFrom(...KEY_PLACES), evilString).map(([at, k]) => {
    const copy = structuredClone(BASE);
    getIn(copy, at)[k] = 1;
    return { where: `key in ${pathString(at) || 'the top level'}`, text: stringify(copy), file: 'evil.yaml' };
  }),
  // raw in the text: in a value, a key, a comment, a quoted string; the source line is echoed
  fc.tuple(fc.constantFrom('name: X\n', 'X: 1\n', '# X\n', 'description: "X"\n', "mode: 'X'\n", 'uplinks: [X]\n', 'X'), evilString).map(([tpl, v]) => ({
    where: `raw text ${JSON.stringify(tpl)}`,
    text: stringify(BASE).replace(/^name: .*\n/m, tpl.replace('X', v)),
    file: 'evil.yaml',
  })),
  fc.tuple(evilString, fc.constantFrom(stringify(BASE).replace('mode: multipath', 'mode: multipth'), 'name: x\n')).map(([name, text]) => ({ where: 'the file name', text, file: `${name}.yaml` })),
);

describe('messages quote profile text with visible escapes only', () => {
  it('printable() escapes what a terminal acts on, visibly, and leaves printable text alone', () => {
    expect(printable('a\u001b]52;c;x\u0007b\u202ec\u2028d\u0085e\u0000\u007f\t\r\n')).toBe('a\\e]52;c;x\\x07b\\u202ec\\u2028d\\x85e\\x00\\x7f\\t\\r\\n');
    expect(printable('eth1 é 中 → ✓ "q" \\')).toBe('eth1 é 中 → ✓ "q" \\');
    expect(printable('\u{e0001}\u00a0\u200b\ufeff')).toBe('\\u{e0001}\\xa0\\u200b\\ufeff');
    for (const c of BAD) expect(rawIn(printable(c)), escapeChar(c)).toBeUndefined();
  });

  it(`${RUNS} profiles with control, bidi and separator characters in every field, key, line and file name: none reaches stderr raw`, () => {
    let runs = 0;
    let shown = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        runs++;
        const r = parseProfile(c.text, c.file);
        const out = formatDiagnostics(r.diagnostics);
        if (r.diagnostics.length > 0) shown++;
        const raw = rawIn(out);
        expect(raw === undefined, `${c.where}: ${raw && escapeChar(raw)} raw in\n${printable(out)}`).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(runs).toBe(RUNS);
    expect(shown).toBeGreaterThan(RUNS * 0.9);
  });

  it('through the CLI: an OSC 52 sequence and U+202E in a value, a key and the file name are shown escaped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpgen-term-'));
    const osc = '\u001b]52;c;cmVib290\u0007';
    const text = stringify(setIn(setIn(BASE, ['uplinks', 0, 'mtu'], osc), ['mode'], `multi\u202epath`)).replace('name: shop\n', `name: shop\n"ev\u202eil${osc}": 1\n`);
    const file = join(dir, `pro\u202efile\u2028${osc}.yaml`);
    writeFileSync(file, text);
    const r = mpgen(['validate', '-p', file]);
    expect(r.code).toBe(1);
    expect(rawIn(r.stderr)).toBeUndefined();
    expect(r.stderr).toContain('uplinks[0].mtu: expected number, found the string "\\e]52;c;cmVib290\\x07"');
    expect(r.stderr).toContain('mode: "multi\\u202epath" is not one of teql, multipath, equalize');
    expect(r.stderr).toContain('unknown key "ev\\u202eil\\e]52;c;cmVib290\\x07"');
    expect(r.stderr).toContain('pro\\u202efile\\u2028\\e]52;c;cmVib290\\x07.yaml:');
  });
});
