/**
 * The positions read back from the lines (src/profile/fast-locate.ts) must be exactly those the
 * `yaml` Locator gives, for every path of every profile the screen admits, or there must be none
 * (and the `yaml` document is read instead). And a profile with warnings only gets the same
 * diagnostics whichever way it was read.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { fastYamlValue } from '../../src/profile/fast-yaml.js';
import { fastLocator } from '../../src/profile/fast-locate.js';
import { DEFAULT_PROFILE_YAML } from '../../src/profile/default-profile.js';
import { Locator, parseProfile } from '../../src/profile/load.js';
import type { KeyPath } from '../../src/profile/rules.js';
import { invalidProfile, validProfile } from '../property/arbitraries.js';
import { mutatedText, profileText, SEED } from '../property/profile-text.js';
import { BAD_CASES, BASE } from './bad-profiles.cases.js';
import { FIXTURES, fixturePath } from '../support/fixtures.js';

const RUNS = Number(process.env.MPGEN_PROPERTY_RUNS ?? 2000);

/** every path into the value: each key (at the key and at its value), each index, and one missing key and index below each collection */
function paths(v: unknown, base: KeyPath = []): Array<[KeyPath, boolean]> {
  const out: Array<[KeyPath, boolean]> = [];
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push([[...base, i], false], [[...base, i], true]);
      out.push(...paths(x, [...base, i]));
    });
    out.push([[...base, v.length], false], [[...base, 'nope'], false]);
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push([[...base, k], false], [[...base, k], true]);
      out.push(...paths(x, [...base, k]));
    }
    out.push([[...base, 'nope'], false], [[...base, 'nope', 'deeper'], true], [[...base, 0], false]);
  } else out.push([[...base, 'below'], false]);
  return out;
}

interface Tally {
  texts: number;
  located: number;
  compared: number;
  unknown: number;
}

/** compares every path of `text`; throws on the first difference */
function compare(text: string, t: Tally): void {
  const value = fastYamlValue(text);
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) return;
  t.texts++;
  const locate = fastLocator(text, value);
  if (!locate) return;
  t.located++;
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: true, version: '1.2' });
  const slow = new Locator(doc, lc, 'p.yaml', text);
  for (const [path, atKey] of paths(value)) {
    const fast = locate(path, atKey);
    if (fast === undefined) {
      t.unknown++;
      continue;
    }
    t.compared++;
    const want = slow.locate(path, atKey);
    const got = { file: 'p.yaml', ...fast };
    if (JSON.stringify(got) !== JSON.stringify(want))
      throw new Error(`positions differ at ${JSON.stringify(path)}${atKey ? ' (key)' : ''}:\n${text}\nfast: ${JSON.stringify(got)}\nyaml: ${JSON.stringify(want)}`);
  }
}

const tally = (texts: string[]): Tally => {
  const t: Tally = { texts: 0, located: 0, compared: 0, unknown: 0 };
  for (const text of texts) compare(text, t);
  if (process.env.MPGEN_TALLY) console.log(JSON.stringify(t));
  return t;
};

describe('fastLocator gives the positions yaml gives, or none', () => {
  it('the fixtures, the embedded default and the base profile: every path', () => {
    const texts = [...FIXTURES.map((f) => readFileSync(fixturePath(f), 'utf8')), DEFAULT_PROFILE_YAML, BASE];
    const t = tally(texts);
    expect(t.located).toBe(texts.length);
    expect(t.compared).toBeGreaterThan(500);
  });

  it(`${RUNS} generated valid profiles: every path`, () => {
    const t = tally(fc.sample(validProfile, { seed: SEED + 21, numRuns: RUNS }).map((c) => profileText(c.profile)));
    expect(t.located).toBeGreaterThan(RUNS / 4);
    expect(t.located).toBe(t.texts);
    expect(t.compared).toBeGreaterThan(t.unknown * 10);
  });

  it(`${RUNS} generated invalid profiles and every bad-profile case: every path`, () => {
    const t = tally([...fc.sample(invalidProfile, { seed: SEED + 22, numRuns: RUNS }).map((m) => mutatedText(m)), ...BAD_CASES.map((c) => c.text)]);
    expect(t.located).toBeGreaterThan(RUNS / 4);
    expect(t.compared).toBeGreaterThan(RUNS * 5);
  });

  it('hand-written shapes: compact maps, a list at its key\'s indentation, flow lists, comments, empty values', () => {
    const texts = [
      'a: [x, \'y, z\' ,  w ]   # c\nb: "q"  # c\nc:\n  d: 1\nl:\n- m: 1\n  n: [  ]\n- p\ne: plain text\nf:\ng: ~\n',
      '# head\n\nname: x\nuplinks:\n  - name: a   # first\n    probe: [192.0.2.1, "192.0.2.9"]\n\n  - name: b\n    probe:\n      - 192.0.2.2\n      - 192.0.2.3\n',
      'k:\n- - a\n  - b\n- - c\n',
      'k:\n  - x: 1\n  - y:\n    - 2\n',
      'one: 1\n',
      'lan:\n  interface: lan0\n',
    ];
    const t = tally(texts);
    expect(t.texts).toBe(texts.length);
    expect(t.located).toBe(texts.length);
    expect(t.compared).toBeGreaterThan(60);
    // an empty value and a block collection on one line are not known here: the yaml document is read
    const locate = fastLocator(texts[0]!, fastYamlValue(texts[0]!))!;
    expect(locate(['f'])).toBeUndefined();
    expect(locate(['c'])).toBeUndefined();
    expect(locate(['c', 'd'])).toEqual({ line: 4, col: 6, sourceLine: '  d: 1', width: 1 });
  });

  it('refuses a structure that is not the value\'s', () => {
    const text = 'a:\n  b: 1\n';
    expect(fastLocator(text, { a: { c: 1 } })).toBeUndefined();
    expect(fastLocator(text, { a: [1] })).toBeUndefined();
    expect(fastLocator(text, { a: { b: 1 } })).toBeDefined();
  });
});

describe('a profile with warnings only', () => {
  it('gets the same diagnostics and profile from the lines as from the yaml document', () => {
    const texts = [
      readFileSync(fixturePath('seed000-equalize'), 'utf8'),
      ...fc.sample(validProfile, { seed: SEED + 23, numRuns: RUNS }).map((c) => profileText(c.profile)),
    ];
    let warned = 0;
    let fromLines = 0;
    for (const text of texts) {
      const fast = parseProfile(text, 'p.yaml');
      const slow = parseProfile(text, 'p.yaml', { fast: false });
      expect(fast.diagnostics, text).toEqual(slow.diagnostics);
      expect(fast.profile, text).toEqual(slow.profile);
      if (slow.diagnostics.length > 0 && slow.diagnostics.every((d) => d.severity === 'warning')) {
        warned++;
        const value = fastYamlValue(text);
        if (value !== undefined && fastLocator(text, value) !== undefined) fromLines++;
      }
    }
    if (process.env.MPGEN_TALLY) console.log({ warned, fromLines, texts: texts.length });
    // warnings occur, and many are located from the lines
    expect(warned).toBeGreaterThan(RUNS / 40);
    expect(fromLines).toBeGreaterThan(warned / 4);
  });
});
