/**
 * Stock ifupdown and netplan configuration for mpgen's interfaces: the deb
 * postinst warns about it on stderr (for real, dpkg --root), and `mpgen
 * check` reports each stanza with its file and line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkForeignConfig } from '../../src/check/foreign-config.js';
import { buildDeb } from '../../src/pack/deb.js';
import { renderPlan } from '../../src/plan/render.js';
import { shapeModel, shapeProfile } from '../property/package-shapes.js';
import { mpgen } from '../support/cli.js';
import { missing } from '../support/require.js';
import { dpkgIn, dpkgRoot, tempDir } from './roots.js';

const model = shapeModel({ firewall: 'none', keepalive: false, mode: 'multipath' });
const STOCK = '# The primary network interface\nallow-hotplug eth1\niface eth1 inet dhcp\n\nauto lo\niface lo inet loopback\n';

function stockRoot(root: string): void {
  mkdirSync(join(root, 'etc/network/interfaces.d'), { recursive: true });
  writeFileSync(join(root, 'etc/network/interfaces'), `${STOCK}source /etc/network/interfaces.d/*\n`);
  writeFileSync(join(root, 'etc/network/interfaces.d/wan'), 'auto eth0 eth2 # both\n');
  writeFileSync(join(root, 'etc/network/interfaces.d/old.dpkg-old'), 'iface eth2 inet dhcp\n');
  mkdirSync(join(root, 'etc/netplan'), { recursive: true });
  writeFileSync(join(root, 'etc/netplan/50-cloud-init.yaml'), 'network:\n  version: 2\n  ethernets:\n    eth2:\n      dhcp4: true\n');
}

describe('mpgen check: other configuration of the profile\'s interfaces', () => {
  it('a clean root passes', () => {
    expect(checkForeignConfig(model, tempDir('foreign-clean'))).toEqual([expect.objectContaining({ ok: true, area: 'config' })]);
  });

  it('reports every stanza with file and line, skipping mpgen\'s own file and names ifupdown does not read', () => {
    const root = tempDir('foreign');
    stockRoot(root);
    for (const f of renderPlan(model, 'debian').files.filter((x) => x.path.startsWith('/etc/network/'))) writeFileSync(join(root, f.path), f.content);
    const found = checkForeignConfig(model, root).map((r) => [r.ok, r.found]);
    expect(found).toEqual([
      [false, 'allow-hotplug eth1 in /etc/network/interfaces:2'],
      [false, 'iface eth1 inet dhcp in /etc/network/interfaces:3'],
      [false, 'auto eth0 eth2 # both in /etc/network/interfaces.d/wan:1'],
      [false, 'network.ethernets.eth2 in /etc/netplan/50-cloud-init.yaml'],
    ]);
  });

  it('the CLI prints them (mpgen check --root)', () => {
    const dir = tempDir('foreign-cli');
    stockRoot(join(dir, 'root'));
    writeFileSync(join(dir, 'lab.yaml'), shapeProfile({ firewall: 'none', keepalive: false, mode: 'multipath' }));
    const r = mpgen(['check', '-p', join(dir, 'lab.yaml'), '--root', join(dir, 'root')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL eth1 is configured only by mpgen: expected no other stanza for it (ifupdown and netplan merge them with mpgen\'s), found iface eth1 inet dhcp in /etc/network/interfaces:3');
  });
});

describe.skipIf(missing({ commands: ['dpkg', 'deb-systemd-helper'], root: true }))('deb postinst: warns about stanzas for its interfaces in other files', () => {
  it('dpkg -i prints each foreign stanza on stderr and still installs', () => {
    const plan = renderPlan(model, 'debian');
    const deb = buildDeb(plan, model.package, { env: {} });
    const dir = tempDir('foreign-deb');
    writeFileSync(join(dir, deb.fileName), deb.bytes);
    const D = dpkgRoot(['init-system-helpers', ...plan.depends.deb.map((d) => d.split(' ')[0]!)]);
    stockRoot(D);
    const { dpkgAll, status } = dpkgIn(D);
    const r = dpkgAll('-i', join(dir, deb.fileName));
    expect(r.status, r.out).toBe(0);
    expect(status(model.package.name)).toMatch(/^install ok installed/);
    expect(r.out).toContain('mpgen-lab: other ifupdown files configure interfaces of this package');
    expect(r.out).toContain('  /etc/network/interfaces:2: allow-hotplug eth1');
    expect(r.out).toContain('  /etc/network/interfaces:3: iface eth1 inet dhcp');
    expect(r.out).toContain('  /etc/network/interfaces.d/wan:1: auto eth0 eth2 # both');
    expect(r.out).not.toContain('mpgen-lab:1:');
    expect(r.out).not.toContain('iface lo');
  });

  it('netplan: dpkg -i names the other netplan files that define its interfaces', () => {
    const plan = renderPlan(model, 'debian', 'netplan');
    const deb = buildDeb(plan, model.package, { env: {} });
    const dir = tempDir('foreign-deb-netplan');
    writeFileSync(join(dir, deb.fileName), deb.bytes);
    const D = dpkgRoot(['init-system-helpers', ...plan.depends.deb.map((d) => d.split(' ')[0]!)]);
    stockRoot(D);
    const r = dpkgIn(D).dpkgAll('-i', join(dir, deb.fileName));
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('mpgen-lab: other netplan files define interfaces of this package; netplan merges them with /etc/netplan/90-mpgen-lab.yaml:');
    expect(r.out).toContain('  /etc/netplan/50-cloud-init.yaml:4:    eth2:');
    expect(r.out).not.toMatch(/^  \/etc\/netplan\/90-mpgen-lab\.yaml:/m);
    expect(r.out).not.toContain('other ifupdown files');
  });

  it('a root without foreign stanzas installs silently', () => {
    const plan = renderPlan(model, 'debian');
    const deb = buildDeb(plan, model.package, { env: {} });
    const dir = tempDir('foreign-deb-clean');
    writeFileSync(join(dir, deb.fileName), deb.bytes);
    const D = dpkgRoot(['init-system-helpers', ...plan.depends.deb.map((d) => d.split(' ')[0]!)]);
    const r = dpkgIn(D).dpkgAll('-i', join(dir, deb.fileName));
    expect(r.status, r.out).toBe(0);
    expect(r.out).not.toContain('other ifupdown files');
  });
});
