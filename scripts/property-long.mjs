#!/usr/bin/env node
// Runs the property tests with far more generated profiles than CI does:
//   node scripts/property-long.mjs --runs 100000 [--seed N]
// Same generators and assertions as test/property/{valid,invalid}.test.ts, and the two
// differential tests of the fast profile reading (test/profile/fast-{yaml,locate}.test.ts);
// the seed defaults to a new one each time, printed so a failure can be replayed.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const runs = Number(opt('--runs', '100000'));
const seed = Number(opt('--seed', String(Math.floor(Math.random() * 2 ** 31))));
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('usage: node scripts/property-long.mjs --runs N [--seed S]\n');
  process.exit(2);
}
process.stderr.write(`property-long: ${runs} valid and ${runs} invalid profiles per test, seed ${seed}\n`);
const r = spawnSync('npx', ['vitest', 'run', 'test/property/valid.test.ts', 'test/property/invalid.test.ts', 'test/profile/fast-yaml.test.ts', 'test/profile/fast-locate.test.ts', '--testTimeout', '0'], {
  stdio: 'inherit',
  env: { ...process.env, MPGEN_PROPERTY_RUNS: String(runs), MPGEN_PROPERTY_SEED: String(seed) },
});
process.exit(r.status ?? 1);
