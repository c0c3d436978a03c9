/**
 * Text from the outside (file names, lines of a file that is not a profile) made safe to print
 * on a terminal: control characters, DEL and the C1 range are shown as \xNN escapes (a newline
 * as \n), so a file name cannot move the cursor, recolour the terminal or forge a line.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
