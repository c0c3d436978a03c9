/**
 * Property: every generated valid profile (teql, multipath, equalize; 2..32
 * uplinks; optional keys) validates, normalizes and renders for every distro
 * and every alternate backend, and the plans are well-formed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadModelFromText } from '../../src/model/load.js';
import { renderPlan } from '../../src/plan/render.js';
import { parseProfile } from '../../src/profile/load.js';
import { safeJoin } from '../../src/write/write-tree.js';
import { GOLDEN_TARGETS } from '../golden/targets.js';
import { validProfile } from './arbitraries.js';
import { profileText, SEED } from './profile-text.js';

/** Per CI run; scripts/property-long.mjs raises it through MPGEN_PROPERTY_RUNS. */
export const VALID_RUNS = Number(process.env.MPGEN_PROPERTY_RUNS ?? 2000);

describe(`${VALID_RUNS} generated valid profiles render for every distro and backend`, () => {
  it('validate, normalize, render: no error, well-formed plans, free text only in comments', () => {
    const seen = { runs: 0, teql: 0, multipath: 0, equalize: 0, minUplinks: 99, maxUplinks: 0, plans: 0, withDescription: 0, mpUplink: 0 };
    fc.assert(
      fc.property(validProfile, ({ mode, profile }) => {
        seen.runs++;
        seen[mode]++;
        const n = (profile.uplinks as unknown[]).length;
        seen.minUplinks = Math.min(seen.minUplinks, n);
        seen.maxUplinks = Math.max(seen.maxUplinks, n);
        const text = profileText(profile);
        const parsed = parseProfile(text, 'gen.yaml');
        const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
        expect(errors, text).toEqual([]);
        const { model } = loadModelFromText(text, 'gen.yaml');
        expect(model.uplinks.length).toBe(n);
        if (model.uplinks.some((u) => u.name === 'mp')) seen.mpUplink++;
        const desc = typeof profile.description === 'string' && /[$`;|&<>]/.test(profile.description) && profile.description.trim().length >= 3 ? profile.description : undefined;
        if (desc) seen.withDescription++;
        // plain checks, one assertion per profile: hundreds of thousands of expect() calls would dominate the run
        const problems: string[] = [];
        // A short description can be a piece of any script (": $" is in `log "...: $*"`), so a line
        // counts only if rendering with another description does not give it too.
        const control = desc ? { ...model, description: 'control description' } : undefined;
        for (const t of GOLDEN_TARGETS) {
          const plan = renderPlan(model, t.distro, t.backend);
          const controlLines = control ? new Set(renderPlan(control, t.distro, t.backend).files.flatMap((f) => f.content.split('\n'))) : undefined;
          seen.plans++;
          if (plan.files.length === 0) problems.push(`${t.dir}: no files`);
          const paths = plan.files.map((f) => f.path);
          if (new Set(paths).size !== paths.length) problems.push(`${t.dir}: duplicate paths`);
          if (paths.some((x, k) => k > 0 && paths[k - 1]! >= x)) problems.push(`${t.dir}: paths not sorted`);
          // rt_tables.d: one name per table and one table per name (issue 14: an uplink named mp)
          const rt = plan.files.find((f) => f.path === '/etc/iproute2/rt_tables.d/mpgen.conf');
          const entries = (rt?.content ?? '').split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split('\t'));
          if (new Set(entries.map(([, name]) => name)).size !== entries.length) problems.push(`${t.dir}: a table name twice in rt_tables.d`);
          if (new Set(entries.map(([id]) => id)).size !== entries.length) problems.push(`${t.dir}: a table id twice in rt_tables.d`);
          for (const f of plan.files) {
            try {
              safeJoin('/out', f.path);
            } catch (e) {
              problems.push(`${t.dir}: ${(e as Error).message}`);
            }
            const hole = /\bundefined\b|\[object Object\]|\bNaN\b/.exec(f.content);
            if (hole) problems.push(`${t.dir}${f.path}: "${hole[0]}" in the output`);
            if (desc && f.content.startsWith('#!'))
              for (const line of f.content.split('\n'))
                if (line.includes(desc) && !line.trimStart().startsWith('#') && !controlLines!.has(line)) problems.push(`${t.dir}${f.path}: description outside a comment: ${line}`);
          }
        }
        expect(problems, text).toEqual([]);
      }),
      { seed: SEED, numRuns: VALID_RUNS, endOnFailure: true },
    );
    expect(seen.runs).toBe(VALID_RUNS);
    expect(seen.plans).toBe(VALID_RUNS * GOLDEN_TARGETS.length);
    // the generator is not degenerate: every mode, both ends of the uplink range, free text
    for (const m of ['teql', 'multipath', 'equalize'] as const) expect(seen[m], m).toBeGreaterThan(VALID_RUNS / 6);
    expect(seen.minUplinks).toBe(2);
    expect(seen.maxUplinks).toBeGreaterThanOrEqual(30);
    expect(seen.withDescription).toBeGreaterThan(50);
    expect(seen.mpUplink).toBeGreaterThan(VALID_RUNS / 20);
  });
});
