/**
 * The expensive checks, on a sample of the generated profiles: real consumers
 * (shellcheck, dash -n, netplan generate, ifup --no-act) on the output of 20
 * valid profiles, and the built CLI on 20 invalid ones (exit 1, no stack
 * trace, the previous output left as it was, no partial directory).
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFromText } from '../../src/model/load.js';
import { renderPlan } from '../../src/plan/render.js';
import { GOLDEN_TARGETS } from '../golden/targets.js';
import { mpgen } from '../support/cli.js';
import { missing } from '../support/require.js';
import { invalidProfile, validProfile } from './arbitraries.js';
import { checkIfupdown, checkNetplan, checkScripts, type Labelled } from './consumers.js';
import { mutatedText, profileText, SEED } from './profile-text.js';

const SAMPLE = 20;
const why = missing({ commands: ['shellcheck', 'dash', 'bash', 'netplan', 'ifup'] });

// Skipped only outside CI, when missing() (test/support/require.ts) finds a tool or root absent; it prints why.
// Under CI=true missing() throws instead, and .ci/run also fails on any skipped test.
describe.skipIf(why)(`real consumers accept the output of ${SAMPLE} generated profiles`, () => {
  const sample = fc.sample(validProfile, { seed: SEED + 1, numRuns: SAMPLE });
  const plans = sample.map(({ profile }, k) => {
    const { model } = loadModelFromText(profileText(profile), `gen${k}.yaml`);
    return GOLDEN_TARGETS.map((t) => ({ where: `gen${k}/${t.dir}`, plan: renderPlan(model, t.distro, t.backend) }));
  });

  it('the sample spans the modes', () => {
    expect(new Set(sample.map((s) => s.mode))).toEqual(new Set(['teql', 'multipath', 'equalize']));
  });

  it('shellcheck and dash/bash -n accept every script', () => {
    const files: Labelled[] = plans.flat().flatMap(({ where, plan }) => plan.files.map((file) => ({ where: `${where}${file.path}`, file })));
    const { checked, problems } = checkScripts(files);
    expect(checked).toBeGreaterThan(SAMPLE);
    expect(problems).toEqual([]);
  });

  it('netplan generate --root-dir accepts every netplan file', () => {
    const targets = plans.flat().filter(({ plan }) => plan.backend === 'netplan');
    expect(targets.length).toBeGreaterThanOrEqual(SAMPLE);
    expect(targets.flatMap(({ where, plan }) => checkNetplan(where, plan.files))).toEqual([]);
  });

  it('ifup --no-act accepts every interfaces file', () => {
    const files = plans.flat().flatMap(({ where, plan }) => plan.files.filter((f) => f.path.startsWith('/etc/network/interfaces.d/')).map((file) => ({ where, file })));
    expect(files.length).toBeGreaterThanOrEqual(SAMPLE);
    expect(files.flatMap(({ where, file }) => checkIfupdown(where, file))).toEqual([]);
  });
});

describe(`the built CLI refuses ${SAMPLE} generated invalid profiles cleanly`, () => {
  const sample = fc.sample(invalidProfile, { seed: SEED + 2, numRuns: SAMPLE });
  const dir = mkdtempSync(join(tmpdir(), 'mpgen-prop-cli-'));
  it.each(sample.map((m, k) => [k, m.kind, m.path] as const))('invalid %i (%s at "%s"): exit 1, located, nothing written', (k) => {
    const m = sample[k]!;
    const file = join(dir, `bad${k}.yaml`);
    writeFileSync(file, mutatedText(m));
    const parent = join(dir, `out${k}`);
    const out = join(parent, 'tree');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'previous.txt'), 'previous render');
    const fresh = join(parent, 'fresh');
    for (const target of [out, fresh]) {
      const r = mpgen(['render', '--distro', k % 2 ? 'ubuntu' : 'rocky', '-p', file, '-o', target]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:[1-9]\\d*:[1-9]\\d*: `, 'm'));
      if (m.path) expect(r.stderr).toContain(`: ${m.path}: `);
      expect(r.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
      expect(r.stderr).not.toContain('internal error');
    }
    expect(readdirSync(out)).toEqual(['previous.txt']);
    expect(readFileSync(join(out, 'previous.txt'), 'utf8')).toBe('previous render');
    expect(readdirSync(parent)).toEqual(['tree']);
  });
});
