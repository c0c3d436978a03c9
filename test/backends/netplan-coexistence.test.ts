/**
 * netplan merges every file under /etc/netplan: a key mpgen does not set stays
 * as another file set it. cloud-init's 50-cloud-init.yaml says `dhcp4: true`
 * for the installer's NIC; when that NIC is one of mpgen's, mpgen's file (90-,
 * read later) must set every such key itself. Checked with the real
 * `netplan generate --root-dir`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPlan } from '../../src/plan/render.js';
import { shapeModel } from '../property/package-shapes.js';
import { missing } from '../support/require.js';
import { writeFilesToTemp } from '../support/tree.js';

const CLOUD_INIT = `# written by cloud-init
network:
  version: 2
  ethernets:
    eth1:
      dhcp4: true
      dhcp6: true
      accept-ra: true
    eth2:
      dhcp4: true
`;

describe.skipIf(missing({ commands: ['netplan'] }))('netplan: a stock 50-cloud-init.yaml for mpgen\'s interfaces', () => {
  for (const distro of ['ubuntu', 'debian'])
    it(`${distro}: no DHCP, no RA on mpgen's uplinks, whatever cloud-init said`, () => {
      const plan = renderPlan(shapeModel({ firewall: 'nftables', keepalive: true, mode: 'multipath' }), distro, distro === 'debian' ? 'netplan' : undefined);
      const root = writeFilesToTemp(plan.files, 'mpgen-netplan-ci-');
      mkdirSync(join(root, 'etc/netplan'), { recursive: true });
      writeFileSync(join(root, 'etc/netplan/50-cloud-init.yaml'), CLOUD_INIT);
      chmodSync(join(root, 'etc/netplan/50-cloud-init.yaml'), 0o600);
      const r = spawnSync('netplan', ['generate', '--root-dir', root], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      for (const iface of ['eth1', 'eth2']) {
        const net = readFileSync(join(root, `run/systemd/network/10-netplan-${iface}.network`), 'utf8');
        expect(net, iface).not.toMatch(/^DHCP=(yes|ipv4|ipv6)/m);
        expect(net, iface).toMatch(/^IPv6AcceptRA=no$/m);
        expect(net, iface).not.toMatch(/^\[DHCPv4\]/m);
      }
    });
});
