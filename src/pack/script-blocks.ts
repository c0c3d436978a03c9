/**
 * Shell assembled from blocks, so that a section with nothing in it is left
 * out instead of leaving `then` directly before `fi` (a syntax error that made
 * packages without units impossible to remove). Every value put into a line
 * goes through `shq`.
 */

/** Lines of shell, each without its trailing newline; indentation is added by `when`. */
export type Lines = string[];

/** Single-quoted for sh: safe for any string. */
export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** `if COND; then BODY fi`, or nothing at all when BODY is empty. */
export function when(cond: string, body: Lines): Lines {
  if (body.length === 0) return [];
  return [`if ${cond}; then`, ...body.map((l) => (l === '' ? l : `\t${l}`)), 'fi'];
}

/** `if COND; then A else B fi`; either side may be empty (then it is `:`). */
export function either(cond: string, then: Lines, otherwise: Lines): Lines {
  if (then.length === 0 && otherwise.length === 0) return [];
  const ind = (ls: Lines): Lines => (ls.length === 0 ? ['\t:'] : ls.map((l) => (l === '' ? l : `\t${l}`)));
  return [`if ${cond}; then`, ...ind(then), 'else', ...ind(otherwise), 'fi'];
}

/** One script: the header lines, then each non-empty section separated by a blank line. */
export function script(header: Lines, sections: Lines[], footer: Lines): string {
  const parts = [header, ...sections.filter((s) => s.length > 0), footer].filter((s) => s.length > 0);
  return `${parts.map((p) => p.join('\n')).join('\n\n')}\n`;
}
