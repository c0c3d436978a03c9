/**
 * Moving a box from profile A to profile B with the package managers: install
 * B then remove A, or remove A then install B. The two packages must never
 * own the same path (rt_tables.d, the keepalive and firewall helpers are per
 * profile). Both profiles configure the same interfaces, as on a real box.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDeb } from '../../src/pack/deb.js';
import { buildRpm } from '../../src/pack/rpm.js';
import { renderPlan } from '../../src/plan/render.js';
import type { Plan } from '../../src/plan/plan.js';
import { shapeModel } from '../property/package-shapes.js';
import { missing } from '../support/require.js';
import { dpkgIn, dpkgRoot, rpmOverlayRoot, tempDir } from './roots.js';

const profile = (name: string, distro: string, backend?: string): { plan: Plan; pkg: string; model: ReturnType<typeof shapeModel> } => {
  const model = shapeModel({ firewall: 'nftables', keepalive: true, mode: 'multipath' }, name);
  return { plan: renderPlan(model, distro, backend), pkg: model.package.name, model };
};
const ORDERS = ['install B, then remove A', 'remove A, then install B'] as const;

describe('two profiles never own the same path', () => {
  for (const [distro, backend] of [['debian', undefined], ['debian', 'netplan'], ['debian', 'networkd'], ['fedora', 'nm'], ['arch', undefined]] as const)
    it(`${distro}${backend ? `/${backend}` : ''}`, () => {
      const a = profile('alpha', distro, backend).plan.files.map((f) => f.path);
      const b = new Set(profile('beta', distro, backend).plan.files.map((f) => f.path));
      expect(a.filter((p) => b.has(p))).toEqual([]);
    });

  it('ifcfg (rocky): shared only where initscripts fixes the name (the device, /etc/sysconfig/network, the hooks)', () => {
    const a = profile('alpha', 'rocky', 'ifcfg').plan.files.map((f) => f.path);
    const b = new Set(profile('beta', 'rocky', 'ifcfg').plan.files.map((f) => f.path));
    const shared = a.filter((p) => b.has(p));
    expect(shared.length).toBeGreaterThan(0);
    for (const p of shared) expect(p).toMatch(/^\/etc\/sysconfig\/network(-scripts\/(ifcfg|route|rule)-eth[12])?$|^\/usr\/sbin\/if(up|down|up-pre)-local$/);
  });
});

describe.skipIf(missing({ commands: ['dpkg', 'deb-systemd-helper'], root: true }))('dpkg: moving from profile A to profile B', () => {
  for (const backend of [undefined, 'netplan'] as const)
    for (const order of ORDERS)
      it(`debian${backend ? `/${backend}` : ''}: ${order}`, () => {
        const dir = tempDir('move-deb');
        const [A, B] = [profile('alpha', 'debian', backend), profile('beta', 'debian', backend)];
        const debs = [A, B].map((p) => {
          const deb = buildDeb(p.plan, p.model.package, { env: {} });
          writeFileSync(join(dir, deb.fileName), deb.bytes);
          return join(dir, deb.fileName);
        });
        const D = dpkgRoot([...new Set(['init-system-helpers', ...A.plan.depends.deb, ...B.plan.depends.deb].map((d) => d.split(' ')[0]!))]);
        const { dpkg, status } = dpkgIn(D);
        dpkg('-i', debs[0]!);
        if (order === ORDERS[0]) {
          dpkg('-i', debs[1]!);
          dpkg('-P', A.pkg);
        } else {
          dpkg('-P', A.pkg);
          dpkg('-i', debs[1]!);
        }
        expect(status(B.pkg)).toBe(`install ok installed ${B.model.package.version}-1`);
        expect(status(A.pkg)).toMatch(/no packages found/);
        for (const f of B.plan.files) expect(existsSync(join(D, f.path)), f.path).toBe(true);
        for (const f of A.plan.files) expect(existsSync(join(D, f.path)), f.path).toBe(false);
      });
});

describe.skipIf(missing({ commands: ['rpm', 'unshare', 'systemctl'], root: true }))('rpm: moving from profile A to profile B', () => {
  for (const order of ORDERS)
    it(`fedora/nm: ${order}`, () => {
      const { W, D, rpm } = rpmOverlayRoot('move-rpm');
      const [A, B] = [profile('alpha', 'fedora', 'nm'), profile('beta', 'fedora', 'nm')];
      const rpms = [A, B].map((p) => {
        const r = buildRpm(p.plan, p.model.package, { env: {} });
        writeFileSync(join(W, 'pkgs', r.fileName), r.bytes);
        return join(W, 'pkgs', r.fileName);
      });
      rpm('--initdb');
      rpm('--nodeps', '-i', rpms[0]!);
      if (order === ORDERS[0]) {
        rpm('--nodeps', '-i', rpms[1]!);
        rpm('-e', A.pkg);
      } else {
        rpm('-e', A.pkg);
        rpm('--nodeps', '-i', rpms[1]!);
      }
      expect(rpm('-qa').trim()).toBe(`${B.pkg}-${B.model.package.version}-1.noarch`);
      for (const f of B.plan.files) if (!f.path.startsWith('/usr/')) expect(existsSync(join(D, f.path)), f.path).toBe(true);
      for (const f of A.plan.files) if (!f.path.startsWith('/usr/')) expect(existsSync(join(D, f.path)), f.path).toBe(false);
    });
});
