/**
 * L0 for the distros that are not their backend's representative (targets.ts): each renders,
 * for every fixture, exactly the representative's tree, or the files that differ (a newer
 * systemd's key, another path) are stored under distros/<fixture>/<backend>/<distro>/: only
 * those files, their MODES, and ABSENT listing the representative's files this distro does not
 * have. No directory there means "byte-identical to the representative".
 * Regenerated only on purpose: npm run golden:update (MPGEN_UPDATE_GOLDEN=1), then review the diff.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getDistro } from '../../src/distros/registry.js';
import type { BackendName, PlannedFile } from '../../src/plan/plan.js';
import { renderPlan } from '../../src/plan/render.js';
import { FIXTURES, fixtureModel, type FixtureName } from '../support/fixtures.js';
import { listTree, modesOf, pruneOrRefuse, readStored, strayEntries, UPDATE, UPDATE_HINT, writeTree } from './golden-store.js';
import { BACKEND_NAMES, othersOf, REPRESENTATIVE } from './targets.js';

const ROOT = fileURLToPath(new URL('./distros/', import.meta.url));

/** the distro's files that the representative does not have byte for byte and mode for mode, and the representative's files it lacks */
function differences(fixture: FixtureName, backend: BackendName, distro: string): { changed: PlannedFile[]; absent: string[] } {
  const model = fixtureModel(fixture);
  const rep = new Map(renderPlan(model, REPRESENTATIVE[backend], backend).files.map((f) => [f.path, f]));
  const mine = renderPlan(model, distro, backend).files;
  const changed = mine.filter((f) => rep.get(f.path)?.content !== f.content || rep.get(f.path)?.mode !== f.mode);
  const paths = new Set(mine.map((f) => f.path));
  return { changed, absent: [...rep.keys()].filter((p) => !paths.has(p)) };
}

const PAIRS = BACKEND_NAMES.flatMap((backend) => othersOf(backend).map((distro) => ({ backend, distro })));

describe('distros that share a backend render the same tree, or store exactly their differences', () => {
  it('each representative offers its backend, and there are other distros to compare', () => {
    for (const b of BACKEND_NAMES) expect(getDistro(REPRESENTATIVE[b]).backends, b).toContain(b);
    expect(PAIRS.length).toBeGreaterThan(0);
  });

  for (const fixture of FIXTURES) {
    for (const { backend, distro } of PAIRS) {
      it(`${fixture} / ${backend}: ${distro} against ${REPRESENTATIVE[backend]}`, () => {
        const { changed, absent } = differences(fixture, backend, distro);
        const dir = join(ROOT, fixture, backend, distro);
        const same = changed.length === 0 && absent.length === 0;
        if (UPDATE) {
          if (same) rmSync(dir, { recursive: true, force: true });
          else writeTree(dir, changed, changed, absent);
        }
        if (same) {
          expect(existsSync(dir), `${dir} stores differences, but ${distro} renders what ${REPRESENTATIVE[backend]} renders; ${UPDATE_HINT}`).toBe(false);
          return;
        }
        expect(existsSync(dir), `${distro} differs from ${REPRESENTATIVE[backend]} in ${[...changed.map((f) => f.path), ...absent].join(', ')}, and ${dir} does not exist; ${UPDATE_HINT}`).toBe(true);
        expect(changed.map((f) => f.path).sort()).toEqual(listTree(dir));
        for (const f of changed) expect(f.content, f.path).toBe(readStored(dir, f.path));
        expect(modesOf(changed)).toBe(readStored(dir, 'MODES'));
        const stored = existsSync(join(dir, 'ABSENT')) ? readFileSync(join(dir, 'ABSENT'), 'utf8').split('\n').filter(Boolean) : [];
        expect(absent).toEqual(stored);
      });
    }
  }

  it('distros/ holds a directory only for a distro that differs', () => {
    const expected = new Set<string>();
    for (const fixture of FIXTURES)
      for (const { backend, distro } of PAIRS) {
        const d = differences(fixture, backend, distro);
        if (d.changed.length > 0 || d.absent.length > 0) expected.add(`${fixture}/${backend}/${distro}`);
      }
    expect(pruneOrRefuse(ROOT, strayEntries(ROOT, 3, expected)), `stale golden files under ${ROOT}; ${UPDATE_HINT}`).toEqual([]);
  });
});
