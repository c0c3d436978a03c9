/**
 * What a profile's text must not be, checked before the `yaml` package composes it or js-yaml
 * reads it: nested too deep (both recurse once per level, and 1000 levels of `[[...]]` end in a
 * stack overflow, or in V8 aborting the process), more than one document, or with line breaks
 * that only a CR marks (the `yaml` package does not take a lone CR for a line break, so the
 * whole file becomes one line and every error follows from it).
 *
 * The depth is the `yaml` package's own: its lexer and CST parser work with an explicit stack,
 * not by recursion, so they read any depth safely, and the CST has the collections the composer
 * recurses into (with the mapping of a pair in a flow sequence, `[a: 1]`, counted as one; in
 * broken text the composer's recovery may nest a little deeper, test/profile/limits.test.ts).
 * An ordinary profile does not even need the CST: depthBound() bounds its depth from its indentation and what each line opens, and only a text whose bound
 * is over MAX_DEPTH (or that has a document marker) is parsed to the CST here.
 */
import { Parser } from 'yaml';

/** Deeper nesting than this is refused before parsing; a profile has at most 5 levels. */
export const MAX_DEPTH = 64;

export interface TextProblem {
  /** offset in the text where the limit is crossed */
  offset: number;
  width?: number;
  message: string;
  hint: string;
}

const ANY_DOC_MARKER = /^(?:---|\.\.\.)(?=[ \t\r]|$)/m;

/** The problem with `text`, if any (the cheap bound first, then the CST when it could be one). */
export function checkText(text: string): TextProblem | undefined {
  const cr = /\r(?!\n)/.exec(text);
  if (cr)
    return {
      offset: cr.index,
      message: 'a line ends with a lone carriage return (CR); YAML here needs LF or CRLF line endings',
      hint: 'Save the file with LF line endings (e.g. `dos2unix -c mac FILE`)',
    };
  if (depthBound(text) <= MAX_DEPTH && !ANY_DOC_MARKER.test(text)) return undefined;
  return cstProblem(text);
}

/**
 * An upper bound on the depth of any collection in `text`, or Infinity when the text is not
 * plain enough to bound this way (a line leaves a bracket open or closes one it did not open,
 * or is indented with a tab): then the CST is asked. A level reaches the next line only through
 * indentation (a more indented line nests in the one above it) or through a line that ends
 * open (`key:`, `- `, an anchor, a tag), which a line at its own column may continue (a
 * sequence under its key; in broken text anything); within a line, each bracket opens at most
 * two levels (a pair in a flow sequence is a mapping of its own) and each indicator (`- `,
 * `? `, `: `) one. A property test compares it with the CST on generated texts.
 */
export function depthBound(text: string): number {
  // per open indentation: its column, the depth of the line's parent, and the depth it reached
  const stack: Array<{ indent: number; base: number; depth: number; opens: boolean }> = [];
  let max = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let indent = 0;
    while (text.charCodeAt(start + indent) === 32) indent++;
    const first = text.charCodeAt(start + indent);
    if (first === 9) return Infinity;
    if (start + indent >= end || first === 35 || (first === 13 && start + indent + 1 === end)) {
      start = end + 1;
      continue;
    }
    let levels = 1;
    let open = ''; // the brackets open on this line
    let comment = false;
    let keys = 0; // `: ` outside brackets: more than one is a compact mapping, which YAML refuses
    for (let i = start + indent; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 91 || c === 123) {
        levels += 2;
        open += c === 91 ? ']' : '}';
      } else if (c === 93 || c === 125) {
        // a bracket that closes none, or another kind: the CST decides
        if (open[open.length - 1] !== (c === 93 ? ']' : '}')) return Infinity;
        open = open.slice(0, -1);
      } else if (c === 45 || c === 63 || c === 58) {
        // - ? : followed by a space, a tab, a line break or the end
        const n = i + 1 < end ? text.charCodeAt(i + 1) : 10;
        if (n === 32 || n === 9 || n === 10 || n === 13) {
          levels++;
          if (c === 58 && open === '') keys++;
        }
      } else if (c === 35 && (text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) comment = true;
    }
    if (open !== '') return Infinity;
    let last = end - 1;
    while (last > start + indent && (text.charCodeAt(last) === 32 || text.charCodeAt(last) === 9 || text.charCodeAt(last) === 13)) last--;
    let word = last;
    while (word > start + indent && text.charCodeAt(word - 1) !== 32 && text.charCodeAt(word - 1) !== 9) word--;
    const lastChar = text.charCodeAt(last);
    const wordChar = text.charCodeAt(word);
    // may the next line at this column nest in it: an indicator ending the line (or a comment, an
    // anchor, a tag or a block scalar header there), or a compact mapping (`a: b: c`), after which
    // the parser recovers so
    const opens = comment || keys > 1 || lastChar === 58 || ((lastChar === 45 || lastChar === 63 || lastChar === 124 || lastChar === 62) && word === last) || wordChar === 38 || wordChar === 33 || wordChar === 124 || wordChar === 62;
    while (stack.length > 0 && stack[stack.length - 1]!.indent > indent) stack.pop();
    const top = stack[stack.length - 1];
    let base: number;
    if (top && top.indent === indent) {
      base = top.opens ? top.depth : top.base;
      stack.pop();
    } else base = top ? top.depth : 0;
    const depth = base + levels;
    stack.push({ indent, base, depth, opens });
    if (depth > max) max = depth;
    start = end + 1;
  }
  return max;
}

type Cst = {
  type: string;
  offset: number;
  start?: { source?: string };
  value?: Cst;
  items?: Array<{ start?: Array<{ type: string }>; key?: Cst | null; sep?: unknown[]; value?: Cst | null }>;
  end?: Array<{ type: string }>;
};
const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

/** Every CST node with its depth, without recursion. */
function* walk(text: string): Generator<{ node: Cst; depth: number }> {
  for (const tok of new Parser().parse(text) as Iterable<Cst>) {
    const stack: Array<{ node: Cst; depth: number }> = [{ node: tok, depth: 0 }];
    while (stack.length > 0) {
      const { node, depth } = stack.pop()!;
      const d = COLLECTIONS.has(node.type) ? depth + 1 : depth;
      yield { node, depth: d };
      if (node.value && typeof node.value === 'object') stack.push({ node: node.value, depth: d });
      // `[a: 1]`, `[? a]`: a pair in a flow sequence is composed as a mapping of its own, one level more
      const pairs = node.type === 'flow-collection' && node.start?.source === '[';
      for (const it of node.items ?? []) {
        const pair = pairs && (it.sep || it.key || it.start?.some((t) => t.type === 'explicit-key-ind'));
        const di = pair ? d + 1 : d;
        if (pair) yield { node: { type: 'flow-pair', offset: (it.start?.[0] as { offset?: number } | undefined)?.offset ?? it.key?.offset ?? node.offset }, depth: di };
        if (it.value && typeof it.value === 'object') stack.push({ node: it.value, depth: di });
        if (it.key && typeof it.key === 'object') stack.push({ node: it.key, depth: di });
      }
    }
  }
}

/** The first place nested deeper than MAX_DEPTH or, if none comes before it, the second document; from the CST. */
export function cstProblem(text: string): TextProblem | undefined {
  let docs = 0;
  let deep: number | undefined;
  for (const { node, depth } of walk(text)) {
    if (node.type === 'document' && ++docs === 2 && deep === undefined)
      return { offset: node.offset, width: 3, message: 'a second YAML document starts here; a profile is one document', hint: 'Keep one profile per file: remove this `---` and what follows, or move it to a file of its own' };
    if (depth > MAX_DEPTH && (COLLECTIONS.has(node.type) || node.type === 'flow-pair') && (deep === undefined || node.offset < deep)) deep = node.offset;
  }
  return deep === undefined
    ? undefined
    : {
        offset: deep,
        message: `the text nests deeper than ${MAX_DEPTH} levels here; a profile has at most 5`,
        hint: 'Is this the right file? A profile is a mapping of a few levels: uplinks, one uplink, its probes',
      };
}

/** Offsets of the flow brackets `[` and `{` that are never closed, in text order. */
export function unclosedBrackets(text: string): number[] {
  const out: number[] = [];
  for (const { node } of walk(text))
    if (node.type === 'flow-collection' && !(node.end ?? []).some((t) => t.type === 'flow-seq-end' || t.type === 'flow-map-end')) out.push(node.offset);
  return out.sort((a, b) => a - b);
}

/** The deepest collection of `text`, from the CST (for tests). */
export function cstDepth(text: string): number {
  let max = 0;
  for (const { depth } of walk(text)) max = Math.max(max, depth);
  return max;
}
