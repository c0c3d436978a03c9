/**
 * Issue 14 items 7, 8 and 16, and the parse items of issue 11: what made the parsers crash or
 * the messages run away. Nesting and document count are bounded before either parser runs;
 * tags, lone CRs, unclosed brackets, tabs and bare-number durations get one located message
 * each; the number of messages and the width of the echoed line are bounded.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, formatDiagnostics, MAX_DIAGNOSTICS, MAX_SOURCE_COLUMNS } from '../../src/profile/diagnostics.js';
import fc from 'fast-check';
import { isMap, isPair, isSeq, parseAllDocuments } from 'yaml';
import { checkText, cstDepth, cstProblem, depthBound, MAX_DEPTH } from '../../src/profile/limits.js';
import { parseProfile } from '../../src/profile/load.js';
import { DEFAULT_PROFILE_YAML } from '../../src/profile/default-profile.js';
import { mpgen } from '../support/cli.js';

const P = [
  'version: 1',
  'name: lab',
  'mode: multipath',
  'uplinks:',
  '  - name: a',
  '    interface: eth1',
  '    address: 192.0.2.1/30',
  '    gateway: 192.0.2.2',
  '  - name: b',
  '    interface: eth2',
  '    address: 198.51.100.1/30',
  '    gateway: 198.51.100.2',
  '',
].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'mpgen-limits-'));
const validate = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  const r = mpgen(['validate', '-p', p]);
  expect(r.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
  expect(r.stderr).not.toMatch(/internal error|Maximum call stack|RangeError|FATAL/);
  return { p, ...r };
};
const first = (text: string, file = 'x.yaml'): string => {
  const r = parseProfile(text, file);
  expect(r.profile).toBeUndefined();
  return formatDiagnostic(r.diagnostics[0]!);
};

describe('nesting and documents are bounded before parsing (issue 14, items 7 and 8)', () => {
  const deep = (n: number) => `x: ${'['.repeat(n)}${']'.repeat(n)}\n`;

  it('item 7: two documents of 1000-deep [[...]] (4 KB): a located error, exit 1', () => {
    const text = `${deep(1000)}---\n${deep(1000)}`;
    expect(text.length).toBeLessThan(4100);
    const { p, code, stderr } = validate('bomb.yaml', text);
    expect(code).toBe(1);
    // the root mapping is one level, so the 64th bracket (column 3 + 63) crosses the limit
    expect(stderr).toContain(`${p}:1:${3 + MAX_DEPTH}: the text nests deeper than ${MAX_DEPTH} levels here; a profile has at most 5.`);
    expect(stderr.split('\n').filter((l) => l.startsWith(p))).toHaveLength(1);
  });

  it('item 7: inside a batch, the bomb fails alone and the three good profiles are written', () => {
    const inp = join(dir, 'batch');
    mkdirSync(inp);
    writeFileSync(join(inp, 'bomb.yaml'), `${deep(1000)}---\n${deep(1000)}`);
    for (const n of ['one', 'two', 'three']) writeFileSync(join(inp, `${n}.yaml`), P.replace('name: lab', `name: ${n}`));
    const out = join(dir, 'batch-out');
    const r = mpgen(['render', '--batch', inp, '--distro', 'ubuntu', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|Maximum call stack|FATAL|RangeError/);
    expect(readdirSync(out).sort()).toEqual(['one', 'three', 'two']);
    expect(r.stderr).toContain(`${join(inp, 'bomb.yaml')}:1:${3 + MAX_DEPTH}: the text nests deeper than ${MAX_DEPTH} levels here`);
  });

  it('item 8: two lines of 12000-deep [...]: exit 1 with a located error, no stack trace', () => {
    const { p, code, stderr } = validate('deep12k.yaml', `${'['.repeat(12000)}\n${']'.repeat(12000)}\n`);
    expect(code).toBe(1);
    expect(stderr).toContain(`${p}:1:${MAX_DEPTH + 1}: the text nests deeper than ${MAX_DEPTH} levels here`);
    expect(stderr.length).toBeLessThan(2000);
  });

  it('item 16: about 800 levels of valid YAML, in brackets, braces or block indentation, say what the limit is', () => {
    const lines = ['version: 1', 'name: lab', 'x:'];
    for (let i = 1; i <= 800; i++) lines.push(`${' '.repeat(i)}a:`);
    const block = validate('deep-block.yaml', `${lines.join('\n')}\n`);
    expect(block.code).toBe(1);
    // the root, then one level per line: the line indented by 64 is the 65th level
    expect(block.stderr).toContain(`${block.p}:${3 + MAX_DEPTH}:${MAX_DEPTH + 1}: the text nests deeper than ${MAX_DEPTH} levels here`);
    for (const [name, text] of [
      ['deep-flow.yaml', `version: 1\nx: ${'['.repeat(800)}${']'.repeat(800)}\n`],
      ['deep-map.yaml', `version: 1\nx: ${'{a: '.repeat(800)}1${'}'.repeat(800)}\n`],
      ['deep-dash.yaml', `version: 1\nx:\n${Array.from({ length: 800 }, (_, i) => `${' '.repeat(i)}-`).join('\n')}\n`],
    ]) {
      const r = validate(name!, text!);
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toMatch(new RegExp(`^${r.p.replace(/[.]/g, '\\.')}:\\d+:\\d+: the text nests deeper than ${MAX_DEPTH} levels here`));
    }
  });

  it('the cheap bound never admits what the CST refuses, and the CST depth bounds what yaml composes', () => {
    // about MAX_DEPTH levels of one kind (brackets, braces, dashes, indented keys, compact keys), then something
    const nest = fc
      .tuple(fc.constantFrom('[', '{a: ', '- ', 'a: [', '[{"a": ', 'a: ', '? ', 'k:\n'), fc.integer({ min: MAX_DEPTH - 8, max: MAX_DEPTH + 8 }), fc.constantFrom('', 'x', ']]', '"', '# ', '\n---\n'))
      .map(([l, n, tail]) => [l === 'k:\n' ? Array.from({ length: n }, (_, k) => `${' '.repeat(k)}k:\n`).join('') : l.repeat(n), tail]);
    // junk: every kind of token, in any order
    const piece = fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom('[', ']', '{', '}', '- ', '? ', ': ', '  ', ' ', 'a', 'a: ', '|', '>', '\n', ',', '- - - - ', 'a: b: c: ', '\n'.padEnd(40, ' '), '\n'.padEnd(40, '- ')) },
      { weight: 3, arbitrary: fc.constantFrom('[[[[[[[[[[[[[[[[', '{a: {b: {c: {d: ', '\n  - - - - - - - -', '"[[[[', "'{{{{", '# [[[[') },
      { weight: 1, arbitrary: fc.constantFrom('\n---\n', '\n...\n', '\t', '\r\n', '%YAML 1.2\n', '"', "'", '#', ' #', '&a ', '!t ', '*a') },
    );
    /** how deep the `yaml` package nests what it composes: a collection is one more than its deepest child */
    const depthOf = (n: unknown): number =>
      isMap(n) || isSeq(n) ? 1 + Math.max(0, ...n.items.map((it) => (isPair(it) ? Math.max(depthOf(it.key), depthOf(it.value)) : depthOf(it)))) : 0;
    const found = new Map<string, number>();
    fc.assert(
      fc.property(fc.oneof(fc.array(piece, { maxLength: 200 }), nest), (parts) => {
        const text = parts.join('');
        const full = cstProblem(text);
        const kind = full?.message.split(' ').slice(0, 4).join(' ') ?? 'none';
        found.set(kind, (found.get(kind) ?? 0) + 1);
        expect(checkText(text), JSON.stringify(text)).toEqual(full);
        const depth = cstDepth(text);
        if (depthBound(text) <= MAX_DEPTH) expect(depth, JSON.stringify(text)).toBeLessThanOrEqual(depthBound(text));
        if (depth <= 200) {
          const composed = Math.max(0, ...parseAllDocuments(text, { version: '1.2' }).map((d) => depthOf((d as { contents: unknown }).contents)));
          // in broken text the composer's recovery may add a level here and there (a pair in a
          // flow sequence without its bracket); never more than doubling it, far below the
          // hundreds of levels where the parsers fail
          expect(composed, JSON.stringify(text)).toBeLessThanOrEqual(2 * depth + 1);
        }
      }),
      { seed: 20240601, numRuns: 3000 },
    );
    // each kind of problem came up, and texts without one
    expect([...found.keys()].sort()).toEqual(['a second YAML document', 'none', 'the text nests deeper']);
    for (const n of found.values()) expect(n).toBeGreaterThan(30);
  });

  it('a second document is refused where it starts', () => {
    expect(first(`${P}---\nversion: 1\n`)).toMatch(/^x\.yaml:13:1: a second YAML document starts here; a profile is one document\. Keep one profile per file/);
    expect(first(`${P}...\nname: other\n`)).toMatch(/^x\.yaml:14:1: a second YAML document starts here/);
    // one document, marked or not, with directives and comments around it, is fine
    expect(parseProfile(`%YAML 1.2\n# lab\n---\n${P}...\n# end\n`, 'x.yaml').profile?.name).toBe('lab');
  });

  it('the scan counts no level for brackets in quotes, comments or block scalars', () => {
    const text = P.replace('name: lab', `name: lab\ndescription: "${'['.repeat(150)} x"  # ${'{'.repeat(100)}`)
      .replace('    gateway: 192.0.2.2', `    gateway: 192.0.2.2 # [[[[[[[`);
    expect(parseProfile(text, 'x.yaml').diagnostics).toEqual([]);
    const r = parseProfile(`${P}routing:\n  hash: l4\n# ${'['.repeat(200)}\n`, 'x.yaml');
    expect(r.diagnostics).toEqual([]);
    const r2 = parseProfile(P.replace('name: lab', `name: lab\ndescription: >-\n${Array.from({ length: 100 }, (_, i) => ` ${' '.repeat(i)}[{`).join('\n')}`), 'x.yaml');
    // (a description is one line: the block scalar is refused, for its line breaks only)
    expect(r2.diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual([expect.stringMatching(/^description: "\[\{\\n \[\{\\n.*…" is not valid here$/)]);
    // the default profile and single-quoted brackets
    expect(parseProfile(DEFAULT_PROFILE_YAML, 'default').diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(parseProfile(P.replace('name: lab', `name: lab\ndescription: '${'{'.repeat(99)} it''s'`), 'x.yaml').diagnostics).toEqual([]);
  });
});

describe('issue 14, item 16: the rest', () => {
  it('mode: {k: 1} says a mapping was found, not [object Object]', () => {
    const msg = first(P.replace('mode: multipath', 'mode: {k: 1}'));
    expect(msg).toMatch(/^x\.yaml:3:7: mode: expected one of teql, multipath, equalize, found a mapping\./);
    expect(msg).not.toContain('[object Object]');
  });

  it('an 8 KB file with 4,001 problems: 50 shown, the rest counted, and the long line cut', () => {
    const text = `${P}routes: [${'x,'.repeat(4000)}x]\n`;
    expect(text.length).toBeGreaterThan(8000);
    const r = parseProfile(text, 'x.yaml');
    const n = r.diagnostics.length;
    const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
    expect(errors).toBeGreaterThan(4000); // each x listed twice, and too many of them
    const out = formatDiagnostics(r.diagnostics);
    expect(out.split('\n').filter((l) => l.startsWith('x.yaml:'))).toHaveLength(MAX_DIAGNOSTICS);
    expect(out).toContain(`… and ${n - MAX_DIAGNOSTICS} more not shown\n${errors} errors in profile; nothing was written.\n`);
    expect(out.length).toBeLessThan(MAX_DIAGNOSTICS * 500);
    for (const l of out.split('\n')) if (/^ +\d* \| /.test(l)) expect(l.length).toBeLessThan(MAX_SOURCE_COLUMNS + 10);
    const { code, stderr } = validate('many.yaml', text);
    expect(code).toBe(1);
    expect(stderr.length).toBeLessThan(MAX_DIAGNOSTICS * 500);
  });

  it('a long source line is cut around the caret, and the caret stays under the value', () => {
    const d = parseProfile(P.replace('name: lab', `name: lab\ndescription: ${'a'.repeat(300)}\u0007${'b'.repeat(300)}`), 'x.yaml').diagnostics[0]!;
    const [, src, caret] = formatDiagnostic(d).split('\n');
    expect(src!.length).toBeLessThanOrEqual(MAX_SOURCE_COLUMNS + 7);
    expect(src).toMatch(/^ {3}3 \| description: a+…$/);
    expect(caret!.indexOf('^')).toBe(src!.indexOf('a'));
    // a problem far into the line: the line starts with an ellipsis, the caret is under the item
    const far = parseProfile(P.replace('mode: multipath', `mode: multipath\nroutes: [${Array.from({ length: 30 }, (_, i) => `10.${i}.0.0/16, `).join('')}bad]`), 'x.yaml').diagnostics[0]!;
    const [, src2, caret2] = formatDiagnostic(far).split('\n');
    expect(src2).toMatch(/^ {3}4 \| …/);
    expect(src2!.slice(caret2!.indexOf('^'), caret2!.indexOf('^') + 3)).toBe('bad');
  });

  it('an unclosed { or [ is reported where it opens, on its line', () => {
    expect(first('version: 1\nname: {lab\nmode: multipath\n')).toMatch(/^x\.yaml:2:7: YAML: Flow map .* end with a }\. Close it with }/);
    expect(first('version: 1\nname: {lab')).toMatch(/^x\.yaml:2:7: /);
    const r = parseProfile('version: 1\nroutes: [default, {x: 1\n', 'x.yaml');
    expect(r.diagnostics.map((d) => `${d.line}:${d.col}`)).toEqual(['2:9', '2:19']);
    for (const d of r.diagnostics) expect(d.col).toBeLessThanOrEqual(d.sourceLine!.length);
  });

  it('unresolved and binary tags are refused at the tag', () => {
    expect(first(P.replace('name: lab', 'name: !!python/object:os.system lab'))).toMatch(/^x\.yaml:2:7: name: the YAML tag !!python\/object:os\.system is not accepted in a profile\. Remove the tag/);
    expect(first(P.replace('    interface: eth1', '    interface: !!js/function eth1'))).toMatch(/^x\.yaml:6:16: uplinks\[0\]\.interface: the YAML tag !!js\/function is not accepted/);
    const bin = first(P.replace('name: lab', 'name: !!binary bGFi'));
    expect(bin).toMatch(/^x\.yaml:2:7: name: the YAML tag !!binary is not accepted/);
    expect(bin).not.toContain('found a mapping');
    expect(first(P.replace('name: lab', 'name: !custom lab'))).toMatch(/^x\.yaml:2:7: name: the YAML tag !custom is not accepted/);
    // the core tags only say what the value is anyway
    expect(parseProfile(P.replace('name: lab', 'name: !!str lab'), 'x.yaml').diagnostics).toEqual([]);
  });

  it('CR-only line endings: one error at the first CR, no "Did you mean"', () => {
    const r = parseProfile(P.replace(/\n/g, '\r'), 'x.yaml');
    expect(r.diagnostics).toHaveLength(1);
    const msg = formatDiagnostic(r.diagnostics[0]!);
    expect(msg).toMatch(/^x\.yaml:1:11: a line ends with a lone carriage return \(CR\); YAML here needs LF or CRLF line endings\. Save the file with LF line endings/);
    expect(msg).not.toContain('Did you mean');
    expect(parseProfile(P.replace(/\n/g, '\r\n'), 'x.yaml').diagnostics).toEqual([]);
  });
});

describe('issue 11: parse messages', () => {
  it('one tab in the indentation gives one error, and nothing that follows from it', () => {
    const r = parseProfile(P.replace('    interface: eth1', '\tinterface: eth1'), 'x.yaml');
    expect(r.diagnostics.map((d) => formatDiagnostic(d).split('\n')[0])).toEqual(['x.yaml:6:1: YAML: Tabs are not allowed as indentation. Indent with spaces; YAML does not allow tabs for indentation']);
  });

  it('a duration written as a bare number is given the unit that puts it in range', () => {
    const hint = (v: string) => formatDiagnostic(parseProfile(`${P}keepalive:\n  interval: ${v}\n`, 'x.yaml').diagnostics[0]!).split('\n')[0]!;
    expect(hint('500')).toBe('x.yaml:14:13: keepalive.interval: 500 has no unit; numbers are not accepted as durations. Write a unit: "500ms"');
    expect(hint('2')).toContain('Write a unit: "2s"');
    expect(hint('0.5')).toContain('Write a unit: "0.5s"');
    expect(hint('60000')).toContain('Write a unit: "60000ms"');
    for (const v of ['0', '0.05', '61', '99', '60001', '1e9', '-3'])
      expect(hint(v), v).toContain('Write a duration with a unit from 100ms to 60s, e.g. "0.5s" or "250ms"');
    // every suggestion, followed, gives a valid profile
    for (const v of ['0.1', '1', '2.5', '59', '60', '100', '999', '1000', '59999', '60000', '0x1f', '1e2']) {
      const suggested = /Write a unit: "([^"]+)"/.exec(hint(v))?.[1];
      expect(suggested, v).toBeDefined();
      expect(parseProfile(`${P}keepalive:\n  interval: ${suggested}\n`, 'x.yaml').diagnostics, `${v} -> ${suggested}`).toEqual([]);
    }
  });
});
