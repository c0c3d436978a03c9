/**
 * Profile text as a terminal may show it. A profile (and the name of its file) may hold any
 * character, and a message that quotes it raw hands those characters to the user's terminal:
 * ESC starts a control sequence (OSC 52 writes the clipboard), BEL rings, U+202E reverses the
 * rest of the line, U+2028 and U+0085 break it. Every message that quotes profile text passes
 * it through printable() (formatDiagnostic does it for every diagnostic).
 */

/**
 * What is escaped: controls (C0, DEL, C1, which include U+0085), format characters (bidi
 * embeddings, overrides and isolates, zero-width characters, the BOM), the line and paragraph
 * separators, spaces other than U+0020, private-use and unassigned code points, lone surrogates.
 */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}]|(?! )\p{Zs}/gu;

const NAMED: Record<string, string> = { '\u001b': '\\e', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** One character as a visible escape: \e, \n, \r, \t, \xHH below U+0100, else \uHHHH or \u{HHHHH}. */
export function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const n = c.codePointAt(0)!;
  if (n < 0x100) return `\\x${hex(n, 2)}`;
  return n > 0xffff ? `\\u{${hex(n, 5)}}` : `\\u${hex(n, 4)}`;
}

/** `s` with every character a terminal could act on, or that cannot be seen, as a visible escape. */
export function printable(s: string): string {
  return s.replace(NON_PRINTABLE, escapeChar);
}

/** `s` in double quotes, unambiguous: quotes and backslashes escaped, then printable(). */
export function quote(s: string): string {
  return `"${printable(s.replace(/[\\"]/g, '\\$&'))}"`;
}

/** True when printable(s) is s. */
export const isPrintable = (s: string): boolean => !new RegExp(NON_PRINTABLE.source, 'u').test(s);
