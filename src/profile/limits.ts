/**
 * A cheap scan of a profile's text before any YAML parser sees it, for what would make the
 * parsers themselves fail: nesting (both the `yaml` package and js-yaml recurse once per level,
 * and 1000 levels of `[[...]]` end in a stack overflow, or in V8 aborting the process), more
 * than one document, and line breaks that only a CR marks (the `yaml` package does not take a
 * lone CR for a line break, so the whole file becomes one line and every error follows from it).
 *
 * The scan knows just enough YAML to count levels: block indentation, `- ` and `? ` entries,
 * flow brackets, quoted scalars (which may span lines and hold brackets), comments, block
 * scalars (whose lines are text, however indented) and document markers. It may count a level
 * too many in odd but valid YAML, never one too few; MAX_DEPTH is far above the few levels a
 * profile has (the top mapping, uplinks, one uplink, its probes).
 */

/** Deeper nesting than this is refused before parsing. */
export const MAX_DEPTH = 64;

export interface TextProblem {
  /** offset in the text where the limit is crossed */
  offset: number;
  width?: number;
  message: string;
  hint: string;
}

export interface TextScan {
  problem?: TextProblem;
  /** offsets of the flow brackets `[` and `{` still open at the end of the text, outermost first */
  unclosed: number[];
}

const DOC_MARKER = /^(?:---|\.\.\.)(?=[ \t]|$)/;
const ANY_DOC_MARKER = /^(?:---|\.\.\.)(?=[ \t\r]|$)/m;

/**
 * The problem scanText would find, cheaply for the common profile: a new block level starts only
 * in the leading run of spaces, dashes and question marks of a line, at a column greater than
 * the one below it, and a flow level only at a bracket; so when the longest such run plus the
 * number of brackets stays within MAX_DEPTH, and no line is a document marker, the full scan
 * could only find a lone CR.
 */
export function checkText(text: string): TextProblem | undefined {
  let levels = 1;
  for (let i = 0; i < text.length; ) {
    let j = i;
    for (let c = text.charCodeAt(j); c === 32 || c === 45 || c === 63; c = text.charCodeAt(++j));
    levels = Math.max(levels, j - i + 1);
    const nl = text.indexOf('\n', j);
    if (nl < 0) break;
    i = nl + 1;
  }
  for (let i = text.indexOf('['); i >= 0 && levels <= MAX_DEPTH; i = text.indexOf('[', i + 1)) levels++;
  for (let i = text.indexOf('{'); i >= 0 && levels <= MAX_DEPTH; i = text.indexOf('{', i + 1)) levels++;
  if (levels <= MAX_DEPTH && !ANY_DOC_MARKER.test(text)) {
    const cr = /\r(?!\n)/.exec(text);
    return cr ? loneCr(cr.index) : undefined;
  }
  return scanText(text).problem;
}

const loneCr = (offset: number): TextProblem => ({
  offset,
  message: 'a line ends with a lone carriage return (CR); YAML here needs LF or CRLF line endings',
  hint: 'Save the file with LF line endings (e.g. `dos2unix -c mac FILE`)',
});

export function scanText(text: string): TextScan {
  const cr = /\r(?!\n)/.exec(text);
  if (cr) return { unclosed: [], problem: loneCr(cr.index) };

  const blocks: number[] = []; // indentation columns of the open block levels
  const flow: number[] = []; // offsets of the open flow brackets
  let quote: '"' | "'" | undefined;
  let blockScalarParent: number | undefined; // indentation of the line that opened a block scalar
  let docs = 0;
  let docOpen = false;
  let docHasContent = false;
  const deep = (offset: number): TextScan => ({
    unclosed: [],
    problem: {
      offset,
      message: `the text nests deeper than ${MAX_DEPTH} levels here; a profile has at most 5`,
      hint: 'Is this the right file? A profile is a mapping of a few levels: uplinks, one uplink, its probes',
    },
  });
  const startContent = (offset: number): TextScan | undefined => {
    if (!docOpen) {
      docs++;
      docOpen = true;
    }
    docHasContent = true;
    return docs > 1 ? secondDoc(offset) : undefined;
  };
  const secondDoc = (offset: number): TextScan => ({
    unclosed: [],
    problem: { offset, width: 3, message: 'a second YAML document starts here; a profile is one document', hint: 'Keep one profile per file: remove this `---` and what follows, or move it to a file of its own' },
  });

  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    const next = lineEnd + 1;

    let indent = 0;
    while (line[indent] === ' ') indent++;
    const blank = indent === line.length || /^[ \t]*$/.test(line);

    if (blockScalarParent !== undefined) {
      if (blank || indent > blockScalarParent) {
        lineStart = next;
        continue;
      }
      blockScalarParent = undefined;
    }

    let i = 0;
    if (quote === undefined && flow.length === 0 && DOC_MARKER.test(line)) {
      if (line.startsWith('---')) {
        if (docOpen && docHasContent) {
          docs++;
          if (docs > 1) return secondDoc(lineStart);
        } else if (!docOpen) {
          docs++;
          if (docs > 1) return secondDoc(lineStart);
        }
        docOpen = true;
        docHasContent = !/^---[ \t]*(?:#.*)?$/.test(line);
        blocks.length = 0;
        i = 3;
      } else {
        docOpen = false;
        docHasContent = false;
        blocks.length = 0;
        lineStart = next;
        continue;
      }
    } else if (quote === undefined && flow.length === 0) {
      if (blank || line[indent] === '#' || (!docOpen && line.startsWith('%'))) {
        lineStart = next;
        continue;
      }
      const problem = startContent(lineStart + indent);
      if (problem) return problem;
      while (blocks.length > 0 && blocks[blocks.length - 1]! > indent) blocks.pop();
      if (blocks.length === 0 || blocks[blocks.length - 1]! < indent) blocks.push(indent);
      if (blocks.length + flow.length > MAX_DEPTH) return deep(lineStart + indent);
      i = indent;
    }

    // the rest of the line, character by character
    let tokenStart = true;
    // still in the line's leading run of spaces, dashes and question marks, where block levels start
    let leading = flow.length === 0 && quote === undefined;
    for (; i < line.length; i++) {
      const c = line[i]!;
      const at = lineStart + i;
      if (c !== ' ' && c !== '-' && c !== '?') leading = false;
      if (quote === '"') {
        if (c === '\\') i++;
        else if (c === '"') quote = undefined;
        continue;
      }
      if (quote === "'") {
        if (c === "'" && line[i + 1] === "'") i++;
        else if (c === "'") quote = undefined;
        continue;
      }
      if (c === ' ' || c === '\t') {
        if (flow.length > 0) tokenStart = true;
        continue;
      }
      if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
      if (flow.length > 0) {
        if (c === '[' || c === '{') {
          flow.push(at);
          if (blocks.length + flow.length > MAX_DEPTH) return deep(at);
          tokenStart = true;
        } else if (c === ']' || c === '}') {
          flow.pop();
          tokenStart = false;
        } else if (c === ',' || c === ':' || c === '?') tokenStart = true;
        else if (tokenStart && (c === '"' || c === "'")) quote = c;
        else tokenStart = false;
        continue;
      }
      // block context
      if (tokenStart) {
        if ((c === '-' || c === '?' || c === ':') && (i + 1 === line.length || line[i + 1] === ' ' || line[i + 1] === '\t')) {
          if (c !== ':' && leading) {
            let j = i + 1;
            while (line[j] === ' ') j++;
            if (j < line.length) {
              blocks.push(j);
              if (blocks.length + flow.length > MAX_DEPTH) return deep(lineStart + j);
            }
          }
          continue;
        }
        if (c === '[' || c === '{') {
          flow.push(at);
          if (blocks.length + flow.length > MAX_DEPTH) return deep(at);
          continue;
        }
        if (c === '"' || c === "'") {
          quote = c;
          tokenStart = false;
          continue;
        }
        if (c === '|' || c === '>') {
          blockScalarParent = indent;
          break;
        }
        if (c === '&' || c === '!') {
          // an anchor or a tag: the node follows it
          while (i + 1 < line.length && line[i + 1] !== ' ') i++;
          continue;
        }
        tokenStart = false;
      }
      // in a plain scalar or key: ": " starts a value
      if (c === ':' && (i + 1 === line.length || line[i + 1] === ' ' || line[i + 1] === '\t')) tokenStart = true;
    }
    lineStart = next;
  }
  return { unclosed: [...flow] };
}
