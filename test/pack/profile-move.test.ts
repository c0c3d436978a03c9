/**
 * Moving a box from profile A to profile B with the package managers: install
 * B then remove A, or remove A then install B. The two packages must never
 * own the same path (rt_tables.d, the keepalive and firewall helpers are per
 * profile; the .rpm stages the ifcfg files whose names initscripts fixes and
 * its scriptlets put them in place). Both profiles configure the same
 * interfaces, as on a real box.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDeb } from '../../src/pack/deb.js';
import { buildRpm, OWNED_DIRS, rpmPaths, STAGE_DIR } from '../../src/pack/rpm.js';
import { renderPlan } from '../../src/plan/render.js';
import type { Plan } from '../../src/plan/plan.js';
import { shapeModel } from '../property/package-shapes.js';
import { missing } from '../support/require.js';
import { dpkgIn, dpkgRoot, rpmOverlayRoot, tempDir } from './roots.js';

type Mode = 'multipath' | 'equalize' | 'teql';
const profile = (name: string, distro: string, backend?: string, mode: Mode = 'multipath'): { plan: Plan; pkg: string; model: ReturnType<typeof shapeModel> } => {
  const model = shapeModel({ firewall: 'nftables', keepalive: true, mode }, name);
  return { plan: renderPlan(model, distro, backend), pkg: model.package.name, model };
};
const ORDERS = ['install B, then remove A', 'remove A, then install B'] as const;

/** Both profiles' .rpm files in W/pkgs, in order. */
const writeRpms = (W: string, profiles: Array<ReturnType<typeof profile>>): string[] =>
  profiles.map((p) => {
    const r = buildRpm(p.plan, p.model.package, { env: {} });
    writeFileSync(join(W, 'pkgs', r.fileName), r.bytes);
    return join(W, 'pkgs', r.fileName);
  });

/** With A installed: B in and A out, in the given order. */
function moveAtoB(rpm: (...args: string[]) => string, rpmB: string, pkgA: string, order: (typeof ORDERS)[number]): void {
  if (order === ORDERS[0]) {
    rpm('--nodeps', '-i', rpmB);
    rpm('-e', pkgA);
  } else {
    rpm('-e', pkgA);
    rpm('--nodeps', '-i', rpmB);
  }
}

describe('two profiles never own the same path', () => {
  for (const [distro, backend] of [['debian', undefined], ['debian', 'netplan'], ['debian', 'networkd'], ['fedora', 'nm'], ['arch', undefined]] as const)
    it(`${distro}${backend ? `/${backend}` : ''}`, () => {
      const a = profile('alpha', distro, backend).plan.files.map((f) => f.path);
      const b = new Set(profile('beta', distro, backend).plan.files.map((f) => f.path));
      expect(a.filter((p) => b.has(p))).toEqual([]);
    });

  for (const mode of ['multipath', 'teql'] as const)
    it(`ifcfg (rocky, ${mode}): the packages own no common path; the files whose names initscripts fixes ship under /usr/share/mpgen/NAME/root`, () => {
      const owned = (name: string): string[] => {
        const p = profile(name, 'rocky', 'ifcfg', mode);
        return rpmPaths(p.plan, p.model.package);
      };
      const a = owned('alpha');
      const b = new Set(owned('beta'));
      // directories both packages own (rpm allows that) are not files
      expect(a.filter((p) => b.has(p) && !OWNED_DIRS.includes(p) && p !== STAGE_DIR)).toEqual([]);
      expect(a).toContain('/usr/share/mpgen/alpha/root/etc/sysconfig/network-scripts/ifcfg-eth1');
      expect(a).not.toContain('/etc/sysconfig/network-scripts/ifcfg-eth1');
      expect(a).not.toContain('/usr/sbin/ifup-local');
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
      const rpms = writeRpms(W, [A, B]);
      rpm('--initdb');
      rpm('--nodeps', '-i', rpms[0]!);
      moveAtoB(rpm, rpms[1]!, A.pkg, order);
      expect(rpm('-qa').trim()).toBe(`${B.pkg}-${B.model.package.version}-1.noarch`);
      for (const f of B.plan.files) if (!f.path.startsWith('/usr/')) expect(existsSync(join(D, f.path)), f.path).toBe(true);
      for (const f of A.plan.files) if (!f.path.startsWith('/usr/')) expect(existsSync(join(D, f.path)), f.path).toBe(false);
    });
});

/**
 * ifcfg: initscripts fixes the names (ifcfg-DEV, route-DEV, rule-DEV, /etc/sysconfig/network, the
 * /usr/sbin/if*-local hooks), so the packages ship them under /usr/share/mpgen/NAME/root and the
 * scriptlets put them in place. A foreign /etc/sysconfig/network and a site's own
 * /usr/sbin/ifup-local were there before mpgen: they come back once no profile writes them.
 */
describe.skipIf(missing({ commands: ['rpm', 'unshare', 'systemctl'], root: true }))('rpm: moving from profile A to profile B with the ifcfg backend', () => {
  const FOREIGN = { '/etc/sysconfig/network': 'NETWORKING=yes\nHOSTNAME=box.example.com\n', '/usr/sbin/ifup-local': '#!/bin/sh\n# the site hook that was here before\n' };
  const TARGETS = [
    // fedora's default backend is ifcfg; A (teql) writes /etc/sysconfig/network and ifup-pre-local, B does not
    { distro: 'fedora', backend: undefined, modes: ['teql', 'multipath'] },
    { distro: 'rocky', backend: 'ifcfg', modes: ['teql', 'teql'] },
  ] as const;
  for (const t of TARGETS)
    for (const order of ORDERS)
      it(`${t.distro}${t.backend ? `/${t.backend}` : ''} (${t.modes.join(' -> ')}): ${order}; then remove B`, () => {
        const { W, D, rpm } = rpmOverlayRoot('move-ifcfg');
        /** where a path of the root is, seen from outside the mount namespace (D/usr is the overlay's upper dir) */
        const at = (p: string): string => (p.startsWith('/usr/') ? join(W, 'upper', p.slice('/usr/'.length)) : join(D, p));
        for (const [p, body] of Object.entries(FOREIGN)) {
          mkdirSync(join(at(p), '..'), { recursive: true });
          writeFileSync(at(p), body, { mode: 0o700 });
        }
        const [A, B] = [profile('alpha', t.distro, t.backend, t.modes[0]), profile('beta', t.distro, t.backend, t.modes[1])];
        expect(A.plan.backend).toBe('ifcfg');
        const rpms = writeRpms(W, [A, B]);
        rpm('--initdb');
        rpm('--nodeps', '-i', rpms[0]!);
        for (const f of A.plan.files) expect(readFileSync(at(f.path), 'utf8'), f.path).toBe(f.content);
        moveAtoB(rpm, rpms[1]!, A.pkg, order);
        expect(rpm('-qa').trim()).toBe(`${B.pkg}-${B.model.package.version}-1.noarch`);
        // exactly B's files, bytes and modes
        for (const f of B.plan.files) {
          expect(readFileSync(at(f.path), 'utf8'), f.path).toBe(f.content);
          expect(statSync(at(f.path)).mode & 0o7777, f.path).toBe(f.mode);
        }
        const bPaths = new Set(B.plan.files.map((f) => f.path));
        for (const f of A.plan.files) {
          if (bPaths.has(f.path)) continue;
          if (f.path in FOREIGN) expect(readFileSync(at(f.path), 'utf8'), f.path).toBe(FOREIGN[f.path as keyof typeof FOREIGN]);
          else expect(existsSync(at(f.path)), f.path).toBe(false);
        }
        expect(existsSync(at('/usr/share/mpgen/alpha')), 'A staging directory').toBe(false);
        const scripts = readdirSync(join(D, 'etc/sysconfig/network-scripts'));
        expect(scripts.filter((n) => n.includes('alpha'))).toEqual([]);

        rpm('-e', B.pkg);
        expect(rpm('-qa').trim()).toBe('');
        for (const [p, body] of Object.entries(FOREIGN)) {
          expect(readFileSync(at(p), 'utf8'), `${p} restored`).toBe(body);
          expect(statSync(at(p)).mode & 0o7777, `${p} mode restored`).toBe(0o700);
        }
        for (const f of [...A.plan.files, ...B.plan.files]) if (!(f.path in FOREIGN)) expect(existsSync(at(f.path)), f.path).toBe(false);
        expect(readdirSync(join(D, 'etc/sysconfig/network-scripts'))).toEqual([]);
        expect(readdirSync(join(D, 'etc/sysconfig')).sort()).toEqual(['network', 'network-scripts']);
        expect(readdirSync(join(W, 'upper/sbin')).sort()).toEqual(['ifup-local']);
        expect(existsSync(at('/usr/share/mpgen'))).toBe(false);
      });
});

describe.skipIf(missing({ commands: ['rpm', 'unshare', 'systemctl'], root: true }))('rpm -U of an ifcfg profile that stops writing a file', () => {
  it('fedora: teql -> multipath drops /etc/sysconfig/network (the foreign one comes back), ifup-pre-local and teql0', () => {
    const { W, D, rpm } = rpmOverlayRoot('upgrade-ifcfg');
    const network = join(D, 'etc/sysconfig/network');
    mkdirSync(join(network, '..'), { recursive: true });
    writeFileSync(network, 'NETWORKING=yes\n');
    const v1 = profile('alpha', 'fedora', undefined, 'teql');
    const v2 = profile('alpha', 'fedora', undefined, 'multipath');
    const rpms = [
      buildRpm(v1.plan, v1.model.package, { env: {} }),
      buildRpm(v2.plan, { ...v2.model.package, version: '1.1.0' }, { env: {} }),
    ].map((r) => {
      writeFileSync(join(W, 'pkgs', r.fileName), r.bytes);
      return join(W, 'pkgs', r.fileName);
    });
    rpm('--initdb');
    rpm('--nodeps', '-i', rpms[0]!);
    expect(readFileSync(network, 'utf8')).toContain('generated by mpgen from profile alpha');
    expect(existsSync(join(W, 'upper/sbin/ifup-pre-local'))).toBe(true);
    rpm('--nodeps', '-U', rpms[1]!);
    expect(rpm('-qa').trim()).toBe(`${v2.pkg}-1.1.0-1.noarch`);
    expect(readFileSync(network, 'utf8')).toBe('NETWORKING=yes\n');
    expect(existsSync(`${network}.mpgen.orig`)).toBe(false);
    expect(existsSync(join(W, 'upper/sbin/ifup-pre-local'))).toBe(false);
    expect(existsSync(join(D, 'etc/sysconfig/network-scripts/ifcfg-teql0'))).toBe(false);
    for (const f of v2.plan.files) if (!f.path.startsWith('/usr/')) expect(readFileSync(join(D, f.path), 'utf8'), f.path).toBe(f.content);
    expect(readFileSync(join(W, 'upper/sbin/ifup-local'), 'utf8')).toBe(v2.plan.files.find((f) => f.path === '/usr/sbin/ifup-local')!.content);
  });
});

describe.skipIf(missing({ commands: ['rpm', 'unshare', 'systemctl'], root: true }))('rpm -U from a package that owned the real paths', () => {
  it('fedora: the files stay, with the new version\'s bytes (rpm erases the old files after %post: %posttrans puts them in place)', () => {
    const { W, D, rpm } = rpmOverlayRoot('upgrade-old-ifcfg');
    const v2 = profile('alpha', 'fedora');
    // what mpgen built before the files whose names initscripts fixes were staged: every file at its own path
    const old: Plan = { ...v2.plan, files: v2.plan.files.map(({ fixedName: _, ...f }) => f) };
    const rpms = [buildRpm(old, v2.model.package, { env: {} }), buildRpm(v2.plan, { ...v2.model.package, version: '1.1.0' }, { env: {} })].map((r) => {
      writeFileSync(join(W, 'pkgs', r.fileName), r.bytes);
      return join(W, 'pkgs', r.fileName);
    });
    expect(rpmPaths(old, v2.model.package)).toContain('/etc/sysconfig/network-scripts/ifcfg-eth1');
    rpm('--initdb');
    rpm('--nodeps', '-i', rpms[0]!);
    rpm('--nodeps', '-U', rpms[1]!);
    for (const f of v2.plan.files) {
      const at = f.path.startsWith('/usr/') ? join(W, 'upper', f.path.slice('/usr/'.length)) : join(D, f.path);
      expect(readFileSync(at, 'utf8'), f.path).toBe(f.content);
    }
    expect(readdirSync(join(D, 'etc/sysconfig/network-scripts')).filter((n) => /\.rpm(save|new|orig)$|\.mpgen/.test(n))).toEqual([]);
  });
});
