/**
 * The L4 lab network on the host. Only documentation addresses.
 *
 *   guest NIC i ── tap i ─┐ bridge br i          (namespace P-lab, where qemu runs)
 *                         └ veth up i ── lan ─ P-m<i> (a "modem": the uplink's gateway address)
 *                                              wan ─ veth ── P-inet (203.0.113.10/32 on lo)
 *
 * Each modem holds the uplink's gateway on its lan side, forwards, and routes
 * to the internet namespace over a /30 transit link (203.0.113.16 + 4i);
 * the internet namespace routes each guest address back through its modem.
 * killLine(i) takes the modem's far link down while the guest's Ethernet
 * stays up: the seed-004 failure.
 */
import { execFileSync } from 'node:child_process';

export interface LabUplink {
  /** the guest's address on this uplink, with prefix, e.g. "192.0.2.2/29" */
  address: string;
  /** the gateway the guest uses; the modem holds it */
  gateway: string;
}

export interface Lab {
  prefix: string;
  /** run qemu here */
  labNs: string;
  modemNs: string[];
  internetNs: string;
  /** tap names in labNs, one per uplink, for QemuNic.tap */
  taps: string[];
  server: string;
  killLine(i: number): void;
  restoreLine(i: number): void;
  destroy(): void;
}

const sh = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).toString();

export function createLab(prefix: string, uplinks: LabUplink[]): Lab {
  if (!/^[a-z0-9-]{1,12}$/.test(prefix)) throw new Error(`lab prefix must be short [a-z0-9-]: ${prefix}`);
  const labNs = `${prefix}-lab`;
  const internetNs = `${prefix}-inet`;
  const modemNs = uplinks.map((_, i) => `${prefix}-m${i}`);
  const taps = uplinks.map((_, i) => `tap${i}`);
  const server = '203.0.113.10';
  const all = [labNs, internetNs, ...modemNs];
  const destroy = () => {
    for (const n of all) {
      try {
        sh('netns', 'del', n);
      } catch {
        // not there
      }
    }
  };
  try {
    for (const n of all) {
      sh('netns', 'add', n);
      sh('-n', n, 'link', 'set', 'lo', 'up');
    }
    sh('-n', internetNs, 'addr', 'add', `${server}/32`, 'dev', 'lo');
    uplinks.forEach((u, i) => {
      const m = modemNs[i] as string;
      const tap = taps[i] as string;
      sh('-n', labNs, 'tuntap', 'add', tap, 'mode', 'tap');
      sh('-n', labNs, 'link', 'add', `br${i}`, 'type', 'bridge');
      sh('-n', labNs, 'link', 'add', `up${i}`, 'type', 'veth', 'peer', 'name', 'lan', 'netns', m);
      for (const d of [tap, `up${i}`]) sh('-n', labNs, 'link', 'set', d, 'master', `br${i}`, 'up');
      sh('-n', labNs, 'link', 'set', `br${i}`, 'up');
      const prefixLen = u.address.split('/')[1] as string;
      sh('-n', m, 'addr', 'add', `${u.gateway}/${prefixLen}`, 'dev', 'lan');
      sh('-n', m, 'link', 'set', 'lan', 'up');
      const t = 16 + 4 * i;
      sh('-n', m, 'link', 'add', 'wan', 'type', 'veth', 'peer', 'name', `m${i}`, 'netns', internetNs);
      sh('-n', m, 'addr', 'add', `203.0.113.${t + 1}/30`, 'dev', 'wan');
      sh('-n', m, 'link', 'set', 'wan', 'up');
      sh('-n', m, 'route', 'add', 'default', 'via', `203.0.113.${t + 2}`);
      sh('netns', 'exec', m, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward');
      sh('-n', internetNs, 'addr', 'add', `203.0.113.${t + 2}/30`, 'dev', `m${i}`);
      sh('-n', internetNs, 'link', 'set', `m${i}`, 'up');
      // a host route: two uplinks may share a subnet (seed 004)
      sh('-n', internetNs, 'route', 'add', `${u.address.split('/')[0]}/32`, 'via', `203.0.113.${t + 1}`);
    });
  } catch (e) {
    destroy();
    throw e;
  }
  return {
    prefix,
    labNs,
    modemNs,
    internetNs,
    taps,
    server,
    killLine: (i) => void sh('-n', modemNs[i] as string, 'link', 'set', 'wan', 'down'),
    restoreLine: (i) => {
      sh('-n', modemNs[i] as string, 'link', 'set', 'wan', 'up');
      sh('-n', modemNs[i] as string, 'route', 'replace', 'default', 'via', `203.0.113.${16 + 4 * i + 2}`);
    },
    destroy,
  };
}
