/**
 * The fast reading of a profile (src/profile/fast-yaml.ts) must give exactly what the `yaml`
 * package gives, or refuse. Every text below is read both ways; when the screen admits it,
 * `yaml` must see no error and its value must be the same, key order included.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { fastYamlValue } from '../../src/profile/fast-yaml.js';
import { DEFAULT_PROFILE_YAML } from '../../src/profile/default-profile.js';
import { parseProfile } from '../../src/profile/load.js';
import { invalidProfile, validProfile } from '../property/arbitraries.js';
import { mutatedText, profileText, SEED } from '../property/profile-text.js';
import { BAD_CASES, BASE } from './bad-profiles.cases.js';
import { FIXTURES, fixturePath } from '../support/fixtures.js';

const RUNS = Number(process.env.MPGEN_PROPERTY_RUNS ?? 2000);

/** undefined when the screen refused; else throws unless both readings agree */
function agree(text: string): 'admitted' | 'refused' {
  const fast = fastYamlValue(text);
  if (fast === undefined) return 'refused';
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true, version: '1.2' });
  const errors = doc.errors.map((e) => e.message);
  if (errors.length > 0) throw new Error(`the screen admitted a text yaml rejects (${errors[0]}):\n${text}`);
  const slow = doc.toJS({ maxAliasCount: 100 });
  if (!isDeepStrictEqual(fast, slow) || JSON.stringify(fast) !== JSON.stringify(slow))
    throw new Error(`the readings differ:\n${text}\nfast: ${JSON.stringify(fast)}\nyaml: ${JSON.stringify(slow)}`);
  return 'admitted';
}

const count = (texts: string[]): Record<'admitted' | 'refused', number> => {
  const n = { admitted: 0, refused: 0 };
  for (const t of texts) n[agree(t)]++;
  return n;
};

describe('fastYamlValue agrees with yaml or refuses', () => {
  it('the fixtures and the embedded default are admitted, and read the same', () => {
    const texts = [...FIXTURES.map((f) => readFileSync(fixturePath(f), 'utf8')), DEFAULT_PROFILE_YAML, BASE];
    expect(count(texts)).toEqual({ admitted: texts.length, refused: 0 });
  });

  it(`${RUNS} generated valid profiles (as yaml.stringify writes them, hostile strings quoted)`, () => {
    const texts = fc.sample(validProfile, { seed: SEED + 11, numRuns: RUNS }).map((c) => profileText(c.profile));
    const n = count(texts);
    expect(n.admitted + n.refused).toBe(RUNS);
    expect(n.admitted).toBeGreaterThan(RUNS / 4); // the comparison is exercised, not skipped
  });

  it(`${RUNS} generated invalid profiles, one mutation each`, () => {
    const texts = fc.sample(invalidProfile, { seed: SEED + 12, numRuns: RUNS }).map((m) => mutatedText(m));
    const n = count(texts);
    expect(n.admitted).toBeGreaterThan(RUNS / 4);
  });

  it('every bad-profile case', () => {
    const n = count(BAD_CASES.map((c) => c.text));
    expect(n.admitted).toBeGreaterThan(10);
  });

  it('plain scalars: the YAML 1.2 core rules of yaml, not js-yaml\'s own', () => {
    const scalars = [
      '0', '-0', '+12', '007', '0755', '0o17', '0O17', '0o19', '0x1F', '0X1F', '0xG', '0b101', '1_000', '1,000',
      '1.10', '1.', '.5', '+.5', '-.5e-3', '1e3', '1E3', '1e', '2.5e+2', '.inf', '-.Inf', '+.INF', 'inf', '.nan', '.NaN', 'nan',
      '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'yes', 'no', 'on', 'off', 'y', 'n',
      '12:30:00', '2024-01-01', '2024-01-01t10:00:00', '1.2.3', '=', 'a:b', 'http://x/y', 'aa:bb:cc:dd:ee:ff', '-1', '-a',
      '192.0.2.1/24', 'Net Admin <a@b.example>', 'a b  c', 'x~', '()', '+', '-', '.', '..', '...', '--', '---',
    ];
    const forms = (v: string): string[] => [`k: ${v}\n`, `k:\n  - ${v}\n`, `k: "${v}"\n`, `k: '${v}'\n`, `k: ${v} # c\n`, `k: [${v}, ${v}]\n`];
    const n = count(scalars.flatMap(forms));
    expect(n.admitted).toBeGreaterThan(scalars.length * 3);
  });

  it('refuses what it does not read the same way: anchors, tags, nested or multi-line flow, block scalars, documents, tabs, CR, BOM, escapes', () => {
    const refused = [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: [[1, 2]]\n',
      'a: [1,\n  2]\n',
      'a: [a: 1]\n',
      'a: [1, 2, ]\n',
      'a: {b: 1}\n',
      'a: |\n  text\n',
      'a: >\n  text\n',
      '---\na: 1\n',
      'a: 1\n...\n',
      '%YAML 1.2\n---\na: 1\n',
      'a:\n\t- 1\n',
      'a: 1\r\nb: 2\r\n',
      '\ufeffa: 1\n',
      'a: "x\\ty"\n',
      "a: 'it''s'\n",
      'a: multi\n  line\n',
      'a: b: c\n',
      'a: - b\n',
      'null: 1\n',
      'true: 1\n',
      '__proto__: 1\n',
      '? a\n: 1\n',
      'a: 1   \n',
      'a: `x`\n',
      'a: @x\n',
    ];
    for (const t of refused) expect(fastYamlValue(t), JSON.stringify(t)).toBeUndefined();
  });

  it('parseProfile gives the same profile whichever reading it took', () => {
    for (const f of FIXTURES) {
      const text = readFileSync(fixturePath(f), 'utf8');
      // trailing spaces: the same YAML, but the screen refuses it, so yaml reads it
      const padded = text.replace(/^(name: .*)$/m, '$1   ');
      expect(padded).not.toBe(text);
      expect(fastYamlValue(text), f).toBeDefined();
      expect(fastYamlValue(padded), f).toBeUndefined();
      const a = parseProfile(text, 'p.yaml');
      const b = parseProfile(padded, 'p.yaml');
      expect(b.diagnostics, f).toEqual(a.diagnostics);
      expect(a.profile, f).toBeDefined();
      expect(b.profile, f).toEqual(a.profile);
    }
  });
});
