// One cold process that renders a profile for every distro and builds its .deb
// and .rpm, through the bundled CLI's run() (what `mpgen render` and `mpgen
// package` do), for bench/render.mjs:
//   node bench/render-all.mjs PROFILE OUTDIR DISTRO...
import { fileURLToPath } from 'node:url';

const [profile, out, ...distros] = process.argv.slice(2);
const { run } = await import(fileURLToPath(new URL('../dist/mpgen.mjs', import.meta.url)));
process.stdout.write = process.stderr.write = () => true;
let failed = 0;
for (const d of distros) if ((await run(['render', '--distro', d, '-p', profile, '-o', `${out}/${d}`])) !== 0) failed++;
if ((await run(['package', '--distro', 'debian', '--format', 'deb', '-p', profile, '-o', `${out}/pkg`])) !== 0) failed++;
if ((await run(['package', '--distro', 'rocky', '--format', 'rpm', '-p', profile, '-o', `${out}/pkg`])) !== 0) failed++;
process.exitCode = failed ? 1 : 0;
