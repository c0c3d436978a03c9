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
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LabUplink {
  /** the guest's address on this uplink, with prefix, e.g. "192.0.2.2/29" */
  address: string;
  /** the gateway the guest uses; the modem holds it */
  gateway: string;
  /**
   * a DHCP line: the modem's dnsmasq leases `address` (and no other) with `gateway` as the router,
   * for 2 minutes (dnsmasq's shortest), so the guest's client renews about every minute
   */
  dhcp?: boolean;
}

export interface LabOptions {
  /**
   * An address every modem also holds on its lan side (/32), e.g. a teql
   * bond's gateway: "the address common to all routers".
   */
  sharedGateway?: string;
  /**
   * Guest addresses outside the uplinks (e.g. a teql bond address): every
   * modem routes them onto its lan, the internet namespace routes them back
   * through modem 0.
   */
  routeBack?: string[];
}

/** Packets per named counter, per modem (index = uplink). */
export type ModemCounts = Array<Record<string, number>>;

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
  /**
   * Count UDP packets that arrive at every modem from the guest, by
   * destination port range: {name: [lo, hi]}. Counted in the modem's
   * prerouting on its lan side (nftables), so exact and blind to the
   * keepalive's ICMP probes. The internet namespace counts them too, and
   * drops them (a sink: no port-unreachable errors go back).
   */
  countUdp(ranges: Record<string, [number, number]>): void;
  /** per modem (index = uplink) and at the internet server, packets per counter */
  readCounts(): { modems: ModemCounts; internet: Record<string, number> };
  /**
   * BCP38 in every modem: forwarded packets from the lan whose source is not
   * the uplink's address (or a routeBack address) are dropped and counted,
   * so a flow that moved lines after its NAT was fixed is lost.
   */
  dropSpoofed(): void;
  /** per modem, packets dropped by dropSpoofed() */
  readSpoofed(): number[];
  /**
   * Run `node -e script server port` in the internet namespace until
   * destroy() (the script bounds its own life too). Its stderr is kept.
   */
  startServer(script: string, port: number): { stderr: () => string };
  /**
   * The ISP renumbers DHCP line i: the modem answers at `to.gateway` too, its dnsmasq leases
   * `to.address` from now on (the guest's next renewal gets a NAK, then the new lease), the
   * internet namespace routes the new address back; the modem's BCP38 table goes (its flows are over).
   */
  renumberDhcp(i: number, to: { address: string; gateway: string }): void;
  destroy(): void;
}

const sh = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).toString();

const netmask = (prefix: number): string => {
  const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [m >>> 24, (m >>> 16) & 255, (m >>> 8) & 255, m & 255].join('.');
};

/** dnsmasq in the modem, in the foreground (destroy() kills it): the uplink's address is its one lease. */
function dhcpServer(ns: string, u: LabUplink, state: string): ChildProcess {
  const [addr, len] = u.address.split('/') as [string, string];
  return spawn(
    'ip',
    [
      'netns', 'exec', ns, 'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--interface=lan', '--bind-interfaces', '--dhcp-authoritative',
      `--dhcp-range=${addr},${addr},${netmask(Number(len))},2m`, `--dhcp-option=3,${u.gateway}`, `--dhcp-leasefile=${state}/leases`, `--pid-file=${state}/pid`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

export function createLab(prefix: string, uplinks: LabUplink[], opts: LabOptions = {}): Lab {
  if (!/^[a-z0-9-]{1,12}$/.test(prefix)) throw new Error(`lab prefix must be short [a-z0-9-]: ${prefix}`);
  const labNs = `${prefix}-lab`;
  const internetNs = `${prefix}-inet`;
  const modemNs = uplinks.map((_, i) => `${prefix}-m${i}`);
  const taps = uplinks.map((_, i) => `tap${i}`);
  const server = '203.0.113.10';
  const all = [labNs, internetNs, ...modemNs];
  const servers: ChildProcess[] = [];
  const dirs: string[] = [];
  const dhcpd = new Map<number, ChildProcess>();
  /** BCP38 drops counted before a renumbering removed the modem's table */
  const spoofedBefore = new Map<number, number>();
  const readSpoofedOf = (i: number): number => {
    const out = execFileSync('ip', ['netns', 'exec', modemNs[i] as string, 'nft', '-j', 'list', 'counter', 'ip', 'mpgenlab_bcp38', 'spoofed'], { timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    const c = (JSON.parse(out) as { nftables: Array<{ counter?: { packets: number } }> }).nftables.find((o) => o.counter);
    return c?.counter?.packets ?? 0;
  };
  const destroy = () => {
    // a namespace's processes outlive `ip netns del`
    for (const p of servers) if (p.exitCode === null) p.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
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
      if (opts.sharedGateway) sh('-n', m, 'addr', 'add', `${opts.sharedGateway}/32`, 'dev', 'lan');
      sh('-n', m, 'link', 'set', 'lan', 'up');
      if (u.dhcp) {
        dirs.push(mkdtempSync(join(tmpdir(), 'mpgen-lab-dhcp-')));
        const p = dhcpServer(m, u, dirs[dirs.length - 1] as string);
        servers.push(p);
        dhcpd.set(i, p);
      }
      for (const a of opts.routeBack ?? []) sh('-n', m, 'route', 'add', `${a.split('/')[0]}/32`, 'dev', 'lan');
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
    for (const a of opts.routeBack ?? []) sh('-n', internetNs, 'route', 'add', `${a.split('/')[0]}/32`, 'via', '203.0.113.17');
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
    countUdp: (ranges) => {
      const names = Object.keys(ranges);
      for (const n of names) if (!/^[a-z][a-z0-9_]{0,30}$/.test(n)) throw new Error(`counter name must be [a-z][a-z0-9_]*: ${n}`);
      const ruleset = (hook: string, match: string, verdict: string) =>
        [
          'table inet mpgenlab {',
          ...names.map((n) => `  counter ${n} { }`),
          '  chain c {',
          `    type filter hook ${hook} priority -300; policy accept;`,
          ...names.map((n) => {
            const [lo, hi] = ranges[n] as [number, number];
            return `    ${match} udp dport ${lo}-${hi} counter name "${n}"${verdict}`;
          }),
          '  }',
          '}',
          '',
        ].join('\n');
      const load = (ns: string, text: string) => {
        try {
          execFileSync('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', 'mpgenlab'], { stdio: 'ignore', timeout: 30_000 });
        } catch {
          // not there yet
        }
        execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: text, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
      };
      // modems count what the guest sends them; the internet namespace is the
      // sink: it counts what arrives for the server and drops it (no ICMP errors back)
      for (const m of modemNs) load(m, ruleset('prerouting', 'iifname "lan"', ''));
      load(internetNs, ruleset('input', `ip daddr ${server}`, ' drop'));
    },
    readCounts: () => {
      const read = (ns: string) => {
        const out = execFileSync('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'counters', 'table', 'inet', 'mpgenlab'], { timeout: 30_000 }).toString();
        const counts: Record<string, number> = {};
        for (const o of (JSON.parse(out) as { nftables: Array<{ counter?: { name: string; packets: number } }> }).nftables) {
          if (o.counter) counts[o.counter.name] = o.counter.packets;
        }
        return counts;
      };
      return { modems: modemNs.map(read), internet: read(internetNs) };
    },
    dropSpoofed: () => {
      uplinks.forEach((u, i) => {
        const own = [u.address.split('/')[0] as string, ...(opts.routeBack ?? []).map((a) => a.split('/')[0] as string)];
        const text = [
          'table ip mpgenlab_bcp38 {',
          '  counter spoofed { }',
          '  chain f {',
          '    type filter hook forward priority -10; policy accept;',
          `    iifname "lan" ip saddr != { ${own.join(', ')} } counter name "spoofed" drop`,
          '  }',
          '}',
          '',
        ].join('\n');
        execFileSync('ip', ['netns', 'exec', modemNs[i] as string, 'nft', '-f', '-'], { input: text, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
      });
    },
    readSpoofed: () => modemNs.map((_, i) => spoofedBefore.get(i) ?? readSpoofedOf(i)),
    startServer: (script, port) => {
      const p = spawn('ip', ['netns', 'exec', internetNs, process.execPath, '-e', script, server, String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
      servers.push(p);
      let err = '';
      p.stderr?.on('data', (d: Buffer) => {
        if (err.length < 4000) err += d.toString();
      });
      return { stderr: () => err };
    },
    renumberDhcp: (i, to) => {
      const m = modemNs[i] as string;
      const old = dhcpd.get(i);
      if (!old) throw new Error(`lab: uplink ${i} is no DHCP line`);
      old.kill('SIGKILL');
      const len = to.address.split('/')[1] as string;
      sh('-n', m, 'addr', 'add', `${to.gateway}/${len}`, 'dev', 'lan');
      try {
        spoofedBefore.set(i, readSpoofedOf(i));
        execFileSync('ip', ['netns', 'exec', m, 'nft', 'delete', 'table', 'ip', 'mpgenlab_bcp38'], { stdio: 'ignore', timeout: 30_000 });
      } catch {
        // not there
      }
      sh('-n', internetNs, 'route', 'replace', `${to.address.split('/')[0]}/32`, 'via', `203.0.113.${16 + 4 * i + 1}`);
      dirs.push(mkdtempSync(join(tmpdir(), 'mpgen-lab-dhcp-')));
      const p = dhcpServer(m, { address: to.address, gateway: to.gateway }, dirs[dirs.length - 1] as string);
      servers.push(p);
      dhcpd.set(i, p);
    },
    destroy,
  };
}
