/**
 * The keepalive daemon is one POSIX sh script, kept as plain parts in
 * src/keepalive/sh/ (each linted by shellcheck on its own) and assembled here:
 * the parts in a fixed order, each without its leading shellcheck directives
 * (they only serve the part alone: the variables cross the parts), one blank
 * line between two parts.
 *
 * The assembled body holds one placeholder line, filled per render with the
 * marker comment. Pure (no I/O): scripts/build.mjs runs it at build time and
 * embeds the body in the bundle; from src, src/keepalive/script.ts reads the parts.
 */

/** The parts, in the order of the script: configuration, probing, decisions, policies and drift, dynamic uplinks, kernel changes, metrics, lifecycle. */
export const KEEPALIVE_PARTS = ['10-config', '20-probe', '30-decide', '35-steer', '38-lease', '40-kernel', '45-metrics', '50-lifecycle'] as const;

/** The one line of the first part that the marker comment replaces. */
export const MARKER_PLACEHOLDER = '#@MPGEN_MARKER@';

const DIRECTIVE = /^# shellcheck /;

/** Assemble the parts (name without ".sh" -> text). Throws on a missing, unlisted or malformed part. */
export function assembleKeepalive(parts: Record<string, string>): string {
  const names = Object.keys(parts).sort();
  const expected = [...KEEPALIVE_PARTS].sort();
  if (names.join(' ') !== expected.join(' ')) throw new Error(`keepalive: the parts are ${names.join(', ') || 'none'}, expected ${expected.join(', ')}`);
  const bodies = KEEPALIVE_PARTS.map((name, i) => {
    const text = parts[name]!;
    if (!text.endsWith('\n') || text.endsWith('\n\n')) throw new Error(`keepalive: part ${name} must end with exactly one newline`);
    if (text.includes('\r')) throw new Error(`keepalive: part ${name} has a carriage return`);
    const lines = text.slice(0, -1).split('\n');
    if ((i === 0) !== lines[0]!.startsWith('#!')) throw new Error(`keepalive: only the first part starts with "#!", and it does (${name})`);
    if (i > 0 && lines[0] !== '# shellcheck shell=sh') throw new Error(`keepalive: part ${name} does not start with "# shellcheck shell=sh"`);
    let k = 0;
    while (k < lines.length && DIRECTIVE.test(lines[k]!)) k++;
    while (k < lines.length && lines[k] === '') k++;
    if (k === lines.length) throw new Error(`keepalive: part ${name} is empty`);
    return lines.slice(k).join('\n') + '\n';
  });
  const body = bodies.join('\n');
  const count = body.split('\n').filter((l) => l === MARKER_PLACEHOLDER).length;
  if (count !== 1 || !bodies[0]!.split('\n').includes(MARKER_PLACEHOLDER)) throw new Error(`keepalive: the placeholder ${MARKER_PLACEHOLDER} must be one line of the first part, found ${count}`);
  return body;
}

/** A marker is one comment line of printable characters (marker() in src/backends/backend.ts). */
const MARKER_RE = /^# [^\u0000-\u001f\u007f]+$/;

/** The script of one render: the assembled body with its placeholder line replaced by the marker comment. */
export function fillMarker(body: string, marker: string): string {
  if (!MARKER_RE.test(marker)) throw new Error(`keepalive: the marker ${JSON.stringify(marker)} is not one comment line`);
  const at = body.indexOf(`\n${MARKER_PLACEHOLDER}\n`);
  if (at < 0) throw new Error(`keepalive: no ${MARKER_PLACEHOLDER} line in the script`);
  return body.slice(0, at + 1) + marker + body.slice(at + 1 + MARKER_PLACEHOLDER.length);
}
