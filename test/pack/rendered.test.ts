/**
 * Integration: real rendered plans (the seed fixtures through loadModelFromFile
 * and renderPlan) packed and checked with lintian, rpmlint, dpkg --root and
 * install.sh. The profile default maintainer is root@localhost, which lintian
 * rightly rejects (bogus-mail-host): the tests set a real address, as a site must.
 */
import { existsSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFromFile } from '../../src/model/load.js';
import { buildBundle } from '../../src/pack/bundle.js';
import { buildDeb } from '../../src/pack/deb.js';
import { buildRpm, rpmPath } from '../../src/pack/rpm.js';
import { rpmlintrc } from '../../src/pack/rpmlint.js';
import { renderPlan } from '../../src/plan/render.js';
import { missing } from '../support/require.js';
import { dpkgRoot, run, runAll, snapshotTree, tempDir } from './roots.js';

const fixture = (name: string): string => join(import.meta.dirname, '../fixtures', name);
const model = loadModelFromFile(fixture('seed001-multipath.yaml'));
const meta = { ...model.package, maintainer: 'Network Team <netops@example.com>' };

const why = missing({ commands: ['lintian', 'rpmlint', 'rpm', 'dpkg', 'dash', 'tar'], root: true });

describe.skipIf(why)('packages of real rendered plans', () => {
  const dir = tempDir('rendered');

  for (const [distro, backend] of [['debian', undefined], ['debian', 'netplan'], ['ubuntu', 'nm']] as const) {
    it(`deb for ${distro}${backend ? ` (${backend})` : ''}: lintian has no errors or warnings; dpkg --root installs and purges it`, () => {
      const plan = renderPlan(model, distro, backend);
      const deb = buildDeb(plan, meta, { env: {} });
      const path = join(dir, `${distro}-${backend ?? 'default'}-${deb.fileName}`);
      writeFileSync(path, deb.bytes);
      const lint = runAll('lintian', ['--no-cfg', '-EvI', '--pedantic', path]).out;
      expect(lint.split('\n').filter((l) => /^[EW]: /.test(l))).toEqual([]);

      const stubs = [...new Set(['init-system-helpers', ...plan.depends.deb.map((d) => d.split(' ')[0]!)])];
      const D = dpkgRoot(stubs);
      const dpkg = (...a: string[]) => run('dpkg', [`--root=${D}`, '--force-script-chrootless', `--log=${join(D, 'dpkg.log')}`, ...a]);
      dpkg('-i', path);
      for (const f of plan.files) expect(run('stat', ['-c', '%a', join(D, f.path)]).trim(), f.path).toBe(f.mode.toString(8));
      // Every unit the render enables (keepalive, firewall: one unit per profile, no template
      // instances) is enabled inside D by deb-systemd-helper: state file and the wants link.
      expect(plan.enable.length).toBeGreaterThanOrEqual(2);
      for (const u of plan.enable) {
        expect(u, 'no template instances: deb-systemd-helper 1.65 cannot enable them').not.toContain('@');
        expect(existsSync(join(D, 'var/lib/systemd/deb-systemd-helper-enabled', `${u}.dsh-also`)), u).toBe(true);
        // an absolute link into the image's /usr/lib: lstat it, do not follow it onto the host
        expect(lstatSync(join(D, 'etc/systemd/system/multi-user.target.wants', u)).isSymbolicLink(), `${u} wants link`).toBe(true);
      }
      dpkg('--purge', meta.name);
      for (const f of plan.files) expect(existsSync(join(D, f.path)), f.path).toBe(false);
    });
  }

  for (const [distro, backend] of [['rocky', 'nm'], ['fedora', undefined], ['alma', 'networkd']] as const) {
    it(`rpm for ${distro}${backend ? ` (${backend})` : ''}: digests OK, rpm2cpio extracts, rpmlint clean with its rpmlintrc`, () => {
      const plan = renderPlan(model, distro, backend);
      const rpm = buildRpm(plan, meta, { env: {} });
      mkdirSync(join(dir, `${distro}-${backend ?? 'default'}`));
      const path = join(dir, `${distro}-${backend ?? 'default'}`, rpm.fileName);
      writeFileSync(path, rpm.bytes);
      expect(run('rpm', ['-K', path])).toMatch(/digests OK/);
      const listed = run('sh', ['-c', `rpm2cpio "${path}" | cpio -t --quiet`]).trim().split('\n');
      // a file whose name initscripts fixes (ifcfg) is shipped staged, for %post to put in place
      for (const f of plan.files) expect(listed).toContain(`.${rpmPath(plan, f)}`);
      if (plan.backend === 'ifcfg') expect(listed).toContain(`./usr/share/mpgen/${plan.name}/root/etc/sysconfig/network-scripts/ifcfg-eth0`);
      const rc = `${path}.rpmlintrc`;
      writeFileSync(rc, rpmlintrc(plan, meta.name));
      const lint = runAll('rpmlint', ['-r', rc, path]);
      expect(lint.out).toMatch(/0 errors, 0 warnings/);
    });
  }

  it('bundle of the teql profile: install.sh --root and uninstall.sh round trip', () => {
    const teql = loadModelFromFile(fixture('seed003-teql.yaml'));
    const plan = renderPlan(teql, 'debian');
    const b = buildBundle(plan, teql.package, { env: {} });
    writeFileSync(join(dir, b.fileName), b.bytes);
    run('tar', ['-C', dir, '-xzf', join(dir, b.fileName)]);
    const root = tempDir('teqlroot');
    const before = snapshotTree(root);
    run('dash', [join(dir, `${teql.package.name}-${teql.package.version}`, 'install.sh'), '--root', root]);
    for (const f of plan.files) expect(run('stat', ['-c', '%a', join(root, f.path)]).trim(), f.path).toBe(f.mode.toString(8));
    run('dash', [join(root, 'var/lib/mpgen', teql.package.name, 'uninstall.sh'), '--root', root]);
    expect(snapshotTree(root)).toEqual(before);
  });
});
