/**
 * The keepalive's namespace lab (L3): one router namespace that
 * runs the real script with the rendered configuration, one modemN per uplink
 * and one internet namespace holding 203.0.113.10/32 on lo.
 *
 *   router rN 198.51.100.(8N+2)/29 <-> mN 198.51.100.(8N+1)  modemN  wN 192.0.2.(8N+2)/29 <-> iN 192.0.2.(8N+1)  internet
 *
 * The router gets what a renderer installs for multipath mode (seed 001):
 * per-uplink tables 200+N with rules `from ADDRESS/32 lookup T` (Uplink.ruleFrom), the
 * `lookup main suppress_prefixlength 0` rule and the multipath route in table
 * 222. Only documentation ranges, only inside namespaces created here.
 * Used by test/keepalive/*.test.ts and bench/keepalive.ts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync, watch, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Keepalive, Mode, Model, Uplink } from '../../src/model/model.js';
import { keepaliveConfig } from '../../src/backends/keepalive.js';
import { keepaliveScript } from '../../src/keepalive/script.js';
import { marker } from '../../src/backends/backend.js';
import { kernelState } from '../../src/state/build.js';
import { assertLabTargets } from '../support/lab-targets.js';

/** The keepalive configuration of a model, translated from its kernel state as a render does. */
export const configOf = (model: Model): string => keepaliveConfig(kernelState(model), model);

export const TARGET = '203.0.113.10';
export const TABLE = 222;

export function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function trySh(cmd: string, args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: sh(cmd, args) };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

export function cidr(address: string, prefix: number) {
  const parts = address.split('.').map(Number) as [number, number, number, number];
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const n = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
  const net = (n & mask) >>> 0;
  const network = [net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join('.');
  const netmask = [mask >>> 24, (mask >>> 16) & 255, (mask >>> 8) & 255, mask & 255].join('.');
  return { cidr: `${address}/${prefix}`, address, prefix, netmask, network, networkCidr: `${network}/${prefix}` };
}

export const routerAddr = (i: number) => `198.51.100.${8 * i + 2}`;
export const modemAddr = (i: number) => `198.51.100.${8 * i + 1}`;

/** A hand-built Model of the lab (uplinks numbered 1..n, interfaces r1..rn). */
export function labModel(opts: { name?: string; n: number; keepalive?: Partial<Keepalive>; mode?: Mode; probe?: (i: number) => string[]; weights?: number[] }): Model {
  const mode = opts.mode ?? 'multipath';
  const uplinks: Uplink[] = [];
  for (let i = 1; i <= opts.n; i++) {
    uplinks.push({
      index: i - 1,
      name: `line${i}`,
      interface: `r${i}`,
      addressing: 'static',
      device: `r${i}`,
      probeGateway: false,
      address: cidr(routerAddr(i), 29),
      gateway: modemAddr(i),
      onlink: false,
      weight: opts.weights?.[i - 1] ?? 1,
      table: 200 + i,
      rulePriority: 200 + i,
      ruleFrom: `${routerAddr(i)}/32`,
      noPrefixRoute: false,
      nat: 'none',
      probe: opts.probe ? opts.probe(i) : [TARGET],
      far: [],
      tier: 1,
    });
  }
  return {
    name: opts.name ?? 'lab',
    source: 'test/keepalive/lab.ts',
    mode,
    uplinks,
    bond: mode === 'teql' ? { interface: 'teql0', index: 0, address: cidr('203.0.113.129', 29), gateway: '203.0.113.134', nat: 'none' } : undefined,
    routes: ['default'],
    routing: { multipathTable: TABLE, rulePriorityBase: 200, mainRulePriority: 200, multipathRulePriority: 222, prohibitFallback: false, hash: 'l4', hashPolicy: 1, pinFlows: false },
    policies: [],
    nat: 'none',
    firewall: 'none',
    sysctl: { rpFilter: 'loose', rpFilterValue: 2, forwarding: true },
    keepalive: { enabled: true, method: 'ping', intervalMs: 100, timeoutMs: 300, down: 4, up: 6, targets: [], ...opts.keepalive },
    package: { name: 'mpgen-lab', version: '0.1.0', release: '1', maintainer: 'test <t@example.net>', defaultEpoch: 1704067200 },
    warnings: [],
  };
}

export class Lab {
  readonly ns: { router: string; internet: string; modem: (i: number) => string };
  constructor(
    readonly prefix: string,
    readonly n: number,
  ) {
    this.ns = { router: `${prefix}-router`, internet: `${prefix}-internet`, modem: (i) => `${prefix}-modem${i}` };
  }

  private ip(ns: string, ...args: string[]): string {
    return sh('ip', ['-n', ns, ...args]);
  }

  create(opts: { multipathRoute?: boolean } = {}): void {
    this.destroy();
    const { router, internet } = this.ns;
    const all = [router, internet, ...Array.from({ length: this.n }, (_, k) => this.ns.modem(k + 1))];
    for (const ns of all) {
      sh('ip', ['netns', 'add', ns]);
      this.ip(ns, 'link', 'set', 'lo', 'up');
    }
    this.ip(internet, 'addr', 'add', `${TARGET}/32`, 'dev', 'lo');
    for (let i = 1; i <= this.n; i++) {
      const m = this.ns.modem(i);
      sh('ip', ['link', 'add', `r${i}`, 'netns', router, 'type', 'veth', 'peer', 'name', `m${i}`, 'netns', m]);
      sh('ip', ['link', 'add', `w${i}`, 'netns', m, 'type', 'veth', 'peer', 'name', `i${i}`, 'netns', internet]);
      this.ip(router, 'addr', 'add', `${routerAddr(i)}/29`, 'dev', `r${i}`);
      this.ip(m, 'addr', 'add', `${modemAddr(i)}/29`, 'dev', `m${i}`);
      this.ip(m, 'addr', 'add', `192.0.2.${8 * i + 2}/29`, 'dev', `w${i}`);
      this.ip(internet, 'addr', 'add', `192.0.2.${8 * i + 1}/29`, 'dev', `i${i}`);
      this.ip(router, 'link', 'set', `r${i}`, 'up');
      this.ip(m, 'link', 'set', `m${i}`, 'up');
      this.ip(m, 'link', 'set', `w${i}`, 'up');
      this.ip(internet, 'link', 'set', `i${i}`, 'up');
      sh('ip', ['netns', 'exec', m, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      this.ip(m, 'route', 'add', 'default', 'via', `192.0.2.${8 * i + 1}`);
      this.ip(internet, 'route', 'add', `198.51.100.${8 * i}/29`, 'via', `192.0.2.${8 * i + 2}`);
      this.ip(router, 'route', 'add', 'default', 'via', modemAddr(i), 'dev', `r${i}`, 'table', String(200 + i), 'proto', 'static');
      this.ip(router, 'rule', 'add', 'from', `${routerAddr(i)}/32`, 'lookup', String(200 + i), 'pref', String(200 + i));
    }
    this.ip(router, 'rule', 'add', 'lookup', 'main', 'suppress_prefixlength', '0', 'pref', '200');
    this.ip(router, 'rule', 'add', 'lookup', String(TABLE), 'pref', '222');
    sh('ip', ['netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.fib_multipath_hash_policy=1']);
    if (opts.multipathRoute !== false) this.installAll();
  }

  /** The multipath route with only the uplinks `which` (1-based), as at boot with tiers. */
  installOnly(which: number[]): void {
    const nh = which.flatMap((i) => ['nexthop', 'via', modemAddr(i), 'dev', `r${i}`, 'weight', '1']);
    this.ip(this.ns.router, 'route', 'replace', 'default', 'table', String(TABLE), 'proto', 'static', ...nh);
  }

  /** A second default route beside the daemon's, as systemd-networkd appends its own at its start. */
  appendRoute(which: number[]): void {
    const nh = which.flatMap((i) => ['nexthop', 'via', modemAddr(i), 'dev', `r${i}`, 'weight', '1']);
    this.ip(this.ns.router, 'route', 'append', 'default', 'table', String(TABLE), 'proto', 'static', ...nh);
  }

  /** The default routes of table 222, one line each. */
  defaultRoutes(): string[] {
    return this.ip(this.ns.router, '-o', 'route', 'show', 'table', String(TABLE))
      .split('\n')
      .filter((l) => l.startsWith('default'));
  }

  /** The route a renderer installs: every uplink in the multipath route. */
  installAll(weights?: number[]): void {
    const nh: string[] = [];
    for (let i = 1; i <= this.n; i++) nh.push('nexthop', 'via', modemAddr(i), 'dev', `r${i}`, 'weight', String(weights?.[i - 1] ?? 1));
    this.ip(this.ns.router, 'route', 'replace', 'default', 'table', String(TABLE), 'proto', 'static', ...nh);
  }

  destroy(): void {
    const names = trySh('ip', ['netns', 'list']).out;
    for (const line of names.split('\n')) {
      const ns = line.split(' ')[0];
      if (ns && ns.startsWith(`${this.prefix}-`)) trySh('ip', ['netns', 'del', ns]);
    }
  }

  /**
   * Seed 004: the modem's far link goes down (or comes back) while the router's
   * link stays up. Silent: the modem gets a blackhole default route, so it
   * answers nothing (no "net unreachable" ICMP, which would give the daemon an
   * early hint that a real silent blackhole does not give).
   */
  blackhole(i: number, dead: boolean): void {
    const m = this.ns.modem(i);
    this.ip(m, 'link', 'set', `w${i}`, dead ? 'down' : 'up');
    if (dead) this.ip(m, 'route', 'replace', 'blackhole', 'default');
    else this.ip(m, 'route', 'replace', 'default', 'via', `192.0.2.${8 * i + 1}`);
  }

  /** Random loss on the modem's forward path (nftables numgen), both directions. */
  loss(i: number, percent: number): void {
    const m = this.ns.modem(i);
    trySh('ip', ['netns', 'exec', m, 'nft', 'delete', 'table', 'inet', 'lab']);
    if (percent <= 0) return;
    const rules = `table inet lab {\n chain lossy {\n  type filter hook forward priority 0; policy accept;\n  numgen random mod 100 < ${percent} drop\n }\n}\n`;
    sh('ip', ['netns', 'exec', m, 'nft', '-f', '-'], rules);
  }

  /** Devices that are nexthops of the default route in table 222, sorted. */
  routeDevs(): string[] {
    const out = this.ip(this.ns.router, '-o', 'route', 'show', 'table', String(TABLE));
    const line = out.split('\n').find((l) => l.startsWith('default'));
    if (!line) return [];
    return [...line.matchAll(/\bdev (\S+)/g)].map((m) => m[1]!).sort();
  }

  /** The kernel's choice for new UDP flows to TARGET over `count` source ports. */
  flowDevs(count: number): Map<string, number> {
    let batch = '';
    for (let p = 0; p < count; p++) batch += `route get ${TARGET} ipproto udp sport ${20000 + p} dport 53\n`;
    const out = sh('ip', ['-n', this.ns.router, '-batch', '-'], batch);
    const counts = new Map<string, number>();
    for (const m of out.matchAll(/\bdev (\S+)/g)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
    return counts;
  }
}

export interface Installed {
  dir: string;
  etc: string;
  run: string;
  script: string;
}

/** Writes the rendered script and configuration into a fresh directory. */
export function install(model: Model, dir = mkdtempSync(join(tmpdir(), 'mpk-'))): Installed {
  const etc = join(dir, 'etc');
  const run = join(dir, 'run');
  mkdirSync(etc, { recursive: true });
  mkdirSync(run, { recursive: true });
  const script = join(dir, 'keepalive');
  writeFileSync(script, keepaliveScript(marker(model)));
  chmodSync(script, 0o755);
  writeFileSync(join(etc, `${model.name}.conf`), configOf(model));
  return { dir, etc, run, script };
}

export const SHELLS: Record<string, string[]> = { dash: ['dash'], bash: ['bash'], busybox: ['busybox', 'sh'] };

/** One running daemon inside the router namespace. */
export class Daemon {
  child?: ChildProcess;
  output = '';
  constructor(
    readonly lab: Lab,
    readonly inst: Installed,
    readonly name = 'lab',
    readonly shell: string[] = ['dash'],
    readonly extraEnv: Record<string, string> = {},
  ) {}

  start(): void {
    assertLabTargets(readFileSync(join(this.inst.etc, `${this.name}.conf`), 'utf8'));
    this.output = '';
    const child = spawn('ip', ['netns', 'exec', this.lab.ns.router, ...this.shell, this.inst.script, 'run', this.name], {
      env: { ...process.env, MPGEN_ETC: this.inst.etc, MPGEN_RUN: this.inst.run, ...this.extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child = child;
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error('daemon not started');
    return this.child.pid;
  }

  /** SIGTERM and wait (bounded) for the exit. */
  async stop(): Promise<number | null> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? null;
    // 'close', not 'exit': the output is complete only once stdio is drained
    const done = new Promise<number | null>((res) => c.once('close', (code) => res(code)));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
    const code = await done;
    clearTimeout(t);
    return code;
  }

  async kill9(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const done = new Promise<void>((res) => c.once('close', () => res()));
    c.kill('SIGKILL');
    await done;
  }

  status(): string {
    const f = join(this.inst.run, `${this.name}.status`);
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  /** `keepalive status NAME` run by the same shell. */
  statusCommand(): { ok: boolean; out: string } {
    return trySh('env', [`MPGEN_RUN=${this.inst.run}`, `MPGEN_ETC=${this.inst.etc}`, ...this.shell, this.inst.script, 'status', this.name]);
  }

  /** Number of `ip route replace` the daemon reports (route_changes= in the status file). */
  routeChanges(): number {
    const m = /^route_changes=(\d+)$/m.exec(this.status());
    return m ? Number(m[1]) : -1;
  }
}

/**
 * Watches the run directory while a daemon writes NAME.status, two ways:
 * - inotify (fs.watch): an in-place rewrite shows as a 'change' event on
 *   NAME.status itself; a replace by rename shows as 'rename' only;
 * - a reader that reads the file every few ms, as `mpgen check` may at any
 *   moment, and keeps every read that is not a whole status file.
 */
export class StatusWatch {
  readonly inPlace: string[] = [];
  renames = 0;
  reads = 0;
  readonly torn: string[] = [];
  private readonly watcher: FSWatcher;
  private readonly timer: ReturnType<typeof setInterval>;
  constructor(readonly run: string, readonly name: string, readonly uplinks: number) {
    const file = `${name}.status`;
    this.watcher = watch(run, (event, f) => {
      if (f !== file) return;
      if (event === 'rename') this.renames++;
      else this.inPlace.push(event);
    });
    this.timer = setInterval(() => {
      let text: string;
      try {
        text = readFileSync(join(run, file), 'utf8');
      } catch {
        return; // not written yet
      }
      this.reads++;
      const whole = /^name=/.test(text) && /^state=/m.test(text) && (text.match(/^uplink /gm) ?? []).length === uplinks && text.endsWith('\n');
      if (!whole) this.torn.push(text);
    }, 3);
  }
  stop(): void {
    clearInterval(this.timer);
    this.watcher.close();
  }
}

/** Polls `cond` until it is true; throws with `what` and the last detail after `ms`. A bound, not a timing assertion. */
export async function waitFor(what: string, cond: () => boolean, ms = 30_000, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for: ${what}\n${detail()}`);
}

/** `ip monitor route` in the router namespace; collects the events. */
export class RouteMonitor {
  readonly child: ChildProcess;
  text = '';
  constructor(ns: string) {
    this.child = spawn('ip', ['-n', ns, '-o', 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.text += d.toString()));
  }
  /** Resolves once the monitor is listening (it has seen a marker route in table 99). */
  async ready(ns: string): Promise<void> {
    // a replace of an identical route is silent: toggle the marker so every try makes an event
    let on = false;
    await waitFor('ip monitor listening', () => {
      on = !on;
      trySh('ip', ['-n', ns, 'route', on ? 'add' : 'del', 'unreachable', '192.0.2.250/32', 'table', '99']);
      return this.text.includes('table 99');
    }, 10_000);
  }
  events(table = TABLE): string[] {
    return this.text.split('\n').filter((l) => l.includes(`table ${table}`));
  }
  get pid(): number | undefined {
    return this.child.pid;
  }
  stop(): void {
    this.child.kill('SIGTERM');
  }
}

export function cleanupDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
