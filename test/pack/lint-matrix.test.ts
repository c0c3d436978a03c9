/**
 * lintian and rpmlint over every seed fixture with every firewall choice: the
 * firewall decides which files ship (the .nft file, the iptables rules, the
 * firewall helper and unit, or none of them), so one fixture is not enough.
 * Also the package names rpmlint reads as a language code (branch-six).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/model/model.js';
import { buildDeb } from '../../src/pack/deb.js';
import { buildRpm } from '../../src/pack/rpm.js';
import { rpmlintrc } from '../../src/pack/rpmlint.js';
import { renderPlan } from '../../src/plan/render.js';
import { FIXTURES, fixtureModel } from '../support/fixtures.js';
import { missing } from '../support/require.js';
import { shapeModel } from '../property/package-shapes.js';
import { runAll, tempDir } from './roots.js';

const FIREWALLS = ['nftables', 'iptables', 'none'] as const;
const why = missing({ commands: ['lintian', 'rpmlint'] });
const withMaintainer = (m: Model): Model => ({ ...m, package: { ...m.package, maintainer: 'Network Team <netops@example.com>' } });

const lintianFindings = (path: string): string[] =>
  runAll('lintian', ['--no-cfg', '-EvI', '--pedantic', path]).out.split('\n').filter((l) => /^[EW]: /.test(l));

function rpmlintOut(dir: string, model: Model, distro: string, backend?: string): string {
  const plan = renderPlan(model, distro, backend);
  const rpm = buildRpm(plan, model.package, { env: {} });
  const sub = join(dir, `${model.name}-${distro}-${backend ?? 'default'}-${model.firewall}`);
  mkdirSync(sub);
  const path = join(sub, rpm.fileName);
  writeFileSync(path, rpm.bytes);
  writeFileSync(`${path}.rpmlintrc`, rpmlintrc(plan, model.package.name));
  return runAll('rpmlint', ['-r', `${path}.rpmlintrc`, path]).out;
}

describe.skipIf(why)('lintian and rpmlint: every fixture with every firewall', () => {
  const dir = tempDir('lint-matrix');
  for (const name of FIXTURES)
    for (const fw of FIREWALLS) {
      const model = withMaintainer({ ...fixtureModel(name), firewall: fw });
      it(`${name} firewall=${fw}: lintian (debian) has no errors or warnings`, () => {
        const deb = buildDeb(renderPlan(model, 'debian'), model.package, { env: {} });
        const path = join(dir, `${name}-${fw}-${deb.fileName}`);
        writeFileSync(path, deb.bytes);
        expect(lintianFindings(path)).toEqual([]);
      });
      it(`${name} firewall=${fw}: rpmlint (fedora) has no errors or warnings with its rpmlintrc`, () => {
        expect(rpmlintOut(dir, model, 'fedora')).toMatch(/0 errors, 0 warnings/);
      });
    }

  it('a profile whose name ends in a language-code-like word (branch-six): rpmlint clean', () => {
    const model = withMaintainer(shapeModel({ firewall: 'nftables', keepalive: true, mode: 'multipath' }, 'branch-six'));
    expect(model.package.name).toBe('mpgen-branch-six');
    expect(rpmlintOut(dir, model, 'rocky')).toMatch(/0 errors, 0 warnings/);
  });
});
