/**
 * Positions for a profile that fastYamlValue read, so that a profile whose only findings are
 * warnings need not become a `yaml` document either (a third of a mixed fleet: every
 * `mode: equalize` profile has one).
 *
 * The screen of fast-yaml.ts admits only block lines of a few shapes (`key: value`, `key:`,
 * `- value`, `- key: value`, blank and comment lines), so the structure can be read back from
 * the lines and their indentation alone. fastLocator does that, then checks that the structure
 * it read has exactly the shape of the value js-yaml gave (the same keys in the same order, the
 * same list lengths); any doubt, and it returns undefined and the caller reads the file with
 * `yaml` as before. Its locate() mirrors Locator.locate in load.ts: the position of the value at
 * a path, else of its key, else of the nearest ancestor, underlined to at most the end of the
 * line. Where that position would come from a node whose `yaml` range this module does not
 * reproduce (an empty value, a block collection on one line), locate() returns undefined too.
 * test/profile/fast-locate.test.ts compares it with the `yaml` Locator on every path of
 * thousands of profiles.
 */
import type { KeyPath } from './rules.js';
import { LINE_PARTS } from './fast-yaml.js';

export interface FastLoc {
  line: number;
  col: number;
  sourceLine: string;
  width: number;
}

interface Event {
  kind: 'dash' | 'key' | 'value';
  line: number;
  /** 0-based */
  col: number;
  /** the first event on its line */
  first: boolean;
  /** key: its name; value: its text */
  text: string;
  /** key: its value on the same line, if any */
  inline?: { col: number; text: string };
}

interface PNode {
  kind: 'map' | 'seq' | 'flow' | 'scalar' | 'empty';
  line: number;
  col: number;
  /** length of the range; Infinity when the node goes on past its first line; NaN: not known */
  len: number;
  lastLine: number;
  pairs?: Array<{ name: string; line: number; col: number; value: PNode }>;
  items?: PNode[];
}

class Doubt extends Error {}
const doubt = (): never => {
  throw new Doubt();
};

function events(lines: string[]): Event[] {
  const out: Event[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const trimmed = text.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = LINE_PARTS.exec(text);
    if (!m?.indices) return doubt();
    const line = i + 1;
    let first = true;
    const dashes = m[2]!;
    const d0 = m.indices[2]![0];
    for (let j = 0; j < dashes.length; j++)
      if (dashes[j] === '-') {
        out.push({ kind: 'dash', line, col: d0 + j, first, text: '-' });
        first = false;
      }
    if (m[3] !== undefined) {
      const ev: Event = { kind: 'key', line, col: m.indices[3]![0], first, text: m[3] };
      if (m[4] !== undefined) ev.inline = { col: m.indices[4]![0], text: m[4] };
      out.push(ev);
    } else if (m[5] !== undefined) out.push({ kind: 'value', line, col: m.indices[5]![0], first, text: m[5] });
    else doubt();
  }
  return out;
}

/** a scalar or a one-line flow sequence written at `col` of `line` */
function valueNode(line: number, col: number, text: string): PNode {
  if (!text.startsWith('[')) return { kind: 'scalar', line, col, len: text.length, lastLine: line };
  // the items of a flow sequence: plain (without commas, trailing spaces not part of it) or quoted
  const items: PNode[] = [];
  let i = 1;
  const skip = (): void => {
    while (text[i] === ' ') i++;
  };
  skip();
  while (text[i] !== ']') {
    const start = i;
    const q = text[i];
    if (q === '"' || q === "'") {
      const close = text.indexOf(q, i + 1);
      if (close < 0) doubt();
      i = close + 1;
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== ']') i++;
    }
    const item = text.slice(start, i).trimEnd();
    items.push({ kind: 'scalar', line, col: col + start, len: item.length, lastLine: line });
    skip();
    if (text[i] === ',') {
      i++;
      skip();
    } else if (text[i] !== ']') doubt();
  }
  if (i !== text.length - 1) doubt();
  return { kind: 'flow', line, col, len: text.length, lastLine: line, items };
}

function parse(evs: Event[]): PNode {
  let idx = 0;
  const node = (): PNode => {
    const e = evs[idx] ?? doubt();
    if (e.kind === 'dash') return seq(e);
    if (e.kind === 'key') return map(e);
    idx++;
    return valueNode(e.line, e.col, e.text);
  };
  const collection = (n: PNode, last: number): PNode => {
    n.lastLine = last;
    // a block collection on one line: where `yaml` ends its range is not reproduced here
    n.len = last > n.line ? Infinity : NaN;
    return n;
  };
  const seq = (start: Event): PNode => {
    const n: PNode = { kind: 'seq', line: start.line, col: start.col, len: NaN, lastLine: start.line, items: [] };
    let last = start.line;
    for (let e = evs[idx]; e && e.kind === 'dash' && e.col === start.col && (e === start || e.first); e = evs[idx]) {
      idx++;
      // `- ` is always followed by something on its line (the screen)
      if (evs[idx]?.line !== e.line) doubt();
      const item = node();
      n.items!.push(item);
      last = Math.max(last, item.lastLine);
    }
    return collection(n, last);
  };
  const map = (start: Event): PNode => {
    const n: PNode = { kind: 'map', line: start.line, col: start.col, len: NaN, lastLine: start.line, pairs: [] };
    let last = start.line;
    for (let e = evs[idx]; e && e.kind === 'key' && e.col === start.col && (e === start || e.first); e = evs[idx]) {
      idx++;
      let value: PNode;
      if (e.inline) value = valueNode(e.line, e.inline.col, e.inline.text);
      else {
        const nx = evs[idx];
        if (nx && nx.first && nx.line > e.line && (nx.col > e.col || (nx.kind === 'dash' && nx.col === e.col))) value = node();
        else value = { kind: 'empty', line: e.line, col: e.col + e.text.length + 1, len: NaN, lastLine: e.line };
      }
      n.pairs!.push({ name: e.text, line: e.line, col: e.col, value });
      last = Math.max(last, value.lastLine);
    }
    return collection(n, last);
  };
  const root = node();
  if (idx !== evs.length) doubt();
  return root;
}

/** the structure read from the lines has exactly the shape of the value */
function sameShape(n: PNode, v: unknown): boolean {
  if (n.kind === 'map') {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
    const keys = Object.keys(v);
    if (keys.length !== n.pairs!.length) return false;
    return n.pairs!.every((p, i) => keys[i] === p.name && sameShape(p.value, (v as Record<string, unknown>)[p.name]));
  }
  if (n.kind === 'seq' || n.kind === 'flow') return Array.isArray(v) && v.length === n.items!.length && n.items!.every((it, i) => sameShape(it, v[i]));
  if (n.kind === 'empty') return v === null;
  return v === null || typeof v !== 'object';
}

export type FastLocate = (path: KeyPath, atKey?: boolean) => FastLoc | undefined;

/**
 * A locate() for `text` (which fastYamlValue read as `value`), or undefined when its structure
 * cannot be read back with certainty.
 */
export function fastLocator(text: string, value: unknown): FastLocate | undefined {
  const lines = text.split('\n');
  let root: PNode;
  try {
    root = parse(events(lines));
  } catch (e) {
    if (e instanceof Doubt) return undefined;
    throw e;
  }
  if (root.kind !== 'map' || !sameShape(root, value)) return undefined;
  return (path, atKey = false) => {
    let node: PNode = root;
    // undefined: the position `yaml` gives this node is not reproduced here
    let best: { line: number; col: number; len: number } | undefined = { line: 1, col: 0, len: 1 };
    const take = (n: PNode): void => {
      best = Number.isNaN(n.len) ? undefined : { line: n.line, col: n.col, len: Math.max(1, n.len) };
    };
    for (let i = 0; i < path.length; i++) {
      const k = path[i]!;
      if (node.kind === 'map') {
        const pair = node.pairs!.find((p) => p.name === k);
        if (!pair) break;
        best = { line: pair.line, col: pair.col, len: pair.name.length };
        if (atKey && i === path.length - 1) break;
        node = pair.value;
        take(node);
      } else if ((node.kind === 'seq' || node.kind === 'flow') && typeof k === 'number') {
        const item = node.items![k];
        if (!item) break;
        node = item;
        take(node);
      } else break;
    }
    if (best === undefined) return undefined;
    const sourceLine = lines[best.line - 1] ?? '';
    const rest = sourceLine.length - best.col;
    return { line: best.line, col: best.col + 1, sourceLine, width: Math.max(1, Math.min(best.len, rest)) };
  };
}
