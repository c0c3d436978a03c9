#!/usr/bin/env node
// Runs the bundled CLI (dist/mpgen.mjs, built by `npm run build`, which `npm ci` runs via prepare).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bundled = join(here, '..', 'dist', 'mpgen.mjs');
if (!existsSync(bundled)) {
  process.stderr.write('mpgen: dist/mpgen.mjs is missing; run `npm run build` (npm ci runs it for you)\n');
  process.exit(2);
}
const { run } = await import(bundled);
process.exitCode = await run(process.argv.slice(2));
