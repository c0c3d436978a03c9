/**
 * L3 for PPPoE beside networkd: the real systemd-networkd of this machine (systemd 252) reads the
 * networkd backend's files, and netplan's output with mpgen's drop-ins, in a network namespace
 * (test/support/networkd/run-networkd.ts). A veth ppp0 with a session's address stands for
 * pppd's link, and a catch-all `Name=ppp*` .network stands for any other file that would match
 * it. networkd must bring eth2 up with no address at all and its table's fixed routing, leave
 * ppp0 alone (its state file says unmanaged), and networkd-wait-online must return.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/plan.js';
import { NETWORKD, startNetworkd, type NetworkdProcess } from '../support/networkd/run-networkd.js';
import { missing } from '../support/require.js';
import { writeFilesUnder } from '../support/tree.js';
import { FILE_PROFILE, render } from './networkd-pppoe-support.js';

const WAIT_ONLINE = '/lib/systemd/systemd-networkd-wait-online';
const why = missing({ commands: ['ip', 'nsenter', 'netplan', NETWORKD, WAIT_ONLINE], root: true, netns: true });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
const trySh = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {
      // best effort
    }
  }
});

let seq = 0;
/** A namespace with eth0..eth2 (veths, their peers up in a second namespace) and a ppp0 holding a session's address. */
function lab(): { ns: string; root: string } {
  const ns = `mpgpp${process.pid}x${seq++}`;
  const peer = `${ns}m`;
  const root = mkdtempSync(join(tmpdir(), 'mpgen-ppp-nd-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  for (const n of [ns, peer]) {
    sh('ip', ['netns', 'add', n]);
    cleanups.push(() => sh('ip', ['netns', 'del', n]));
  }
  sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  ['eth0', 'eth1', 'eth2'].forEach((i, k) => {
    sh('ip', ['-n', ns, 'link', 'add', i, 'type', 'veth', 'peer', 'name', `p${k}`, 'netns', peer]);
    sh('ip', ['-n', peer, 'link', 'set', `p${k}`, 'up']);
  });
  // no dummy module on this kernel: a veth stands for pppd's link too
  sh('ip', ['-n', ns, 'link', 'add', 'ppp0', 'type', 'veth', 'peer', 'name', 'pppx', 'netns', peer]);
  sh('ip', ['-n', peer, 'link', 'set', 'pppx', 'up']);
  sh('ip', ['-n', ns, 'link', 'set', 'ppp0', 'up']);
  sh('ip', ['-n', ns, 'addr', 'add', '198.51.100.10', 'peer', '198.51.100.1/32', 'dev', 'ppp0']);
  return { ns, root };
}

/** A file that would take ppp0 if mpgen's did not sort first: an address pppd never set. */
const CATCH_ALL = { path: '/etc/systemd/network/99-catch-ppp.network', content: '[Match]\nName=ppp*\n\n[Network]\nAddress=10.99.0.1/32\n', mode: 0o644 };

const ip = (ns: string, ...a: string[]): string => {
  const r = spawnSync('ip', ['-n', ns, ...a], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout : ''; // a table that does not exist yet
};
/** networkd's state file of a link, read inside its mount namespace (its /run/systemd is private). */
function linkState(nd: NetworkdProcess, ns: string, dev: string): string {
  const index = /^(\d+):/.exec(ip(ns, '-o', 'link', 'show', dev))?.[1];
  const r = spawnSync('nsenter', ['-t', String(nd.child.pid), '-m', 'cat', `/run/systemd/netif/links/${index}`], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout : '';
}

async function until(ok: () => boolean, ms = 30_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await sleep(300);
  return ok();
}

/** Writes the plan's files (and netplan's output) into a lab, starts networkd, waits until eth1 and eth2 are configured. */
async function apply(p: Plan, o: { netplan: boolean; extra?: (typeof CATCH_ALL)[] }): Promise<{ ns: string; nd: NetworkdProcess }> {
  const l = lab();
  writeFilesUnder(l.root, [...p.files, ...(o.extra ?? [])]);
  mkdirSync(join(l.root, 'etc/systemd/network'), { recursive: true });
  if (o.netplan) {
    const g = trySh('netplan', ['generate', '--root-dir', l.root]);
    expect(g.out).toBe('');
    expect(g.status).toBe(0);
  }
  const nd = startNetworkd(l.ns, l.root, { withRun: o.netplan, timeoutS: 60 });
  cleanups.push(nd.stop);
  const ready = await until(() => linkState(nd, l.ns, 'eth2').includes('ADMIN_STATE=configured') && linkState(nd, l.ns, 'eth1').includes('ADMIN_STATE=configured'));
  expect(ready, nd.log()).toBe(true);
  return { ns: l.ns, nd };
}

describe.skipIf(why !== undefined)('systemd-networkd 252 with a PPPoE uplink, in a network namespace (L3)', () => {
  for (const backend of ['networkd', 'netplan'] as const) {
    it(`${backend}: eth2 up without any address and with table 202's fixed routing; ppp0 unmanaged; wait-online returns`, async () => {
      const p = render(FILE_PROFILE, backend, 'debian');
      const { ns, nd } = await apply(p, { netplan: backend === 'netplan', extra: [CATCH_ALL] });
      try {
        const eth2 = linkState(nd, ns, 'eth2');
        expect(eth2).toContain(backend === 'netplan' ? 'NETWORK_FILE=/run/systemd/network/10-netplan-eth2.network' : 'NETWORK_FILE=/etc/systemd/network/10-mpgen-dsl-adsl.network');
        expect(ip(ns, '-o', 'link', 'show', 'eth2')).toMatch(/[<,]UP[,>]/);
        // neither IPv4 (no DHCP, no IPv4LL) nor IPv6 (no link-local, no RA)
        expect(ip(ns, '-o', 'addr', 'show', 'dev', 'eth2')).toBe('');
        const t202 = ip(ns, '-4', 'route', 'show', 'table', '202');
        expect(t202).toMatch(/^prohibit default proto static metric 1/m);
        expect(t202).toMatch(/^prohibit 203\.0\.113\.64\/26 proto static metric 1/m);
        expect(ip(ns, '-4', 'rule', 'show')).toMatch(/^202:\s+from all fwmark 0x200\/0x3f00 lookup 202/m);
        // the static uplink as ever
        expect(ip(ns, '-4', '-o', 'addr', 'show', 'dev', 'eth1')).toContain('192.0.2.2/29');
        // ppp0: networkd took mpgen's Unmanaged= file, not the catch-all; pppd's address stays
        await sleep(2_000);
        const ppp0 = linkState(nd, ns, 'ppp0');
        expect(ppp0, nd.log()).toContain('ADMIN_STATE=unmanaged');
        const addrs = ip(ns, '-4', '-o', 'addr', 'show', 'dev', 'ppp0');
        expect(addrs).toContain('198.51.100.10 peer 198.51.100.1/32');
        expect(addrs).not.toContain('10.99.0.1');
        const online = trySh('nsenter', ['-t', String(nd.child.pid), '-m', '-n', WAIT_ONLINE, '--timeout=20']);
        expect(online.status, online.out).toBe(0);
        // networkd found nothing to complain about in mpgen's files
        expect(nd.log()).not.toMatch(/mpgen-dsl[^\n]*(Unknown|Failed to parse|invalid|ignoring)/i);
      } finally {
        nd.stop();
      }
    });
  }

  it('without mpgen\'s Unmanaged= file the catch-all takes ppp0 (the check can fail)', async () => {
    const p = render(FILE_PROFILE, 'networkd', 'debian');
    const files = p.files.filter((f) => !f.path.endsWith('-ppp.network'));
    const { ns, nd } = await apply({ ...p, files }, { netplan: false, extra: [CATCH_ALL] });
    try {
      expect(await until(() => ip(ns, '-4', '-o', 'addr', 'show', 'dev', 'ppp0').includes('10.99.0.1/32'))).toBe(true);
      expect(linkState(nd, ns, 'ppp0')).not.toContain('ADMIN_STATE=unmanaged');
    } finally {
      nd.stop();
    }
  });

  it('PPPoE uplinks only, no LAN: RequiredForOnline=no-carrier lets wait-online return (with `no` it would wait for nothing and time out)', async () => {
    const only = FILE_PROFILE.replace(/^lan: .*\n/m, '').replace(
      '  - {name: fibre, interface: eth1, address: 192.0.2.2/29, gateway: 192.0.2.1}\n',
      '  - {name: vdsl, interface: eth1, address: pppoe, pppoe: {username: "other@isp.example", password_file: /etc/mpgen/secrets/vdsl}}\n',
    );
    const p = render(only, 'networkd', 'debian');
    const { nd } = await apply(p, { netplan: false });
    try {
      const ok = trySh('nsenter', ['-t', String(nd.child.pid), '-m', '-n', WAIT_ONLINE, '--timeout=20']);
      expect(ok.status, ok.out).toBe(0);
    } finally {
      nd.stop();
    }
    const no = { ...p, files: p.files.map((f) => ({ ...f, content: f.content.replace('RequiredForOnline=no-carrier', 'RequiredForOnline=no') })) };
    const b = await apply(no, { netplan: false });
    try {
      const late = trySh('nsenter', ['-t', String(b.nd.child.pid), '-m', '-n', WAIT_ONLINE, '--timeout=5']);
      expect(late.status).not.toBe(0);
    } finally {
      b.nd.stop();
    }
  });
});
