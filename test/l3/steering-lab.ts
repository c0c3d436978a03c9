/**
 * The steering lab of issue 12: a router that runs what mpgen renders for debian (real ifupdown,
 * the rendered nftables file through its loader, the rendered keepalive daemon), four modems, an
 * internet and a LAN, all network namespaces.
 *
 *   lan host 198.51.100.2/25 -- lan0 router upI 192.0.2.(8I+2)/29 -- r modemI w 198.51.100.(128+8I+2)/29 -- mI internet
 *                                                                                         203.0.113.10/32 on lo
 *
 * The router masquerades (the rendered firewall file). A connection whose packets move to another
 * line breaks as it would for real: the kernel's masquerade drops a packet whose output interface
 * changed and kills its conntrack entry, the next packet is masqueraded with the other line's
 * address, and the server does not know that peer (TCP: a reset; the UDP echo server keeps its
 * first peer per flow, as a stateful UDP service does). Each modem also drops what enters from
 * the router with another source than the router's address on its line (BCP38, as an ISP does),
 * for packets that would leave by the wrong line with their old address. A modem "dies" by
 * dropping everything it forwards: its own address still answers, the far path is dead.
 * Only documentation ranges, only namespaces created here (prefix mpst-PID-).
 * Used by test/l3/steering.test.ts and bench/steering.ts.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelFromText } from '../../src/model/load.js';
import type { Model } from '../../src/model/model.js';
import { renderPlan } from '../../src/plan/render.js';
import type { Plan } from '../../src/plan/plan.js';
import { writeFilesToTemp } from '../support/tree.js';
import { assertLabTargets } from '../support/lab-targets.js';

const TIMEOUT = 30_000;
export const SERVER = '203.0.113.10';
export const LAN_HOST = '198.51.100.2';
export const N_UPLINKS = 4;
/** the router's address on line i (1-based): the masquerade address of its connections */
export const routerAddr = (i: number) => `192.0.2.${8 * i + 2}`;
export const gatewayAddr = (i: number) => `192.0.2.${8 * i + 1}`;
const modemFar = (i: number) => `198.51.100.${128 + 8 * i + 2}`;
const internetSide = (i: number) => `198.51.100.${128 + 8 * i + 1}`;
/** the contract of issue 12: uplink index k (0-based) has the mark (k+1) << 8 within this mask */
export const MARK_MASK = 0x3f00;
/** the mark of line i (1-based, as the lab numbers them): 0x100 for line 1 */
export const markOf = (i: number) => i << 8;

export interface SteeringOptions {
  /** routing.pin_flows; undefined: the default */
  pinFlows?: boolean;
  /** tier per line, 1-based list; default all 1 */
  tiers?: number[];
  policies?: { name: string; match: Record<string, unknown>; uplinks: string[]; fallback?: 'balance' | 'none' }[];
}

/** The lab's profile: 4 masqueraded lines probed through 203.0.113.10, a fast keepalive, nftables. */
export function steeringProfile(o: SteeringOptions = {}): string {
  const uplinks = Array.from({ length: N_UPLINKS }, (_, k) => {
    const i = k + 1;
    const u: Record<string, unknown> = { name: `line${i}`, interface: `up${i}`, address: `${routerAddr(i)}/29`, gateway: gatewayAddr(i), probe: [SERVER] };
    if (o.tiers?.[k] !== undefined) u.tier = o.tiers[k];
    return u;
  });
  const profile: Record<string, unknown> = {
    version: 1,
    name: 'steer',
    mode: 'multipath',
    lan: { interface: 'lan0', address: '198.51.100.1/25' },
    uplinks,
    nat: 'masquerade',
    firewall: 'nftables',
    routing: { multipath_table: 222, rule_priority_base: 200, hash: 'l4', ...(o.pinFlows === undefined ? {} : { pin_flows: o.pinFlows }) },
    keepalive: { interval: '100ms', timeout: '300ms', down: 3, up: 5, targets: [SERVER] },
  };
  if (o.policies) profile.policies = o.policies;
  // JSON is YAML: the real loader reads it
  return JSON.stringify(profile, null, 2);
}

export interface Run {
  code: number;
  out: string;
}

/**
 * Run in the router namespace with the rendered tree where the target has it: /usr/libexec and
 * /etc/mpgen bind-mounted from the tree, /run/mpgen from the lab's run directory (ip netns exec
 * gives each command a private mount namespace, a slave of the host's: the host sees none of it).
 */
const IN_TREE = [
  'set -e',
  'root=$1; run=$2; shift 2',
  'mount --bind "$root/usr/libexec" /usr/libexec',
  'mount --bind "$root/etc/mpgen" /etc/mpgen',
  'mount -t tmpfs mpst /run',
  'mkdir -p /run/mpgen',
  'mount --bind "$run" /run/mpgen',
  'exec "$@"',
].join('\n');

export class SteeringLab {
  readonly prefix: string;
  readonly ns: { router: string; internet: string; lan: string; modem: (i: number) => string };
  readonly model: Model;
  readonly plan: Plan;
  readonly root: string;
  readonly dir: string;
  readonly run: string;
  daemon?: ChildProcess;
  daemonOutput = '';
  private created: string[] = [];

  constructor(
    readonly tag: string,
    readonly profileText: string,
  ) {
    this.prefix = `mpst-${process.pid}-${tag}`;
    this.ns = { router: `${this.prefix}-r`, internet: `${this.prefix}-i`, lan: `${this.prefix}-l`, modem: (i) => `${this.prefix}-m${i}` };
    this.model = loadModelFromText(profileText, `test/l3/steering-lab.ts (${tag})`).model;
    this.plan = renderPlan(this.model, 'debian');
    this.root = writeFilesToTemp(this.plan.files, `mpst-root-${tag}-`);
    this.dir = mkdtempSync(join(tmpdir(), `mpst-${tag}-`));
    this.run = join(this.dir, 'run');
    mkdirSync(this.run);
    mkdirSync(join(this.dir, 'ifstate'));
  }

  /** The rendered file that ends with `suffix`, as a path under the tree. */
  file(suffix: string): string {
    const f = this.plan.files.find((x) => x.path.endsWith(suffix));
    if (!f) throw new Error(`no ${suffix} in the debian plan`);
    return `${this.root}${f.path}`;
  }

  ip(ns: string, ...args: string[]): string {
    return execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8', timeout: TIMEOUT, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Runs a command in a namespace; never throws. */
  exec(ns: string, args: string[], input?: string): Run {
    const r = spawnSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', timeout: TIMEOUT, input });
    return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
  }

  /** Runs a command in the router namespace with the rendered tree mounted (IN_TREE). */
  inTree(args: string[]): Run {
    return this.exec(this.ns.router, ['sh', '-c', IN_TREE, 'sh', this.root, this.run, ...args]);
  }

  private must(r: Run, what: string): string {
    if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.out}`);
    return r.out;
  }

  private addNs(name: string): void {
    execFileSync('ip', ['netns', 'add', name], { timeout: TIMEOUT });
    this.created.push(name);
    this.ip(name, 'link', 'set', 'lo', 'up');
  }

  /** Namespaces and links; the router gets only its interfaces (ifupdown configures them). */
  build(): void {
    const { router, internet, lan } = this.ns;
    for (const ns of [router, internet, lan]) this.addNs(ns);
    this.ip(internet, 'addr', 'add', `${SERVER}/32`, 'dev', 'lo');
    // One LAN host stands for a whole LAN here: the router's ICMP rate limit per destination (a
    // burst of 6, then 1/s) would hold back the refusals a policy sends it, one per connection.
    this.must(this.exec(router, ['sysctl', '-qw', 'net.ipv4.icmp_ratelimit=0']), 'router icmp_ratelimit');
    for (let i = 1; i <= N_UPLINKS; i++) {
      const m = this.ns.modem(i);
      this.addNs(m);
      this.ip(router, 'link', 'add', `up${i}`, 'type', 'veth', 'peer', 'name', 'r', 'netns', m);
      this.ip(m, 'link', 'add', 'w', 'type', 'veth', 'peer', 'name', `m${i}`, 'netns', internet);
      this.ip(m, 'addr', 'add', `${gatewayAddr(i)}/29`, 'dev', 'r');
      this.ip(m, 'addr', 'add', `${modemFar(i)}/29`, 'dev', 'w');
      this.ip(internet, 'addr', 'add', `${internetSide(i)}/29`, 'dev', `m${i}`);
      for (const [ns, dev] of [[m, 'r'], [m, 'w'], [internet, `m${i}`]] as const) this.ip(ns, 'link', 'set', dev, 'up');
      this.ip(m, 'route', 'add', 'default', 'via', internetSide(i));
      this.ip(internet, 'route', 'add', `192.0.2.${8 * i}/29`, 'via', modemFar(i));
      this.must(this.exec(m, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']), 'modem forwarding');
      this.modem(i, 'up');
    }
    this.ip(router, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'host', 'netns', lan);
    this.ip(lan, 'addr', 'add', `${LAN_HOST}/25`, 'dev', 'host');
    this.ip(lan, 'link', 'set', 'host', 'up');
    this.ip(lan, 'route', 'add', 'default', 'via', '198.51.100.1');
  }

  /**
   * The modem's forward chain: BCP38 always (only the router's line address may leave towards the
   * internet); `dead` drops everything it forwards, silently, both ways.
   */
  modem(i: number, state: 'up' | 'dead'): void {
    const dead = state === 'dead' ? '\n  drop' : '';
    const rules = `table inet lab\ndelete table inet lab\ntable inet lab {\n chain forward {\n  type filter hook forward priority 0; policy accept;\n  iifname "r" ip saddr != ${routerAddr(i)} counter drop${dead}\n }\n}\n`;
    this.must(this.exec(this.ns.modem(i), ['nft', '-f', '-'], rules), `modem ${i} ${state}`);
  }

  /** What a debian box does at boot, in order: sysctl.d, the firewall unit, ifup -a. */
  apply(): void {
    this.must(this.exec(this.ns.router, ['sysctl', '-q', '-p', this.file(`/sysctl.d/90-mpgen-${this.model.name}.conf`)]), 'sysctl -p');
    const fw = this.plan.files.find((f) => f.path.endsWith(`/${this.model.name}-firewall`));
    if (!fw) throw new Error('no firewall loader in the plan');
    this.must(this.inTree([fw.path, 'start', this.model.name]), 'firewall start');
    const interfaces = this.file(`/interfaces.d/mpgen-${this.model.name}`);
    this.must(this.inTree(['ifup', '-a', '-i', interfaces, '--state-dir', join(this.dir, 'ifstate')]), 'ifup -a');
  }

  /** The rendered keepalive, as its unit runs it (ExecStart), in the router namespace. */
  startKeepalive(): void {
    const script = this.plan.files.find((f) => f.path.endsWith(`/${this.model.name}-keepalive`));
    if (!script) throw new Error('no keepalive in the plan');
    const conf = this.plan.files.find((f) => f.path === `/etc/mpgen/${this.model.name}.conf`);
    if (!conf) throw new Error('no keepalive configuration in the plan');
    assertLabTargets(conf.content);
    this.daemonOutput = '';
    const child = spawn('ip', ['netns', 'exec', this.ns.router, 'sh', '-c', IN_TREE, 'sh', this.root, this.run, 'dash', script.path, 'run', this.model.name], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (this.daemonOutput += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.daemonOutput += d.toString()));
    this.daemon = child;
  }

  async stopKeepalive(): Promise<void> {
    const c = this.daemon;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const done = new Promise<void>((res) => c.once('close', () => res()));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(t);
  }

  status(): string {
    const f = join(this.run, `${this.model.name}.status`);
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  /** Line numbers (1-based) that are nexthops of the multipath route, sorted. */
  balance(): number[] {
    const out = this.ip(this.ns.router, '-o', 'route', 'show', 'table', String(this.model.routing.multipathTable));
    const line = out.split('\n').find((l) => l.startsWith('default'));
    if (!line) return [];
    return [...line.matchAll(/\bdev up(\d+)/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  }

  conntrack(): ConntrackEntry[] {
    const r = this.exec(this.ns.router, ['conntrack', '-L', '-f', 'ipv4']);
    return parseConntrack(r.out);
  }

  async destroy(): Promise<void> {
    await this.stopKeepalive();
    for (const ns of [...this.created].reverse()) spawnSync('ip', ['netns', 'del', ns], { timeout: TIMEOUT });
    this.created = [];
    rmSync(this.root, { recursive: true, force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ConntrackEntry {
  proto: string;
  src: string;
  sport: number;
  dport: number;
  /** the reply tuple's destination: the masquerade address, so the line that carries it */
  replyDst: string;
  mark: number;
}

/** `conntrack -L` lines: the first src/dst/sport/dport are the original tuple, the second the reply. */
export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const proto = /^(tcp|udp|icmp)\s/.exec(line)?.[1];
    if (!proto) continue;
    const all = (k: string) => [...line.matchAll(new RegExp(`\\b${k}=(\\S+)`, 'g'))].map((m) => m[1]!);
    const src = all('src');
    const dst = all('dst');
    out.push({
      proto,
      src: src[0] ?? '',
      sport: Number(all('sport')[0] ?? 0),
      dport: Number(all('dport')[0] ?? 0),
      replyDst: dst[1] ?? '',
      mark: Number(all('mark')[0] ?? 0),
    });
  }
  return out;
}

/** The line (1-based) whose router address is `addr`, or 0. */
export function lineOf(addr: string): number {
  for (let i = 1; i <= N_UPLINKS; i++) if (routerAddr(i) === addr) return i;
  return 0;
}

/** Namespaces of this process left by a crashed run, by our prefix only. */
export function leftoverSteering(): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: TIMEOUT }).stdout ?? '';
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`mpst-${process.pid}-`));
}
