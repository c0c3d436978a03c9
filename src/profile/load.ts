/**
 * Profile text -> validated Profile, with every problem located and collected
 * in one pass: YAML syntax, schema (types, patterns, unknown keys), then the
 * cross-field rules.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { fastYamlValue } from './fast-yaml.js';
import { fastLocator } from './fast-locate.js';
import { checkText, unclosedBrackets } from './limits.js';
import type * as z from 'zod/mini';
import { didYouMean, type Diagnostic } from './diagnostics.js';
import { quote } from '../base/printable.js';
import { runRules, type Finding, type KeyPath } from './rules.js';
import { DYNAMIC_ADDRESSES, KEY_DOCS, profileSchema, type Profile } from './schema.js';

export const MAX_PROFILE_BYTES = 1024 * 1024;

export interface ParseResult {
  profile?: Profile;
  diagnostics: Diagnostic[];
}

export function formatPath(path: KeyPath): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${k}` : k;
  return s;
}

/** "uplinks[1].gateway" -> "uplinks[].gateway", the key used by KEY_DOCS. */
const genericPath = (path: KeyPath): string => formatPath(path.map((k) => (typeof k === 'number' ? -1 : k))).replace(/\[-1\]/g, '[]');

export class Locator {
  private readonly lines: string[];
  constructor(
    private readonly doc: Document | undefined,
    private readonly lc: LineCounter,
    private readonly file: string,
    text: string,
  ) {
    this.lines = text.split(/\r?\n/);
  }

  at(offset: number, width = 1): Pick<Diagnostic, 'file' | 'line' | 'col' | 'sourceLine' | 'width'> {
    const { line, col } = this.lc.linePos(offset);
    return { file: this.file, line, col, sourceLine: this.lines[line - 1] ?? '', width };
  }

  /** Position of the value at `path`, else of its key, else of the nearest ancestor. */
  locate(path: KeyPath, atKey = false): Pick<Diagnostic, 'file' | 'line' | 'col' | 'sourceLine' | 'width'> {
    let node: unknown = this.doc?.contents;
    let best: [number, number] = [0, 1];
    for (let i = 0; i < path.length; i++) {
      const k = path[i]!;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === k);
        if (!pair) break;
        const keyNode = pair.key as Node;
        if (keyNode.range) best = [keyNode.range[0], keyNode.range[1] - keyNode.range[0]];
        if (atKey && i === path.length - 1) break;
        node = pair.value;
        const v = node as Node | null;
        if (v?.range) best = [v.range[0], Math.max(1, v.range[1] - v.range[0])];
      } else if (isSeq(node) && typeof k === 'number') {
        const item = node.items[k] as Node | undefined;
        if (!item) break;
        node = item;
        if (item.range) best = [item.range[0], Math.max(1, item.range[1] - item.range[0])];
      } else break;
    }
    // Underline at most the rest of the line.
    const loc = this.at(best[0]);
    const rest = (loc.sourceLine ?? '').length - (loc.col - 1);
    return { ...loc, width: Math.max(1, Math.min(best[1], rest)) };
  }

  /** The text of the value node at path, as written (to show "1.10" rather than 1.1). */
  sourceText(path: KeyPath): string | undefined {
    const n = this.doc?.getIn(path, true) as Node | undefined;
    if (!n?.range) return undefined;
    return (this.doc as unknown as { _src?: string })._src?.slice(n.range[0], n.range[1]);
  }
}

/** A profile string quoted for a message (printable.ts): cut to `max` characters, escaped. */
const cut = (s: string, max: number): string => quote(s.length > max ? `${s.slice(0, max)}…` : s);

/** What a value is, for "found ...". */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  // only the start of the value's first line: a file that is not a profile (a key, a password
  // file) must not be echoed beyond the line the message points at
  if (typeof v === 'string') {
    const line = v.split(/\r?\n/, 1)[0]!;
    return `the string ${line.length < v.length && line.length <= 40 ? quote(`${line}…`) : cut(line, 40)}`;
  }
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `${v}`;
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'binary data';
  return 'a mapping';
}

/**
 * A document that is one string, shown only as far as it stands on the first line (where the
 * message points): a plain scalar folds the following lines in, and a file that is not a
 * profile (a key, a password file) must not be echoed beyond that line.
 */
function describeOnFirstLine(v: unknown, firstLine: string): string {
  if (typeof v !== 'string') return describe(v);
  const line = firstLine.trimStart();
  let n = 0;
  while (n < v.length && n < line.length && n < 40 && v[n] === line[n]) n++;
  return n === 0 ? 'a string' : `the string ${quote(`${v.slice(0, n)}${n < v.length ? '…' : ''}`)}`;
}

/** A value as a message quotes it: a string quoted and escaped, a number as written, anything else described. */
const show = (v: unknown): string => (typeof v === 'string' ? cut(v, 60) : typeof v === 'number' || typeof v === 'boolean' || v === null ? String(v) : describe(v));

function getAt(root: unknown, path: KeyPath): unknown {
  let cur: unknown = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** The keys the schema allows at `path` (for "did you mean"). */
function knownKeysAt(path: KeyPath): string[] {
  let s: z.ZodMiniType = profileSchema;
  for (const k of path) {
    s = unwrap(s);
    const def = (s as unknown as { def: { type: string; shape?: Record<string, z.ZodMiniType>; element?: z.ZodMiniType } }).def;
    if (def.type === 'object' && typeof k === 'string' && def.shape?.[k]) s = def.shape[k]!;
    else if (def.type === 'array' && typeof k === 'number' && def.element) s = def.element;
    else return [];
  }
  s = unwrap(s);
  const def = (s as unknown as { def: { type: string; shape?: Record<string, unknown> } }).def;
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function unwrap(s: z.ZodMiniType): z.ZodMiniType {
  let cur = s as unknown as { def: { type: string; innerType?: z.ZodMiniType } };
  while (cur.def.type === 'optional' || cur.def.type === 'default' || cur.def.type === 'nullable') cur = cur.def.innerType as unknown as typeof cur;
  return cur as unknown as z.ZodMiniType;
}

const remedy = (path: KeyPath): string | undefined => {
  const d = KEY_DOCS[genericPath(path)];
  return d ? `Expected ${d.doc}, e.g. ${d.example}` : undefined;
};

interface Problem {
  path: KeyPath;
  message: string;
  hint?: string;
  atKey?: boolean;
}

function explainIssue(issue: z.core.$ZodIssue, value: unknown, loc: Locator): Problem[] {
  const path = issue.path as KeyPath;
  const input = getAt(value, path);
  const base = { path, hint: remedy(path) };
  if (input === undefined && issue.code !== 'unrecognized_keys') return [{ ...base, atKey: true, message: 'is required' }];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => {
        const guess = didYouMean(k, knownKeysAt(path));
        const known = knownKeysAt(path);
        return {
          path: [...path, k],
          atKey: true,
          message: `unknown key ${quote(k)}`,
          hint: guess ? `Did you mean ${quote(guess)}?` : `Known keys here: ${known.join(', ')}`,
        };
      });
    case 'invalid_type': {
      if (input === undefined) return [{ ...base, atKey: true, message: 'is required' }];
      if (issue.expected === 'boolean' && typeof input === 'string' && /^(yes|no|on|off|y|n)$/i.test(input))
        return [{ ...base, message: `expected true or false, found ${describe(input)}`, hint: 'YAML 1.2 reads yes/no/on/off as strings; write true or false' }];
      if (issue.expected === 'string' && typeof input === 'number') {
        const written = loc.sourceText(path) ?? String(input);
        if (genericPath(path) === 'package.version')
          return [{ ...base, message: `YAML read ${written} as the number ${input}`, hint: `Quote it: version: "${written}"` }];
        if (/interval|timeout/.test(genericPath(path)))
          return [{ ...base, message: `${written} has no unit; numbers are not accepted as durations`, hint: durationHint(input, written) }];
        return [{ ...base, message: `expected a string, found ${describe(input)}`, hint: `Quote it: "${written}"` }];
      }
      return [{ ...base, message: `expected ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a mapping' : issue.expected}, found ${describe(input)}` }];
    }
    case 'invalid_format': {
      // a word close to dhcp or pppoe (address: dchp, DHCP): "did you mean"
      const guess = genericPath(path) === 'uplinks[].address' && typeof input === 'string' && !/\d/.test(input) ? didYouMean(input, DYNAMIC_ADDRESSES) : undefined;
      return [{ ...base, message: `${show(input)} is not valid here`, hint: guess ? `Did you mean ${quote(guess)}?` : base.hint }];
    }
    case 'invalid_value': {
      if (genericPath(path) === 'version') return [{ ...base, message: `unsupported version ${show(input)}`, hint: 'Supported versions: 1' }];
      const vals = issue.values.map(String);
      if (typeof input !== 'string' && typeof input !== 'number') return [{ ...base, message: `expected one of ${vals.join(', ')}, found ${describe(input)}` }];
      const guess = typeof input === 'string' ? didYouMean(input, vals) : undefined;
      return [{ ...base, message: `${show(input)} is not one of ${vals.join(', ')}`, hint: guess ? `Did you mean ${quote(guess)}?` : base.hint }];
    }
    case 'too_small':
    case 'too_big': {
      if (Array.isArray(input)) {
        const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
        return [{ ...base, message: `has ${input.length} entr${input.length === 1 ? 'y' : 'ies'}; ${issue.code === 'too_small' ? `at least ${bound} required` : `at most ${bound} allowed`}` }];
      }
      return [{ ...base, message: `${show(input)} is out of range` }];
    }
    case 'not_multiple_of':
      return [{ ...base, message: `${show(input)} is not a whole number` }];
    case 'invalid_union':
      return [{ ...base, message: `${show(input)} is not valid here` }];
    case 'custom':
      return [{ ...base, message: `${show(input)}: ${issue.message}` }];
    default:
      return [{ ...base, message: issue.message }];
  }
}

/**
 * How to write a duration given as a bare number: with the unit that puts it in range (100ms to
 * 60s, the keepaliveTimes rule), so that following the hint gives a valid profile.
 */
function durationHint(n: number, written: string): string {
  // as written (0.50 stays 0.50), unless YAML read another notation (1e2, 0x1f)
  const digits = /^\d+(?:\.\d+)?$/.test(written) ? written : String(n);
  if (/^\d+(?:\.\d+)?$/.test(digits)) {
    if (n >= 0.1 && n <= 60) return `Write a unit: "${digits}s"`;
    if (n >= 100 && n <= 60000) return `Write a unit: "${digits}ms"`;
  }
  return 'Write a duration with a unit from 100ms to 60s, e.g. "0.5s" or "250ms"';
}

type Place = Pick<Diagnostic, 'file' | 'line' | 'col' | 'sourceLine' | 'width'>;

const asProblem = (f: Finding): Problem & { severity: 'error' | 'warning' } => ({ path: f.path, message: f.message, hint: f.hint, atKey: f.at === 'key', severity: f.severity ?? 'error' });

/** Located diagnostics, one per place and message, in file order; undefined if a place is not known. */
function toDiagnostics(problems: Array<Problem & { severity: 'error' | 'warning' }>, locate: (path: KeyPath, atKey?: boolean) => Place | undefined): Diagnostic[] | undefined {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const p of problems) {
    const at = locate(p.path, p.atKey);
    if (!at) return undefined;
    const d: Diagnostic = { severity: p.severity, path: formatPath(p.path), message: p.message, hint: p.hint, ...at };
    const key = `${d.line}:${d.col}:${d.path}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The position of `offset` in `text`, without a `yaml` document. */
function placeIn(text: string, file: string, offset: number, width = 1): Place {
  const before = text.slice(0, offset);
  const start = before.lastIndexOf('\n') + 1;
  const line = before.length - before.replaceAll('\n', '').length + 1;
  const end = text.indexOf('\n', offset);
  return { file, line, col: offset - start + 1, sourceLine: text.slice(start, end < 0 ? text.length : end).replace(/\r$/, ''), width };
}

/** The core tags, which only say what the value is anyway (`!!str 1.10`). */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** Nodes with an explicit tag other than the core ones, with their key paths. */
function explicitTags(node: unknown, path: KeyPath): Array<{ path: KeyPath; node: Node; tag: string }> {
  const out: Array<{ path: KeyPath; node: Node; tag: string }> = [];
  const n = node as Node | null;
  if (n && typeof n === 'object' && 'tag' in n && typeof n.tag === 'string' && !CORE_TAGS.has(n.tag) && n.range)
    out.push({ path, node: n, tag: n.tag.replace(/^tag:yaml\.org,2002:/, '!!') });
  if (isMap(node))
    for (const p of node.items) out.push(...explicitTags(p.key, path), ...explicitTags(p.value, [...path, isScalar(p.key) ? String(p.key.value) : '?']));
  else if (isSeq(node)) node.items.forEach((item, i) => out.push(...explicitTags(item, [...path, i])));
  return out;
}

/** Parses and validates profile text. Never throws for bad input. */
export function parseProfile(text: string, file: string, opts: { fast?: boolean } = {}): ParseResult {
  const lc = new LineCounter();
  // A problem with the whole file points at its first line (control characters shown as "?").
  const firstLine = (text.split(/\r?\n/, 1)[0] ?? '').slice(0, 120).replace(/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/g, '?');
  const whole = (message: string, hint?: string): ParseResult => ({
    diagnostics: [{ severity: 'error', file, line: 1, col: 1, path: '', message, hint, sourceLine: firstLine, width: 1 }],
  });
  if (Buffer.byteLength(text, 'utf8') > MAX_PROFILE_BYTES)
    return whole(`the file is ${Buffer.byteLength(text, 'utf8')} bytes; a profile is at most ${MAX_PROFILE_BYTES} bytes`, 'Is this the right file?');
  if (text.includes('\u0000') || text.includes('\ufffd')) return whole('this is not a text file (it contains NUL or invalid UTF-8 bytes)', 'Give the path of a YAML profile');
  if (text.trim() === '') return whole('the file is empty', 'Run `mpgen init -o FILE` for an example profile');
  // Nesting, documents and line endings the parsers cannot take, before either of them runs.
  const limit = checkText(text);
  if (limit) return { diagnostics: [{ severity: 'error', path: '', message: limit.message, hint: limit.hint, ...placeIn(text, file, limit.offset, limit.width) }] };

  // The common case first: a plain profile with no problem at all needs no positions, so it
  // need not become a `yaml` document (fast-yaml.ts says why the value is the same).
  // (opts.fast false: always the `yaml` document; tests compare the two)
  const fast = opts.fast === false ? undefined : fastYamlValue(text);
  let early: { value: object; parsed: ReturnType<typeof profileSchema.safeParse>; findings: ReturnType<typeof runRules> } | undefined;
  if (fast !== null && typeof fast === 'object' && !Array.isArray(fast)) {
    early = { value: fast, parsed: profileSchema.safeParse(fast), findings: runRules(fast) };
    if (early.parsed.success && early.findings.length === 0) return { profile: early.parsed.data, diagnostics: [] };
    // Warnings only (every equalize profile has one): their positions can come from the lines.
    if (early.parsed.success && early.findings.every((f) => f.severity === 'warning')) {
      const locate = fastLocator(text, fast);
      if (locate) {
        const diagnostics = toDiagnostics(early.findings.map(asProblem), (path, atKey) => {
          const at = locate(path, atKey);
          return at && { file, ...at };
        });
        if (diagnostics) return { profile: early.parsed.data, diagnostics };
      }
    }
  }

  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: true, version: '1.2' });
  (doc as unknown as { _src: string })._src = text;
  const loc = new Locator(doc, lc, file, text);
  const diagnostics: Diagnostic[] = [];

  if (doc.errors.length > 0) {
    // A tab in the indentation takes apart the structure of what follows it: the tabs alone are reported.
    const tabs = doc.errors.filter((e) => e.code === 'TAB_AS_INDENT');
    const open = unclosedBrackets(text);
    for (const e of tabs.length > 0 ? tabs : doc.errors) {
      const msg = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      let hint: string | undefined;
      let [from, to] = e.pos;
      const close = /end with an? ([}\]])$/.exec(msg);
      // An unclosed bracket is reported where it opens, not at the end of the text.
      let bracket = open.length - 1;
      while (close && bracket >= 0 && text[open[bracket]!] !== (close[1] === '}' ? '{' : '[')) bracket--;
      if (close && bracket >= 0) {
        [from, to] = [open[bracket]!, open[bracket]! + 1];
        open.splice(bracket, 1);
        hint = `Close it with ${close[1]}, and indent the lines inside it more than its key`;
      } else if (/tab/i.test(msg)) hint = 'Indent with spaces; YAML does not allow tabs for indentation';
      else if (/unique/i.test(msg)) hint = 'Remove or merge the duplicate key';
      else hint = 'Fix the YAML syntax';
      const d: Diagnostic = { severity: 'error', path: '', message: `YAML: ${msg}`, hint, ...loc.at(from, Math.max(1, to - from)) };
      // once per place (a tab: once per line)
      if (!diagnostics.some((x) => x.line === d.line && (tabs.length > 0 || (x.col === d.col && x.message === d.message)))) diagnostics.push(d);
    }
    return { diagnostics: diagnostics.sort((a, b) => a.line - b.line || a.col - b.col) };
  }
  // Tags: a profile has none. An unknown one (!!python/object, !!js/function) is only a warning
  // to the `yaml` package, which then reads the value as if it had no tag; !!binary gives bytes.
  const tagged = explicitTags(doc.contents, []);
  if (tagged.length > 0)
    return {
      diagnostics: tagged.map(({ path, node, tag }) => {
        let start = text.lastIndexOf('!', node.range![0]);
        while (text[start - 1] === '!') start--;
        return {
          severity: 'error' as const,
          path: formatPath(path),
          message: `the YAML tag ${tag} is not accepted in a profile`,
          hint: 'Remove the tag: a profile holds only plain strings, numbers, true and false, lists and mappings',
          ...loc.at(start, tag.length),
        };
      }),
    };

  let value: unknown = early?.value;
  if (value === undefined) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      return whole(`YAML: ${(e as Error).message}`, 'Remove the anchors and aliases that expand into many copies');
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return whole(`the profile must be a mapping of keys (version, name, mode, uplinks, ...), found ${describeOnFirstLine(value, firstLine)}`, 'Run `mpgen init -o FILE` for an example profile');

  const parsed = early?.parsed ?? profileSchema.safeParse(value);
  const problems: Array<Problem & { severity: 'error' | 'warning' }> = [];
  const findings = early?.findings ?? runRules(value);
  // a rule that explains a refused value (a PPPoE username with a space) replaces the schema's "is not valid here"
  const explained = new Set(findings.filter((f) => f.supersedes === 'schema').map((f) => formatPath(f.path)));
  if (!parsed.success)
    for (const issue of parsed.error.issues) for (const p of explainIssue(issue, value, loc)) if (!explained.has(formatPath(p.path))) problems.push({ ...p, severity: 'error' });
  for (const f of findings) problems.push(asProblem(f));

  diagnostics.push(...toDiagnostics(problems, (path, atKey) => loc.locate(path, atKey))!);
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  const hasErrors = diagnostics.some((d) => d.severity === 'error');
  return { profile: hasErrors || !parsed.success ? undefined : parsed.data, diagnostics };
}
