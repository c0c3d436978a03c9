/**
 * writePlanTree encodes each file into one reused buffer (src/write/write-tree.ts): every file
 * must still get exactly its UTF-8 bytes, whatever its size and wherever a multi-byte character
 * falls against the buffer's end, and a small file after a large one must not keep the large
 * one's tail.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/plan.js';
import { renderPlan } from '../../src/plan/render.js';
import { writePlanTree } from '../../src/write/write-tree.js';
import { fixtureModel } from '../support/fixtures.js';

const KB64 = 1 << 16;
const base = renderPlan(fixtureModel('seed001-multipath'), 'debian');
const planOf = (contents: string[]): Plan => ({ ...base, files: contents.map((content, i) => ({ path: `/etc/enc/f${i}`, mode: 0o644, content, config: true })) });

// 'é' is 2 bytes, '—' 3, '😀' 4: each is placed so that it ends on, or crosses, the 64 KiB mark
const around = (ch: string, shift: number): string => `${'a'.repeat(KB64 - Buffer.byteLength(ch) + shift)}${ch}tail\n`;

describe('writePlanTree writes the UTF-8 bytes of every file', () => {
  it('files around and far past the reused buffer\'s size, then small ones again', () => {
    const contents = [
      'small — first\n',
      ...['é', '—', '😀'].flatMap((ch) => [-4, -3, -2, -1, 0, 1, 2, 3].map((s) => around(ch, s))),
      '😀'.repeat(100_000),
      'x\n',
      '',
      'é'.repeat(3),
    ];
    const plan = planOf(contents);
    const out = join(mkdtempSync(join(tmpdir(), 'mpgen-enc-')), 'tree');
    const r = writePlanTree(plan, out);
    contents.forEach((c, i) => {
      const want = Buffer.from(c, 'utf8');
      expect(readFileSync(join(out, `etc/enc/f${i}`)).equals(want), `file ${i}`).toBe(true);
      expect(r.written[i]!.bytes, `file ${i}`).toBe(want.length);
    });
  });
});
