/**
 * Every file gets exactly its planned mode and bytes, whatever the umask: writePlanTree creates
 * each file with its mode, reads the mode back and sets it only when the umask (or a default
 * ACL) changed it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPlan } from '../../src/plan/render.js';
import { writePlanTree } from '../../src/write/write-tree.js';
import { fixtureModel } from '../support/fixtures.js';
import { missing } from '../support/require.js';

const plan = renderPlan(fixtureModel('seed003-teql'), 'fedora');
const modes = new Set(plan.files.map((f) => f.mode));

function expectExact(out: string): void {
  for (const f of plan.files) {
    const p = join(out, f.path);
    expect(statSync(p).mode & 0o7777, f.path).toBe(f.mode);
    expect(readFileSync(p, 'utf8'), f.path).toBe(f.content);
  }
}

describe('writePlanTree file modes', () => {
  it('the plan has files of modes 0644 and 0755, so each case below can fail', () => {
    expect(modes.has(0o644) && modes.has(0o755)).toBe(true);
  });

  for (const umask of [0o022, 0o077, 0o000]) {
    it(`umask ${umask.toString(8).padStart(3, '0')}: every file has its planned mode`, () => {
      const before = process.umask(umask);
      try {
        const out = join(mkdtempSync(join(tmpdir(), 'mpgen-modes-')), 'tree');
        writePlanTree(plan, out);
        expectExact(out);
      } finally {
        process.umask(before);
      }
    });
  }

  // skipIf: outside CI only, when setfacl is missing (missing() throws under CI)
  it.skipIf(missing({ commands: ['setfacl'] }))('a default ACL on the output directory does not change the modes', () => {
    const parent = mkdtempSync(join(tmpdir(), 'mpgen-acl-'));
    const acl = spawnSync('setfacl', ['-d', '-m', 'u::rwx,g::---,o::---', parent], { encoding: 'utf8' });
    expect(acl.status, acl.stderr).toBe(0);
    const out = join(parent, 'tree');
    writePlanTree(plan, out);
    expectExact(out);
  });
});
