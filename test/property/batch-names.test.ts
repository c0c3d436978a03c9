/**
 * Property: file names as batch input. Whatever the profiles of a batch directory are called
 * (any bytes a Linux file name may hold: control characters, "-x", "..", glob characters,
 * 255 bytes), `render --batch DIR --name-by stem` writes only direct children of -o named by
 * the strict pattern, fails the other profiles with a message, touches nothing beside -o, and
 * prints a summary without a control character.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../../src/batch/run-batch.js';
import { expandBatchSources } from '../../src/batch/sources.js';
import { formatBatchSummary } from '../../src/batch/summary.js';
import { fixturePath } from '../support/fixtures.js';
import { SEED } from './profile-text.js';

/** Batches per CI run; scripts/property-long.mjs raises it through MPGEN_BATCH_NAME_RUNS. */
const RUNS = Number(process.env.MPGEN_BATCH_NAME_RUNS ?? 60);

/** A stem: any characters but "/" and NUL, biased towards the awkward ones; the file name stays within 255 bytes. */
const awkward = fc.constantFrom('.', '..', '-', ' ', '*', '?', '[', ']', '\\', '\n', '\u001b', '\u0007', '\u009b', 'é', '\u202e', '$', '`', ';', 'a', 'Z', '0', '_', '+');
const stem = fc
  .oneof(
    fc.array(awkward, { minLength: 0, maxLength: 12 }).map((cs) => cs.join('')),
    fc.string({ unit: 'binary', minLength: 0, maxLength: 20 }),
    fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._+-]{0,30}$/),
    fc.constant('x'.repeat(250)),
  )
  .map((s) => s.replace(/[/\0]/g, '_'))
  .filter((s) => Buffer.byteLength(`${s}.yaml`) <= 255);

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe(`${RUNS} batches of generated file names`, () => {
  it('outputs are valid direct children of -o; the rest fail with a message; nothing else is touched', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mpgen-batch-names-'));
    let written = 0;
    let failed = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(stem, { minLength: 1, maxLength: 4 }), async (stems) => {
        rmSync(root, { recursive: true, force: true });
        const input = join(root, 'in');
        const out = join(root, 'work', 'out');
        mkdirSync(input, { recursive: true });
        mkdirSync(join(root, 'work', 'beside'), { recursive: true });
        for (const s of stems) copyFileSync(fixturePath('seed001-multipath'), join(input, `${s}.yaml`));
        const visible = stems.filter((s) => !`${s}.yaml`.startsWith('.')).map((s) => join(input, `${s}.yaml`));
        let files: string[] = [];
        try {
          files = expandBatchSources(input).files;
        } catch {
          expect(visible).toEqual([]); // only dotfiles: "the directory holds no *.yaml"
          return;
        }
        expect([...files].sort()).toEqual([...visible].sort());
        const summary = await runBatch({ kind: 'render', distro: 'debian', out, nameBy: 'stem', files, workers: 0 });
        const text = formatBatchSummary(summary, { verb: 'rendered', out });
        expect(text.slice(0, -1)).not.toMatch(CONTROL);
        const valid = files.map((f) => f.slice(input.length + 1, -'.yaml'.length)).filter((s) => /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,127}$/.test(s));
        expect(readdirSync(out).sort()).toEqual([...valid].sort());
        expect(summary.ok).toBe(valid.length);
        for (const f of summary.failures) expect(f.message, f.file).toMatch(/cannot name an output directory/);
        expect(readdirSync(join(root, 'work')).sort()).toEqual(['beside', 'out']);
        expect(readdirSync(join(root, 'work', 'beside'))).toEqual([]);
        written += summary.ok;
        failed += summary.failures.length;
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // not degenerate: both kinds of names came up
    expect(written).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
  });
});
