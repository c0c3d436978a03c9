/**
 * A located problem in a profile, formatted like netplan's src/error.c:
 * `file:line:col: key.path: problem. remedy`, then the source line and a caret.
 */
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

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.col}`;
  const what = d.path ? `${d.path}: ${d.message}` : d.message;
  const sev = d.severity === 'warning' ? 'warning: ' : '';
  let out = `${where}: ${sev}${what}`;
  if (d.hint) out += `${/[.!?]$/.test(out) ? '' : '.'} ${d.hint}`;
  if (d.sourceLine !== undefined) {
    const gutter = String(d.line).padStart(4);
    // Keep the caret aligned: replace tabs with single spaces in both lines.
    const src = d.sourceLine.replace(/\t/g, ' ');
    out += `\n${gutter} | ${src}\n${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, d.col - 1))}${'^'.repeat(Math.max(1, d.width ?? 1))}`;
  }
  return out;
}

export function formatDiagnostics(ds: Diagnostic[]): string {
  const errors = ds.filter((d) => d.severity === 'error').length;
  const body = ds.map(formatDiagnostic).join('\n');
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
