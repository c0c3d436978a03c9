import { chmodSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBundle, installScript, uninstallScript } from '../../src/pack/bundle.js';
import { gunzip } from '../../src/pack/gzip.js';
import { installPlan } from '../../src/pack/install.js';
import { readTar } from '../../src/pack/tar.js';
import { missing } from '../support/require.js';
import { fixtureMeta, fixturePlan } from './fixture.js';
import { run, runAll, snapshotTree, tempDir } from './roots.js';

const plan = fixturePlan();
const meta = fixtureMeta();
const bundle = buildBundle(plan, meta, { env: {} });

describe('bundle layout', () => {
  it('holds install.sh, uninstall.sh, MANIFEST and root/ with modes', () => {
    const entries = readTar(gunzip(bundle.bytes));
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(bundle.fileName).toBe('mpgen-office-1.0.0.tar.gz');
    expect(byName.get('mpgen-office-1.0.0/install.sh')?.mode).toBe(0o755);
    expect(byName.get('mpgen-office-1.0.0/uninstall.sh')?.mode).toBe(0o755);
    expect(byName.get('mpgen-office-1.0.0/root/etc/netplan/90-mpgen-office.yaml')?.mode).toBe(0o600);
    const m = Buffer.from(byName.get('mpgen-office-1.0.0/MANIFEST')!.content!).toString();
    expect(m).toMatch(/^file [0-9a-f]{64} 0600 \/etc\/netplan\/90-mpgen-office\.yaml$/m);
    expect(m).toMatch(/^file [0-9a-f]{64} 0755 \/usr\/sbin\/ifup-local$/m);
    expect(m).toMatch(/^enable mpgen-office-keepalive\.service$/m);
    expect(m.split('\n').filter((l) => l.startsWith('file ')).length).toBe(plan.files.length);
  });
});

const whyLint = missing({ commands: ['shellcheck'] });
describe.skipIf(whyLint)('install.sh and uninstall.sh lint', () => {
  it('are shellcheck-clean POSIX sh', () => {
    const dir = tempDir('sc');
    for (const [name, body] of [['install.sh', installScript()], ['uninstall.sh', uninstallScript()]] as const) {
      writeFileSync(join(dir, name), body);
      const r = runAll('shellcheck', ['-s', 'sh', join(dir, name)]);
      expect(r.out, name).toBe('');
      expect(r.status).toBe(0);
    }
  });
});

/** A root that already holds an ifup-local and a netplan file at our paths, plus unrelated files. */
function existingImage(): string {
  const root = tempDir('img');
  mkdirSync(join(root, 'usr/sbin'), { recursive: true });
  mkdirSync(join(root, 'etc/netplan'), { recursive: true });
  mkdirSync(join(root, 'var/lib'), { recursive: true });
  writeFileSync(join(root, 'usr/sbin/ifup-local'), '#!/bin/sh\n# the site hook that was here before\n');
  chmodSync(join(root, 'usr/sbin/ifup-local'), 0o700);
  writeFileSync(join(root, 'etc/netplan/90-mpgen-office.yaml'), 'network: {version: 2}\n');
  chmodSync(join(root, 'etc/netplan/90-mpgen-office.yaml'), 0o640);
  writeFileSync(join(root, 'etc/hostname'), 'appliance\n');
  utimesSync(join(root, 'usr/sbin/ifup-local'), 1_600_000_000, 1_600_000_000);
  return root;
}

function expectInstalled(root: string): void {
  for (const f of plan.files) {
    expect(readFileSync(join(root, f.path), 'utf8'), f.path).toBe(f.content);
    expect(statSync(join(root, f.path)).mode & 0o7777, f.path).toBe(f.mode);
  }
  expect(readFileSync(join(root, 'var/lib/mpgen/mpgen-office/backup/usr/sbin/ifup-local'), 'utf8')).toContain('the site hook that was here before');
}

const shells = ['dash', 'bash'] as const;
const whyShell = missing({ commands: ['dash', 'bash', 'tar', 'sha256sum', 'systemctl'] });
describe.skipIf(whyShell)('install.sh --root / uninstall.sh round trip', () => {
  const dir = tempDir('bundle');
  writeFileSync(join(dir, bundle.fileName), bundle.bytes);
  run('tar', ['-C', dir, '-xzf', join(dir, bundle.fileName)]);
  const top = join(dir, 'mpgen-office-1.0.0');

  for (const sh of shells) {
    it(`${sh}: installs with modes, enables the unit, is idempotent, and uninstall restores byte for byte`, () => {
      const root = existingImage();
      const before = snapshotTree(root);
      run(sh, [join(top, 'install.sh'), '--root', root]);
      expectInstalled(root);
      const wants = join(root, 'etc/systemd/system/multi-user.target.wants/mpgen-office-keepalive.service');
      expect(run('readlink', [wants]).trim()).toBe('/usr/lib/systemd/system/mpgen-office-keepalive.service');
      const afterFirst = snapshotTree(root, { mtimes: false });

      run(sh, [join(top, 'install.sh'), '--root', root]);
      expect(snapshotTree(root, { mtimes: false })).toEqual(afterFirst);

      run(sh, [join(root, 'var/lib/mpgen/mpgen-office/uninstall.sh'), '--root', root]);
      expect(snapshotTree(root)).toEqual(before);
    });
  }

  it('refuses a bundle whose file does not match MANIFEST, before touching the root', () => {
    const copy = tempDir('bad');
    run('tar', ['-C', copy, '-xzf', join(dir, bundle.fileName)]);
    writeFileSync(join(copy, 'mpgen-office-1.0.0/root/usr/sbin/ifup-local'), 'tampered\n');
    const root = existingImage();
    const before = snapshotTree(root);
    const r = runAll('dash', [join(copy, 'mpgen-office-1.0.0/install.sh'), '--root', root]);
    expect(r.status).toBe(1);
    expect(r.out).toContain('checksum mismatch for root/usr/sbin/ifup-local');
    expect(snapshotTree(root)).toEqual(before);
  });

  it('mpgen install (TypeScript) has the same semantics; the uninstall.sh it leaves restores the tree', () => {
    const root = existingImage();
    const before = snapshotTree(root);
    const report = installPlan(plan, meta, { root });
    expect(report.backedUp.sort()).toEqual(['/etc/netplan/90-mpgen-office.yaml', '/usr/sbin/ifup-local']);
    expect(report.enabled).toEqual(['mpgen-office-keepalive.service']);
    expectInstalled(root);
    const afterFirst = snapshotTree(root, { mtimes: false });
    installPlan(plan, meta, { root });
    expect(snapshotTree(root, { mtimes: false })).toEqual(afterFirst);
    // the bundle's installer on top of the TypeScript one is also idempotent
    run('dash', [join(top, 'install.sh'), '--root', root]);
    expect(snapshotTree(root, { mtimes: false })).toEqual(afterFirst);
    run('dash', [join(root, 'var/lib/mpgen/mpgen-office/uninstall.sh'), '--root', root]);
    expect(snapshotTree(root)).toEqual(before);
  });

  it('mpgen install refuses root / without allowLiveRoot', () => {
    expect(() => installPlan(plan, meta, { root: '/' })).toThrow(/refusing to install onto the running system.*--allow-live-root/);
  });
});
