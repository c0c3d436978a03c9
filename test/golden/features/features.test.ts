/**
 * The feature tables (routing, nat, link .cases.ts): each profile snippet, rendered for each
 * backend's representative distro, must write the named files with exactly the lines listed.
 * Where golden.test.ts shows whole trees, these show which lines a feature owns.
 */
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../../src/plan/plan.js';
import { renderPlan } from '../../../src/plan/render.js';
import { BACKEND_NAMES, REPRESENTATIVE } from '../targets.js';
import { ABSENT, type FeatureCase, type FileExpectation } from './feature-case.js';
import { featureModel } from './feature-profile.js';
import { LINK_CASES } from './link.cases.js';
import { NAT_CASES } from './nat.cases.js';
import { ROUTING_CASES } from './routing.cases.js';

const CASES: FeatureCase[] = [...ROUTING_CASES, ...NAT_CASES, ...LINK_CASES];

/**
 * Where each block (one line, or consecutive lines) starts in `lines`, each after the one
 * before; -1 from the first block not found.
 */
function findInOrder(lines: string[], blocks: string[]): number {
  let from = 0;
  for (let b = 0; b < blocks.length; b++) {
    const want = blocks[b]!.split('\n');
    let at = -1;
    for (let i = from; i + want.length <= lines.length && at < 0; i++) if (want.every((w, k) => lines[i + k] === w)) at = i;
    if (at < 0) return b;
    from = at + want.length;
  }
  return -1;
}

function check(content: string | undefined, expected: FileExpectation, where: string): void {
  if (expected === ABSENT) {
    expect(content, `${where} must not be written`).toBeUndefined();
    return;
  }
  expect(content, `${where} is not written`).toBeDefined();
  const lines = content!.split('\n');
  const blocks = Array.isArray(expected) ? expected : (expected.lines ?? []);
  const without = Array.isArray(expected) ? [] : expected.without;
  const missing = findInOrder(lines, blocks);
  expect(missing, `${where}: not found (after the blocks before it):\n${blocks[missing]}\n--- in ---\n${content}`).toBe(-1);
  for (const w of without) expect(lines, `${where} must not hold this line`).not.toContain(w);
}

describe('feature tables: a profile snippet -> the lines each backend writes', () => {
  it('every case names every backend, and a file for each', () => {
    for (const c of CASES) {
      expect(Object.keys(c.files).sort(), c.feature).toEqual([...BACKEND_NAMES].sort());
      for (const b of BACKEND_NAMES) expect(Object.keys(c.files[b]).length, `${c.feature} / ${b}`).toBeGreaterThan(0);
    }
  });

  for (const c of CASES) {
    describe(c.feature, () => {
      for (const backend of Object.keys(c.files) as BackendName[]) {
        it(`${backend} (${REPRESENTATIVE[backend]})`, () => {
          const plan = renderPlan(featureModel(c.snippet), REPRESENTATIVE[backend], backend);
          const byPath = new Map(plan.files.map((f) => [f.path, f.content]));
          for (const [path, expected] of Object.entries(c.files[backend])) check(byPath.get(path), expected, `${backend} ${path}`);
        });
      }
    });
  }
});
