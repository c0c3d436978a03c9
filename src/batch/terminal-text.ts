/**
 * Text from the outside (file names, lines of a file that is not a profile) made safe to print
 * on a terminal: control characters, DEL, the C1 range and the bidirectional overrides are shown
 * as escapes (a newline as \n), so a file name cannot move the cursor, recolour the terminal,
 * forge a line or reorder what is shown. (A local helper; a general one for profile messages
 * may replace it.)
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c.charCodeAt(0) > 0xff ? `\\u${c.charCodeAt(0).toString(16)}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
