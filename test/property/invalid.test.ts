/**
 * Property: every generated invalid profile (one known mutation of a valid one:
 * wrong types, bad patterns and hostile strings, out-of-range numbers, yes/no,
 * unknown keys, duplicates, overlaps, missing keys, uplink counts, bond/mode
 * mismatches, YAML duplicate keys and tabs; and issue 14's classes: gateways
 * the kernel refuses or that can never work, host addresses that are not
 * unicast hosts, one address on two uplinks, the bond on the lan or on an
 * uplink's address or gateway, probes answered locally or never, bad MACs) is
 * refused with a located error that names the mutated key path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/profile/diagnostics.js';
import { parseProfile } from '../../src/profile/load.js';
import { invalidProfile, MUTATION_KINDS } from './arbitraries.js';
import { mutatedText, SEED } from './profile-text.js';

/** Per CI run; scripts/property-long.mjs raises it through MPGEN_PROPERTY_RUNS. */
export const INVALID_RUNS = Number(process.env.MPGEN_PROPERTY_RUNS ?? 2000);

describe(`${INVALID_RUNS} generated invalid profiles are refused, located and explained`, () => {
  it('no profile comes back; an error at line >= 1, col >= 1 names the mutated key path', () => {
    const kinds = new Map<string, number>();
    let runs = 0;
    fc.assert(
      fc.property(invalidProfile, (m) => {
        runs++;
        kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
        const text = mutatedText(m);
        const lines = text.split('\n').length;
        const r = parseProfile(text, 'bad.yaml');
        const errors = r.diagnostics.filter((d) => d.severity === 'error');
        const problems: string[] = [];
        if (r.profile !== undefined) problems.push('the profile was accepted');
        if (errors.length === 0) problems.push('no error');
        for (const d of errors) {
          if (!(d.line >= 1 && d.line <= lines && d.col >= 1)) problems.push(`bad location ${d.line}:${d.col}`);
          if (!formatDiagnostic(d).startsWith(`bad.yaml:${d.line}:${d.col}: ${d.path ? `${d.path}: ` : ''}`)) problems.push(`bad format: ${formatDiagnostic(d)}`);
          if (d.message.trim() === '') problems.push('empty message');
        }
        const hit = errors.find((d) => d.path === m.path && (m.path !== '' || d.message.startsWith('YAML:')));
        if (!hit) problems.push(`no error at "${m.path}"; got ${errors.map((d) => `${d.path}: ${d.message}`).join(' | ')}`);
        expect(problems, `${m.kind}\n${text}`).toEqual([]);
      }),
      { seed: SEED, numRuns: INVALID_RUNS, endOnFailure: true },
    );
    expect(runs).toBe(INVALID_RUNS);
    for (const k of MUTATION_KINDS) expect(kinds.get(k) ?? 0, k).toBeGreaterThan(INVALID_RUNS / MUTATION_KINDS.length / 3);
  });
});
