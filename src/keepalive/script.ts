/**
 * The keepalive script of a render (src/keepalive/assemble.ts puts it together).
 * The bundled CLI carries the body assembled by scripts/build.mjs; from src
 * (tests, tsx) the parts are read from src/keepalive/sh/ once.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleKeepalive, fillMarker } from './assemble.js';

declare const __MPGEN_KEEPALIVE__: string | undefined;

/** src/keepalive/sh/*.sh, by name without ".sh". */
export function readKeepaliveParts(dir = fileURLToPath(new URL('./sh/', import.meta.url))): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const e of readdirSync(dir).sort()) if (e.endsWith('.sh')) parts[e.slice(0, -3)] = readFileSync(`${dir}/${e}`, 'utf8');
  return parts;
}

let body: string | undefined;

/** The assembled script without its marker (the placeholder line still in it). */
export function keepaliveBody(): string {
  body ??= typeof __MPGEN_KEEPALIVE__ !== 'undefined' ? __MPGEN_KEEPALIVE__ : assembleKeepalive(readKeepaliveParts());
  return body;
}

/** The script for one render: marker is the comment line of marker() (src/backends/backend.ts). */
export function keepaliveScript(marker: string): string {
  return fillMarker(keepaliveBody(), marker);
}
