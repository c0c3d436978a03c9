// One cold process that renders a profile for every distro and builds its .deb
// and .rpm, through the bundled CLI's run() (what `mpgen render` and `mpgen
// package` do), for bench/render.mjs. CommonJS and started like bin/mpgen starts
// the CLI (bench/render.mjs drops NODE_EXTRA_CA_CERTS as the launcher does):
//   node bench/render-all.cjs PROFILE OUTDIR DISTRO...
'use strict';
const { join } = require('node:path');

const [profile, out, ...distros] = process.argv.slice(2);
const { run } = require(join(__dirname, '..', 'dist', 'mpgen.cjs'));
process.stdout.write = process.stderr.write = () => true;
(async () => {
  let failed = 0;
  for (const d of distros) if ((await run(['render', '--distro', d, '-p', profile, '-o', `${out}/${d}`])) !== 0) failed++;
  if ((await run(['package', '--distro', 'debian', '--format', 'deb', '-p', profile, '-o', `${out}/pkg`])) !== 0) failed++;
  if ((await run(['package', '--distro', 'rocky', '--format', 'rpm', '-p', profile, '-o', `${out}/pkg`])) !== 0) failed++;
  process.exitCode = failed ? 1 : 0;
})();
