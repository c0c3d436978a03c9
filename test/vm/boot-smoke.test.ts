/**
 * L4 smoke: the cached Debian 12 image boots under qemu (TCG) with two NICs
 * wired through taps into lab namespaces, the result unit prints the kernel
 * state between markers and powers off; and the busybox-only guest can build
 * a teql bond, which the host kernel cannot.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { missing } from '../support/require.js';
import { runBusyboxGuest } from './busybox-guest.js';
import { buildImage, bootImage, snapshotFromSections, type Image } from './image.js';
import { createLab, type Lab } from './lab-net.js';

const skip = missing({ commands: ['qemu-system-x86_64', 'debootstrap', 'mke2fs', 'cpio', 'busybox'], root: true, netns: true });

describe.skipIf(skip !== undefined)('boot lab smoke (L4)', () => {
  let lab: Lab | undefined;
  let image: Image | undefined;
  afterAll(() => {
    lab?.destroy();
    image?.dispose();
  });

  it('boots Debian 12 with two tap NICs and prints the kernel state', { timeout: 900_000 }, async () => {
    lab = createLab(`mpv${process.pid % 100000}`, [
      { address: '192.0.2.2/29', gateway: '192.0.2.1' },
      { address: '192.0.2.10/29', gateway: '192.0.2.9' },
    ]);
    image = buildImage({
      // ifupdown brings the NICs up with the lab addresses, so traffic can be asserted too
      files: {
        '/etc/network/interfaces.d/lab': {
          content: 'auto ens3\niface ens3 inet static\n  address 192.0.2.2/29\n\nauto ens4\niface ens4 inet static\n  address 192.0.2.10/29\n',
        },
      },
      mask: ['NetworkManager.service', 'NetworkManager-wait-online.service'],
      resultScript: 'ping -c 1 -W 2 -I ens3 192.0.2.1 >/dev/null && echo ping-ens3-ok; ping -c 1 -W 2 -I ens4 192.0.2.9 >/dev/null && echo ping-ens4-ok; true',
    });
    const r = await bootImage(image, { nics: lab.taps.map((tap) => ({ tap })), netns: lab.labNs, timeoutMs: 240_000 });
    console.log(`[boot-lab] image build ${image.buildMs} ms; qemu ${r.runs.map((x) => x.ms).join('+')} ms; guest uptime at result ${r.guestUptimeS} s`);
    if (!r.done) console.log(r.console.slice(-4000));
    expect(r.done).toBe(true);
    expect(r.runs.every((x) => !x.timedOut)).toBe(true);
    const links = JSON.parse(r.sections.link ?? '[]') as Array<{ ifname: string; address?: string }>;
    // virtio-net-pci in slots 3 and 4 come up as ens3 and ens4 under systemd's naming
    const byMac = Object.fromEntries(links.map((l) => [l.address, l.ifname]));
    expect(byMac['52:54:00:12:34:56']).toBe('ens3');
    expect(byMac['52:54:00:12:34:57']).toBe('ens4');
    const snap = snapshotFromSections(r.sections);
    const ens3 = snap.links.find((l) => l.ifname === 'ens3');
    expect(ens3?.addr_info?.some((a) => a.local === '192.0.2.2' && a.prefixlen === 29)).toBe(true);
    expect(snap.sysctl['net.ipv4.conf.all.rp_filter']).toMatch(/^[012]$/);
    expect(snap.rules.some((x) => x.priority === 32766)).toBe(true);
    expect(r.sections.user).toContain('ping-ens3-ok');
    expect(r.sections.user).toContain('ping-ens4-ok');
    expect((r.sections.failed ?? '').trim()).toBe('');
  });

  it('busybox guest: modprobe sch_teql, enslave eth0 and eth1 under teql0', { timeout: 300_000 }, async () => {
    const r = await runBusyboxGuest({
      nics: 2,
      script: [
        'set -e',
        'modprobe sch_teql',
        'ip link set eth0 up; ip link set eth1 up',
        'tc qdisc add dev eth0 root teql0',
        'tc qdisc add dev eth1 root teql0',
        'ip link set teql0 up',
        'ip link show teql0',
        'echo "===MPGEN-BEGIN qdisc==="; tc -j qdisc show; echo "===MPGEN-END qdisc==="',
      ].join('\n'),
    });
    console.log(`[boot-lab] busybox guest ${r.run.ms} ms`);
    expect(r.run.timedOut).toBe(false);
    expect(r.rc).toBe(0);
    expect(r.output).toMatch(/teql0: <[^>]*\bUP\b/);
    const q = JSON.parse(r.sections.qdisc ?? '[]') as Array<{ kind: string; dev: string; root?: boolean }>;
    expect(q.filter((x) => x.kind === 'teql0' && x.root).map((x) => x.dev).sort()).toEqual(['eth0', 'eth1']);
  });

  it('busybox guest reports a failing script as failing', { timeout: 300_000 }, async () => {
    const r = await runBusyboxGuest({ script: 'echo before; tc qdisc add dev nosuch0 root teql0; echo "rc=$?"; exit 3' });
    expect(r.rc).toBe(3);
    expect(r.output).toContain('before');
    expect(r.output).toMatch(/rc=[12]/);
  });
});
