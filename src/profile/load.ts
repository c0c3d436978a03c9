/**
 * Profile text -> validated Profile, with every problem located and collected
 * in one pass: YAML syntax, schema (types, patterns, unknown keys), then the
 * cross-field rules.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { fastYamlValue } from './fast-yaml.js';
import { fastLocator } from './fast-locate.js';
import type * as z from 'zod/mini';
import { didYouMean, type Diagnostic } from './diagnostics.js';
import { runRules, type Finding, type KeyPath } from './rules.js';
import { KEY_DOCS, profileSchema, type Profile } from './schema.js';

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

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `the string "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `${v}`;
  if (Array.isArray(v)) return 'a list';
  return 'a mapping';
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v) : String(v));

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
          message: `unknown key "${k}"`,
          hint: guess ? `Did you mean "${guess}"?` : `Known keys here: ${known.join(', ')}`,
        };
      });
    case 'invalid_type': {
      if (input === undefined) return [{ ...base, atKey: true, message: 'is required' }];
      if (issue.expected === 'boolean' && typeof input === 'string' && /^(yes|no|on|off|y|n)$/i.test(input))
        return [{ ...base, message: `expected true or false, found the string "${input}"`, hint: 'YAML 1.2 reads yes/no/on/off as strings; write true or false' }];
      if (issue.expected === 'string' && typeof input === 'number') {
        const written = loc.sourceText(path) ?? String(input);
        if (genericPath(path) === 'package.version')
          return [{ ...base, message: `YAML read ${written} as the number ${input}`, hint: `Quote it: version: "${written}"` }];
        if (/interval|timeout/.test(genericPath(path)))
          return [{ ...base, message: `${written} has no unit; numbers are not accepted as durations`, hint: `Write a unit: "${written}s" or "${written}ms"` }];
        return [{ ...base, message: `expected a string, found ${describe(input)}`, hint: `Quote it: "${written}"` }];
      }
      return [{ ...base, message: `expected ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a mapping' : issue.expected}, found ${describe(input)}` }];
    }
    case 'invalid_format':
      return [{ ...base, message: `${show(input)} is not valid here` }];
    case 'invalid_value': {
      if (genericPath(path) === 'version') return [{ ...base, message: `unsupported version ${show(input)}`, hint: 'Supported versions: 1' }];
      const vals = issue.values.map(String);
      const guess = typeof input === 'string' ? didYouMean(input, vals) : undefined;
      return [{ ...base, message: `${show(input)} is not one of ${vals.join(', ')}`, hint: guess ? `Did you mean "${guess}"?` : base.hint }];
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
    for (const e of doc.errors) {
      const msg = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      let hint: string | undefined;
      if (/tab/i.test(msg)) hint = 'Indent with spaces; YAML does not allow tabs for indentation';
      else if (/unique/i.test(msg)) hint = 'Remove or merge the duplicate key';
      else hint = 'Fix the YAML syntax';
      diagnostics.push({ severity: 'error', path: '', message: `YAML: ${msg}`, hint, ...loc.at(e.pos[0], Math.max(1, e.pos[1] - e.pos[0])) });
    }
    return { diagnostics };
  }

  let value: unknown = early?.value;
  if (value === undefined) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      return whole(`YAML: ${(e as Error).message}`, 'Remove the anchors and aliases that expand into many copies');
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return whole(`the profile must be a mapping of keys (version, name, mode, uplinks, ...), found ${describe(value)}`, 'Run `mpgen init -o FILE` for an example profile');

  const parsed = early?.parsed ?? profileSchema.safeParse(value);
  const problems: Array<Problem & { severity: 'error' | 'warning' }> = [];
  if (!parsed.success) for (const issue of parsed.error.issues) for (const p of explainIssue(issue, value, loc)) problems.push({ ...p, severity: 'error' });
  for (const f of early?.findings ?? runRules(value)) problems.push(asProblem(f));

  diagnostics.push(...toDiagnostics(problems, (path, atKey) => loc.locate(path, atKey))!);
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  const hasErrors = diagnostics.some((d) => d.severity === 'error');
  return { profile: hasErrors || !parsed.success ? undefined : parsed.data, diagnostics };
}
