/**
 * Real install, upgrade, remove and purge of packages rendered from profiles
 * (not the hand-built fixture), for a representative set of package shapes:
 * the ones with nothing to enable (firewall: none, keepalive off), which
 * once left dpkg half removed, and ones with every unit.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPlan } from '../../src/plan/render.js';
import { buildDeb } from '../../src/pack/deb.js';
import { buildRpm } from '../../src/pack/rpm.js';
import { shapeModel } from '../property/package-shapes.js';
import { missing } from '../support/require.js';
import { dpkgIn, dpkgRoot, rpmOverlayRoot, tempDir } from './roots.js';

type Shape = { firewall: 'nftables' | 'iptables' | 'none'; keepalive: boolean; distro: string; backend?: string };
const label = (s: Shape): string => `${s.distro}${s.backend ? `/${s.backend}` : ''} firewall=${s.firewall} keepalive=${s.keepalive}`;
const build = (s: Shape, version: string, f: typeof buildDeb | typeof buildRpm) => {
  const model = shapeModel({ ...s, mode: 'multipath' });
  const plan = renderPlan(model, s.distro, s.backend);
  return { plan, pkg: f(plan, { ...model.package, version }, { env: {} }) };
};

const DEB_SHAPES: Shape[] = [
  { firewall: 'none', keepalive: false, distro: 'debian' },
  { firewall: 'none', keepalive: false, distro: 'debian', backend: 'netplan' },
  { firewall: 'nftables', keepalive: true, distro: 'debian' },
  { firewall: 'iptables', keepalive: false, distro: 'debian', backend: 'networkd' },
];
const RPM_SHAPES: Shape[] = [
  { firewall: 'none', keepalive: false, distro: 'rocky' },
  { firewall: 'none', keepalive: false, distro: 'fedora' },
  { firewall: 'nftables', keepalive: true, distro: 'fedora', backend: 'nm' },
];

describe.skipIf(missing({ commands: ['dpkg', 'deb-systemd-helper'], root: true }))('deb lifecycle of package shapes', () => {
  for (const s of DEB_SHAPES)
    it(`${label(s)}: install, upgrade, remove, purge`, () => {
      const dir = tempDir('shape-deb');
      const v1 = build(s, '1.0.0', buildDeb);
      const v2 = build(s, '1.1.0', buildDeb).pkg;
      for (const p of [v1.pkg, v2]) writeFileSync(join(dir, p.fileName), p.bytes);
      const D = dpkgRoot(['init-system-helpers', ...v1.plan.depends.deb.map((d) => d.split(' ')[0]!)]);
      const { dpkg, status } = dpkgIn(D);
      const pkg = 'mpgen-lab';
      dpkg('-i', join(dir, v1.pkg.fileName));
      expect(status(pkg)).toBe('install ok installed 1.0.0-1');
      dpkg('-i', join(dir, v2.fileName));
      expect(status(pkg)).toBe('install ok installed 1.1.0-1');
      dpkg('-r', pkg);
      expect(status(pkg)).toBe('deinstall ok config-files 1.1.0-1');
      dpkg('-P', pkg);
      expect(status(pkg)).toMatch(/no packages found/);
      for (const f of v1.plan.files) expect(existsSync(join(D, f.path)), f.path).toBe(false);
    });
});

describe.skipIf(missing({ commands: ['rpm', 'unshare', 'systemctl'], root: true }))('rpm lifecycle of package shapes', () => {
  for (const s of RPM_SHAPES)
    it(`${label(s)}: install, upgrade, erase`, () => {
      const { W, D, rpm } = rpmOverlayRoot('shape-rpm');
      const v1 = build(s, '1.0.0', buildRpm);
      const v2 = build(s, '1.1.0', buildRpm).pkg;
      for (const p of [v1.pkg, v2]) writeFileSync(join(W, 'pkgs', p.fileName), p.bytes);
      rpm('--initdb');
      rpm('--nodeps', '-i', join(W, 'pkgs', v1.pkg.fileName));
      expect(rpm('-q', 'mpgen-lab').trim()).toBe('mpgen-lab-1.0.0-1.noarch');
      rpm('--nodeps', '-U', join(W, 'pkgs', v2.fileName));
      expect(rpm('-q', 'mpgen-lab').trim()).toBe('mpgen-lab-1.1.0-1.noarch');
      rpm('-e', 'mpgen-lab');
      expect(rpm('-qa').trim()).toBe('');
      for (const f of v1.plan.files) if (!f.path.startsWith('/usr/')) expect(existsSync(join(D, f.path)), f.path).toBe(false);
    });
});
