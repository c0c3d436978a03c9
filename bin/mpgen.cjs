#!/usr/bin/env node
// Runs the bundled CLI (dist/mpgen.cjs, built by `npm run build`, which `npm ci` runs via prepare).
// bin/mpgen, the command npm links, starts Node on this file. CommonJS on purpose: a CommonJS
// start does not set up Node's ES module loader (docs/performance.md).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundled = join(__dirname, '..', 'dist', 'mpgen.cjs');
if (!existsSync(bundled)) {
  process.stderr.write('mpgen: dist/mpgen.cjs is missing; run `npm run build` (npm ci runs it for you)\n');
  process.exit(2);
}
require(bundled)
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
