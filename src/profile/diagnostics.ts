/**
 * A located problem in a profile, formatted like netplan's src/error.c:
 * `file:line:col: key.path: problem. remedy`, then the source line and a caret.
 * Every part that can hold profile text (or a file name) is shown through printable().
 */
import { printable } from '../base/printable.js';

export interface Diagnostic {
  severity: 'error' | 'warning';
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
  /** "uplinks[1].gateway", or "" for the whole file */
  path: string;
  /** what is wrong */
  message: string;
  /** how to fix it */
  hint?: string;
  /** the offending source line, for the caret display */
  sourceLine?: string;
  /** how many columns the caret underlines */
  width?: number;
}

/** The echoed source line is cut to about this many columns around the caret. */
export const MAX_SOURCE_COLUMNS = 120;
/** Columns of the line kept before the caret when the line is cut. */
const LEAD = 40;
/** formatDiagnostics prints at most this many; the rest are counted. */
export const MAX_DIAGNOSTICS = 50;

/**
 * The source line as shown under a message: tabs as single spaces, every character a terminal
 * could act on escaped (printable.ts), cut to MAX_SOURCE_COLUMNS around the underlined part,
 * with the caret moved to where that part is shown.
 */
export function sourceExcerpt(sourceLine: string, col: number, width = 1): { text: string; caret: number; width: number } {
  const src = sourceLine.replace(/\t/g, ' ');
  const at = Math.max(0, col - 1);
  let before = printable(src.slice(0, at));
  let span = printable(src.slice(at, at + Math.max(1, width)));
  let after = printable(src.slice(at + Math.max(1, width)));
  if (before.length + span.length + after.length > MAX_SOURCE_COLUMNS) {
    if (before.length > LEAD) before = `…${before.slice(before.length - LEAD + 1)}`;
    if (before.length + span.length > MAX_SOURCE_COLUMNS - 1) span = `${span.slice(0, MAX_SOURCE_COLUMNS - before.length - 2)}…`;
    const room = MAX_SOURCE_COLUMNS - before.length - span.length;
    if (after.length > room) after = room > 1 ? `${after.slice(0, room - 1)}…` : '';
  }
  return { text: before + span + after, caret: before.length, width: Math.max(1, span.length) };
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${printable(d.file)}:${d.line}:${d.col}`;
  const what = d.path ? `${printable(d.path)}: ${printable(d.message)}` : printable(d.message);
  const sev = d.severity === 'warning' ? 'warning: ' : '';
  let out = `${where}: ${sev}${what}`;
  if (d.hint) out += `${/[.!?]$/.test(out) ? '' : '.'} ${printable(d.hint)}`;
  if (d.sourceLine !== undefined) {
    const gutter = String(d.line).padStart(4);
    const x = sourceExcerpt(d.sourceLine, d.col, d.width ?? 1);
    out += `\n${gutter} | ${x.text}\n${' '.repeat(gutter.length)} | ${' '.repeat(x.caret)}${'^'.repeat(x.width)}`;
  }
  return out;
}

/** Every diagnostic up to MAX_DIAGNOSTICS, then how many more there are, then the count of errors. */
export function formatDiagnostics(ds: Diagnostic[]): string {
  const errors = ds.filter((d) => d.severity === 'error').length;
  let body = ds.slice(0, MAX_DIAGNOSTICS).map(formatDiagnostic).join('\n');
  if (ds.length > MAX_DIAGNOSTICS) body += `\n… and ${ds.length - MAX_DIAGNOSTICS} more not shown`;
  return errors > 0 ? `${body}\n${errors} error${errors === 1 ? '' : 's'} in profile; nothing was written.\n` : `${body}\n`;
}

/** Thrown by the loader when a profile has errors; carries every one of them. */
export class ProfileError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(formatDiagnostics(diagnostics));
    this.name = 'ProfileError';
  }
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n]!;
}

export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
