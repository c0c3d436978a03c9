#!/usr/bin/env node
// Runs the property tests with far more generated profiles than CI does:
//   node scripts/property-long.mjs --runs 100000 [--kills 300] [--seed N]
// Same generators and assertions as test/property/{valid,invalid}.test.ts, the two
// differential tests of the fast profile reading (test/profile/fast-{yaml,locate}.test.ts),
// and the batch side: --kills SIGKILLs during render --batch (batch-kills.test.ts) and as many
// batches of generated file names (batch-names.test.ts);
// the seed defaults to a new one each time, printed so a failure can be replayed.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const runs = Number(opt('--runs', '100000'));
const kills = Number(opt('--kills', '300'));
const seed = Number(opt('--seed', String(Math.floor(Math.random() * 2 ** 31))));
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(kills) || kills < 1) {
  process.stderr.write('usage: node scripts/property-long.mjs --runs N [--kills K] [--seed S]\n');
  process.exit(2);
}
process.stderr.write(`property-long: ${runs} valid and ${runs} invalid profiles per test, ${kills} kills and batches of file names, seed ${seed}\n`);
const r = spawnSync('npx', ['vitest', 'run', 'test/property/valid.test.ts', 'test/property/invalid.test.ts', 'test/profile/fast-yaml.test.ts', 'test/profile/fast-locate.test.ts', 'test/property/batch-kills.test.ts', 'test/property/batch-names.test.ts', '--testTimeout', '0'], {
  stdio: 'inherit',
  env: { ...process.env, MPGEN_PROPERTY_RUNS: String(runs), MPGEN_PROPERTY_SEED: String(seed), MPGEN_KILL_RUNS: String(kills), MPGEN_BATCH_NAME_RUNS: String(kills) },
});
process.exit(r.status ?? 1);
