#!/usr/bin/env node
// Speed and scale of mpgen against netplan's generator, measured in one run on
// this machine. Prints figures; asserts nothing (benchmarks are not tests).
//   npm run build && node bench/render.mjs [--runs 25] [--count 10000]
// (a) cold `mpgen render --distro ubuntu` of test/fixtures/seed003-teql.yaml vs
//     `netplan generate --root-dir` on the netplan YAML mpgen renders for it:
//     ratio of medians (target <= 0.8);
// (b) one cold process rendering every distro plus a .deb and an .rpm of that
//     profile (bench/render-all.cjs), vs the same reference (target <= 1.0);
// (c) batch throughput over generated profiles (bench/render-profiles.mjs):
//     `render --batch` for one distro and `package --batch --format deb`,
//     profiles/s (targets >= 1,000/s and >= 300/s) and peak RSS at 1k, 5k, 10k.
// The two commands in (a) and (b) run interleaved, so machine noise hits both.
// mpgen runs as users run it: the `mpgen` command, bin/mpgen (which starts Node
// without NODE_EXTRA_CA_CERTS; the first lines print what that variable costs).
// Nothing is deleted until the end: on an ext4 without a journal (this VM's disk)
// every new inode is slower while many inodes were freed in the last minute or so.
//   --tmp DIR   where outputs go (default: the OS temp dir); its file system is printed
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeProfiles } from './render-profiles.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'bin', 'mpgen');
const FIXTURE = join(REPO, 'test', 'fixtures', 'seed003-teql.yaml');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const RUNS = opt('--runs', 25);
const COUNT = opt('--count', 10_000);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const BASE = args.includes('--tmp') ? args[args.indexOf('--tmp') + 1] : tmpdir();

const tmp = mkdtempSync(join(BASE, 'mpgen-bench-'));
/** the environment bin/mpgen gives Node: for the bench harness of (b), which is started directly */
const launcherEnv = { ...process.env };
delete launcherEnv.NODE_EXTRA_CA_CERTS;
const sh = (cmd, argv, opts = {}) => {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: REPO, ...opts });
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r;
};
const wallMs = (cmd, argv, opts) => {
  const t = process.hrtime.bigint();
  sh(cmd, argv, opts);
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/**
 * Runs both commands RUNS times, interleaved, after two warm-up runs each; returns their medians.
 * `beforeA` runs untimed before every run of `a` (e.g. choosing a new output directory).
 */
function compare(a, b, beforeA = () => {}) {
  for (let k = 0; k < 2; k++) {
    beforeA();
    wallMs(...a);
    wallMs(...b);
  }
  const ta = [];
  const tb = [];
  for (let k = 0; k < RUNS; k++) {
    beforeA();
    ta.push(wallMs(...a));
    tb.push(wallMs(...b));
  }
  return [median(ta), median(tb)];
}
const fmt = (ms) => `${ms.toFixed(1)} ms`;

if (!existsSync(join(REPO, 'dist', 'mpgen.cjs'))) throw new Error('dist/mpgen.cjs is missing: npm run build');
console.log(`mpgen bench on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${RUNS} runs per command (medians)`);
console.log(`outputs under ${tmp} (${sh('stat', ['-f', '-c', '%T', tmp]).stdout.trim()})`);

// What Node itself costs to start, with NODE_EXTRA_CA_CERTS as this environment sets it and
// without it (what bin/mpgen does): Node 20 parses that bundle before any JavaScript runs.
{
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  const [asSet, dropped] = compare([process.execPath, ['-e', '0']], [process.execPath, ['-e', '0'], { env: launcherEnv }]);
  console.log(`\nnode -e 0: ${fmt(asSet)} with NODE_EXTRA_CA_CERTS=${extra ?? '(unset)'}, ${fmt(dropped)} without it`);
}

// The reference: netplan generate on exactly the YAML mpgen renders for the fixture.
const ref = join(tmp, 'netplan-root');
const rendered = join(tmp, 'rendered');
sh(BIN, ['render', '--distro', 'ubuntu', '-p', FIXTURE, '-o', rendered]);
mkdirSync(join(ref, 'etc', 'netplan'), { recursive: true });
for (const f of readdirSync(join(rendered, 'etc', 'netplan'))) sh('install', ['-m', '600', join(rendered, 'etc', 'netplan', f), join(ref, 'etc', 'netplan', f)]);
const netplan = ['netplan', ['generate', '--root-dir', ref]];

// (a)
const [mp, np] = compare([BIN, ['render', '--distro', 'ubuntu', '-p', FIXTURE, '-o', join(tmp, 'a')]], netplan);
console.log(`\n(a) cold render, ubuntu, seed003-teql`);
console.log(`    mpgen render --distro ubuntu     ${fmt(mp)}`);
console.log(`    netplan generate --root-dir      ${fmt(np)}`);
console.log(`    ratio mpgen/netplan              ${(mp / np).toFixed(2)}   (target <= 0.8)`);
console.log(`    (the same -o every run, as netplan regenerates the same root: mpgen finds the tree already holds the plan and leaves it)`);

// (a') the same, into a directory that does not exist yet: every file written, nothing skipped
// (a new directory name each run: nothing is deleted, see above)
let freshRun = 0;
const fresh = ['render', '--distro', 'ubuntu', '-p', FIXTURE, '-o', join(tmp, 'a-fresh-0')];
const [mf, nf] = compare([BIN, fresh], netplan, () => (fresh[fresh.length - 1] = join(tmp, `a-fresh-${++freshRun}`)));
console.log(`\n(a') cold render into a new directory (no unchanged tree to skip)`);
console.log(`    mpgen render --distro ubuntu     ${fmt(mf)}`);
console.log(`    netplan generate --root-dir      ${fmt(nf)}`);
console.log(`    ratio mpgen/netplan              ${(mf / nf).toFixed(2)}   (target <= 0.8)`);

// (b)
const distros = JSON.parse(sh(BIN, ['distros', '--json']).stdout).map((d) => d.name);
const [all, np2] = compare([process.execPath, [join(REPO, 'bench', 'render-all.cjs'), FIXTURE, join(tmp, 'b'), ...distros], { env: launcherEnv }], netplan);
console.log(`\n(b) one cold process: ${distros.length} distros + .deb + .rpm, seed003-teql`);
console.log(`    mpgen (bench/render-all.cjs)     ${fmt(all)}`);
console.log(`    netplan generate --root-dir      ${fmt(np2)}`);
console.log(`    ratio mpgen/netplan              ${(all / np2).toFixed(2)}   (target <= 1.0)`);

// (c)
const inp = join(tmp, 'profiles');
writeProfiles(inp, COUNT);
const sizes = [1000, 5000, 10_000].filter((n) => n <= COUNT);
// p00000..p00999 and p00000..p04999 of the generated files
const pattern = (n) => (n === COUNT ? inp : join(inp, { 1000: 'p00*.yaml', 5000: 'p0[0-4]*.yaml' }[n]));
function batch(kind, n) {
  const out = join(tmp, `c-${kind}-${n}`);
  const argv = kind === 'render' ? ['render', '--batch', pattern(n), '--distro', 'debian', '-o', out] : ['package', '--batch', pattern(n), '--distro', 'debian', '--format', 'deb', '-o', out];
  const t = process.hrtime.bigint();
  const r = TIME ? sh(TIME, ['-f', '%M', BIN, ...argv], { maxBuffer: 1 << 28 }) : sh(BIN, argv, { maxBuffer: 1 << 28 });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  const written = readdirSync(out).filter((e) => !e.startsWith('.')).length;
  if (written !== n) throw new Error(`${kind} batch of ${n}: ${written} outputs`);
  const rssKb = TIME ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  return { rate: n / s, rssMb: rssKb / 1024, s };
}
console.log(`\n(c) batch over generated profiles (teql/multipath/equalize, 2-6 uplinks), distro debian`);
for (const kind of ['render', 'package']) {
  const label = kind === 'render' ? 'render --batch' : 'package --batch --format deb';
  for (const n of sizes) {
    const { rate, rssMb, s } = batch(kind, n);
    console.log(`    ${label.padEnd(30)} ${String(n).padStart(6)} profiles  ${s.toFixed(2).padStart(6)} s  ${rate.toFixed(0).padStart(5)} profiles/s  peak RSS ${Number.isNaN(rssMb) ? 'n/a' : `${rssMb.toFixed(0)} MB`}`);
  }
}
console.log(`    targets: render >= 1000 profiles/s, render+deb >= 300 profiles/s; RSS bounded`);
rmSync(tmp, { recursive: true, force: true });
