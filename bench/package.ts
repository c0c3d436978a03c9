/**
 * Time to build a bundle, a .deb and an .rpm from real rendered plans (median
 * of N runs), against `dpkg-deb --build` of the same tree measured in the same
 * run. Run: node_modules/.bin/tsx bench/package.ts [N]
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadModelFromFile } from '../src/model/load.js';
import { buildBundle } from '../src/pack/bundle.js';
import { buildDeb } from '../src/pack/deb.js';
import { buildRpm } from '../src/pack/rpm.js';
import { renderPlan } from '../src/plan/render.js';

const N = Number(process.argv[2] ?? 30);
const fixtures = join(import.meta.dirname, '../test/fixtures');

function median(f: () => void): number {
  const t: number[] = [];
  for (let i = 0; i < N; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

const ms = (x: number): string => `${x.toFixed(2).padStart(7)} ms`;
process.stdout.write(`median of ${N} runs; reference: dpkg-deb --build -Zgzip -z9 of the same data tree\n`);
for (const file of readdirSync(fixtures).filter((f) => f.endsWith('.yaml')).sort()) {
  const model = loadModelFromFile(join(fixtures, file));
  const debPlan = renderPlan(model, 'debian');
  const rpmPlan = renderPlan(model, 'rocky', 'nm');
  const env = {};
  const tBundle = median(() => buildBundle(debPlan, model.package, { env }));
  const tDeb = median(() => buildDeb(debPlan, model.package, { env }));
  const tRpm = median(() => buildRpm(rpmPlan, model.package, { env }));

  // the same tree, built by dpkg-deb (control + files), as the yardstick
  const dir = mkdtempSync(join(tmpdir(), 'mpgen-bench-'));
  mkdirSync(join(dir, 'tree/DEBIAN'), { recursive: true });
  writeFileSync(join(dir, 'tree/DEBIAN/control'), `Package: ${model.package.name}\nVersion: ${model.package.version}-1\nArchitecture: all\nMaintainer: bench <bench@example.com>\nDescription: bench\n bench\n`);
  for (const f of debPlan.files) {
    mkdirSync(dirname(join(dir, 'tree', f.path)), { recursive: true });
    writeFileSync(join(dir, 'tree', f.path), f.content);
    chmodSync(join(dir, 'tree', f.path), f.mode);
  }
  let tRef = NaN;
  try {
    tRef = median(() => execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z9', '--build', join(dir, 'tree'), join(dir, 'ref.deb')], { stdio: 'ignore' }));
  } catch {
    process.stdout.write('dpkg-deb not available: no reference\n');
  }
  const files = debPlan.files.length;
  process.stdout.write(
    `${file.padEnd(24)} ${String(files).padStart(2)} files  bundle ${ms(tBundle)}  deb ${ms(tDeb)}  rpm ${ms(tRpm)}  dpkg-deb ${ms(tRef)}  deb/dpkg-deb ${(tDeb / tRef).toFixed(3)}\n`,
  );
}
