/** writePlanTree writes each file's UTF-8 bytes and reports their count, not the string's length. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/plan.js';
import { renderPlan } from '../../src/plan/render.js';
import { writePlanTree } from '../../src/write/write-tree.js';
import { fixtureModel } from '../support/fixtures.js';

const base = renderPlan(fixtureModel('seed001-multipath'), 'debian');

describe('writePlanTree writes the UTF-8 bytes of every file', () => {
  it("2-, 3- and 4-byte characters ('é', '—', '😀'), a large file, then small and empty ones", () => {
    const contents = ['small — first\n', 'é'.repeat(3), '😀'.repeat(100_000), 'x\n', ''];
    const plan: Plan = { ...base, files: contents.map((content, i) => ({ path: `/etc/enc/f${i}`, mode: 0o644, content, config: true })) };
    const out = join(mkdtempSync(join(tmpdir(), 'mpgen-enc-')), 'tree');
    const r = writePlanTree(plan, out);
    contents.forEach((c, i) => {
      const want = Buffer.from(c, 'utf8');
      expect(readFileSync(join(out, `etc/enc/f${i}`)).equals(want), `file ${i}`).toBe(true);
      expect(r.written[i]!.bytes, `file ${i}`).toBe(want.length);
    });
  });
});
