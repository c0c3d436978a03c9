/**
 * The steering lab: a router namespace with two uplinks, each a veth to its own modem namespace,
 * and a LAN namespace. Both modems hold the same far address (203.0.113.50 on lo), so a flow from
 * the LAN reaches it by either line, and each modem counts what arrives per destination port with
 * nft counters. The router gets the state's addresses, routes, rules and sysctls by ip(8) and
 * sysctl(8), and its firewall through the rendered loader (`start`), so the lab runs exactly the
 * rendered ruleset. Documentation addresses only; nothing leaves the namespaces.
 */
import { spawnSync } from 'node:child_process';
import type { KernelState, Route, Rule } from '../../src/state/state.js';
import { routeWords, nexthopArgs } from '../../src/backends/eni-commands.js';
import { sysctlKey, tableWord, targetText } from '../../src/state/query.js';
import { cidrText, literal } from '../../src/state/value.js';
import { sandboxed, type ShRun } from '../backends/firewall-steer-support.js';

const TIMEOUT = 30_000;
export const FAR = '203.0.113.50';
export const LAN_HOST = '198.51.100.2';
/** the destination ports the modems count */
export const COUNTED = { udp: [5001, 5002, 5060], tcp: [443] };

export const ruleArgs = (r: Rule): string[] => [
  'priority', String(r.priority),
  ...(r.from ? ['from', cidrText(r.from)] : []),
  ...(r.fwmark !== undefined ? ['fwmark', `0x${r.fwmark.toString(16)}/0x${(r.mask ?? 0xffffffff).toString(16)}`] : []),
  'lookup', tableWord(r.table),
  ...(r.suppressPrefixLength !== undefined ? ['suppress_prefixlength', String(r.suppressPrefixLength)] : []),
];

export function routeArgs(r: Route): string[] {
  if (r.role === 'multipath') return [targetText(r), 'proto', r.protocol, 'table', String(r.table), ...r.nexthops.flatMap((n) => nexthopArgs(n).split(' '))];
  return routeWords(r).split(' ');
}

export class SteerLab {
  readonly router: string;
  readonly lan: string;
  readonly modems: string[];
  private readonly made: string[] = [];

  constructor(tag: string) {
    this.router = `mpfw-${process.pid}-${tag}`;
    this.lan = `${this.router}-lan`;
    this.modems = [0, 1].map((i) => `${this.router}-m${i}`);
  }

  /** ip -n NS ARGS; throws with stderr on failure. */
  ip(ns: string, ...args: string[]): string {
    const r = spawnSync('ip', ['-n', ns, ...args], { encoding: 'utf8', timeout: TIMEOUT });
    if (r.status !== 0) throw new Error(`ip -n ${ns} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** A command in NS; never throws. */
  exec(ns: string, args: string[], input?: string): ShRun {
    const r = spawnSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', timeout: TIMEOUT, input });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
  }

  private must(ns: string, args: string[], input?: string): string {
    const r = this.exec(ns, args, input);
    if (r.code !== 0) throw new Error(`${ns}: ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  private addNs(name: string): void {
    const r = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8', timeout: TIMEOUT });
    if (r.status !== 0) throw new Error(`ip netns add ${name}: ${r.stderr}`);
    this.made.push(name);
    this.ip(name, 'link', 'set', 'lo', 'up');
  }

  /** The namespaces, links, modems and LAN host; the router's state from S. */
  build(s: KernelState): void {
    for (const ns of [this.router, this.lan, ...this.modems]) this.addNs(ns);
    const uplinks = s.links.filter((l) => s.uplinks.some((u) => u.interface === l.interface));
    uplinks.forEach((l, i) => {
      const modem = this.modems[i]!;
      const gw = s.routes.find((r) => r.role === 'uplink' && r.interface === l.interface)!.gateway!;
      const prefix = s.addresses.find((a) => a.interface === l.interface)!.local.prefix;
      this.ip(this.router, 'link', 'add', l.interface, 'type', 'veth', 'peer', 'name', 'wan', 'netns', modem);
      this.ip(modem, 'addr', 'add', `${literal(gw)}/${prefix}`, 'dev', 'wan');
      this.ip(modem, 'link', 'set', 'wan', 'up');
      this.ip(modem, 'addr', 'add', `${FAR}/32`, 'dev', 'lo');
      const counters = [...COUNTED.udp.map((p) => `add rule ip cnt in udp dport ${p} counter`), ...COUNTED.tcp.map((p) => `add rule ip cnt in tcp dport ${p} counter`)];
      this.must(modem, ['nft', '-f', '-'], ['add table ip cnt', 'add chain ip cnt in { type filter hook prerouting priority 0; }', ...counters, ''].join('\n'));
    });
    const lanLink = s.addresses.find((a) => a.owner === 'lan')!;
    this.ip(this.router, 'link', 'add', lanLink.interface, 'type', 'veth', 'peer', 'name', 'host', 'netns', this.lan);
    this.ip(this.lan, 'addr', 'add', `${LAN_HOST}/${lanLink.local.prefix}`, 'dev', 'host');
    this.ip(this.lan, 'link', 'set', 'host', 'up');
    this.ip(this.lan, 'route', 'add', 'default', 'via', literal(lanLink.local.addr));
    for (const a of s.addresses) {
      this.ip(this.router, 'addr', 'add', cidrText(a.local), 'dev', a.interface, ...(a.noPrefixRoute ? ['noprefixroute'] : []));
      this.ip(this.router, 'link', 'set', a.interface, 'up');
    }
    for (const r of s.routes) this.ip(this.router, 'route', 'replace', ...routeArgs(r));
    for (const r of s.rules) this.ip(this.router, 'rule', 'add', ...ruleArgs(r));
    for (const c of s.sysctls) this.must(this.router, ['sysctl', '-q', '-w', `${sysctlKey(c.path)}=${c.value}`]);
  }

  /** The rendered loader in the router, with ETC on /etc/mpgen and RUN on /run. */
  firewall(etc: string, run: string, helper: string, args: string[]): ShRun {
    return sandboxed(['ip', 'netns', 'exec', this.router], etc, run, 'exec dash "$@"', [helper, ...args]);
  }

  /** N datagrams from the LAN host's SPORT to FAR:DPORT: one flow while its conntrack entry lives. */
  udp(sport: number, dport: number, n = 3): void {
    const py = 'import socket,sys\ns=socket.socket(2,2)\ns.setsockopt(1,2,1)\ns.bind((sys.argv[1],int(sys.argv[2])))\nfor _ in range(int(sys.argv[5])): s.sendto(b"x",(sys.argv[3],int(sys.argv[4])))\n';
    this.must(this.lan, ['/usr/bin/python3', '-c', py, LAN_HOST, String(sport), FAR, String(dport), String(n)]);
  }

  /** N datagrams from modem I (its wan address, SPORT) to the router's address DST:DPORT. */
  udpFromModem(i: number, dst: string, sport: number, dport: number, n = 2): void {
    const py = 'import socket,sys\ns=socket.socket(2,2)\ns.setsockopt(1,2,1)\ns.bind(("0.0.0.0",int(sys.argv[1])))\nfor _ in range(int(sys.argv[4])): s.sendto(b"x",(sys.argv[2],int(sys.argv[3])))\n';
    this.must(this.modems[i]!, ['/usr/bin/python3', '-c', py, String(sport), dst, String(dport), String(n)]);
  }

  /** A TCP connect from the LAN host to FAR:DPORT: "ok" or the error the socket saw. */
  tcp(dport: number): string {
    const py = 'import socket,sys\ns=socket.socket(2,1)\ns.settimeout(2)\ntry:\n s.connect((sys.argv[1],int(sys.argv[2])))\n print("ok")\nexcept OSError as e:\n print(e.errno)\n';
    return this.must(this.lan, ['/usr/bin/python3', '-c', py, FAR, String(dport)]).trim();
  }

  /** Packets modem I counted to PROTO dport PORT. */
  count(i: number, proto: 'udp' | 'tcp', port: number): number {
    const out = this.must(this.modems[i]!, ['nft', 'list', 'chain', 'ip', 'cnt', 'in']);
    const m = new RegExp(`${proto} dport ${port} counter packets (\\d+)`).exec(out);
    if (!m) throw new Error(`no counter ${proto} ${port} in ${out}`);
    return Number(m[1]);
  }

  /** The ct mark of the router's UDP connection from SPORT to DPORT (undefined when there is none). */
  ctMark(sport: number, dport: number): number | undefined {
    const out = this.must(this.router, ['conntrack', '-L', '-p', 'udp', '--orig-port-src', String(sport), '--orig-port-dst', String(dport)]);
    const m = /mark=(\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  }

  destroy(): void {
    for (const ns of [...this.made].reverse()) spawnSync('ip', ['netns', 'del', ns], { timeout: TIMEOUT });
    this.made.length = 0;
  }
}
