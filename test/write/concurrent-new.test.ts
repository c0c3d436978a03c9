/**
 * Two renders into one new -o: the loser's last rename finds -o already there (ENOTEMPTY).
 * The race is made certain here: the other render's tree appears just before that rename.
 */
import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

let beforeSwap: ((to: string) => void) | undefined;
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  return {
    ...real,
    renameSync: (from: fs.PathLike, to: fs.PathLike) => {
      if (String(from).includes('.mpgen-new-') && beforeSwap) {
        const hook = beforeSwap;
        beforeSwap = undefined;
        hook(String(to));
      }
      return real.renameSync(from, to);
    },
  };
});

const { renderPlan } = await import('../../src/plan/render.js');
const { OutputPathError, writePlanTree } = await import('../../src/write/write-tree.js');
const { fixtureModel } = await import('../support/fixtures.js');

describe('the losing one of two concurrent renders into a new -o', () => {
  it('gets a one-line OutputPathError (ENOTEMPTY), writes nothing, and the winner\'s tree stays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpgen-concurrent-'));
    const out = join(dir, 'new');
    const winner = renderPlan(fixtureModel('seed003-teql'), 'debian');
    const loser = renderPlan(fixtureModel('seed001-multipath'), 'debian');
    beforeSwap = (to) => writePlanTree(winner, to);
    let err: unknown;
    try {
      writePlanTree(loser, out);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OutputPathError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toBe(
      `cannot write ${out}: it appeared while mpgen was writing it, probably from another render into the same -o (ENOTEMPTY); this render wrote nothing. Run it again, one render at a time`,
    );
    expect(readdirSync(dir)).toEqual(['new']);
    expect(readFileSync(join(out, '.mpgen-tree'), 'utf8').split('\n')[0]).toBe(`${winner.name} debian ${winner.backend}`);
  });
});
