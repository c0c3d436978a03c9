/**
 * The DHCP lab: a router namespace with one static and one DHCP uplink, the
 * DHCP uplink applied by the real clients (ifupdown's `inet dhcp`, which runs
 * isc-dhcp-client's dhclient with Debian's own /sbin/dhclient-script), and
 * dnsmasq in the modem as the ISP's DHCP server.
 *
 *   router r1 203.0.113.2/29      <-> m1 203.0.113.1/29 modem1 x1 203.0.113.18/29 <-> i1 203.0.113.17/29 internet
 *   router r2 (DHCP, 192.0.2.10x) <-> w2 192.0.2.1/24   modem2 x2 203.0.113.26/29 <-> i2 203.0.113.25/29 internet
 *                                     (+ every router address a renumber brings, as /24)      203.0.113.10/32 on lo
 *
 * Only documentation ranges, only namespaces created here (prefix mpdh-PID-TAG-).
 *
 * How the client runs with the rendered tree ROOT and leaves the host alone:
 * `ip netns exec` gives each call a private mount namespace (slave of the
 * host's), and `unshare --uts` a private host name (dhclient-script may set
 * the host name a server sends). In there, before `exec ifup`:
 *   - a per-lab directory over /run: dhclient's pid file (/run/dhclient.IF.pid,
 *     not under /run/network) and ifupdown's state (also --state-dir);
 *   - a per-lab directory over /var/lib/dhcp (dhclient's lease files);
 *   - ROOT/etc/dhcp/dhclient-{enter,exit}-hooks.d over /etc/dhcp/... (an empty
 *     directory when ROOT has none): the host's stock hooks are not run;
 *   - ROOT/etc/network/if-{pre-up,up,down,post-down}.d, or an empty directory,
 *     over /etc/network/... (the host's resolved hook is not run);
 *   - an empty file over /etc/resolv.conf.
 * dhclient daemonizes inside that namespace and stays there, so every later
 * renewal's dhclient-script sees the same hooks. ifdown runs in a new mount
 * namespace with the same mounts, so `dhclient -r` finds the pid file.
 * With client 'dhcpcd' also: a non-executable file over /usr/sbin/dhclient
 * (ifupdown then runs `dhcpcd IF`), a per-lab /var/lib/dhcpcd, ROOT's
 * /etc/dhcpcd.conf, and a copy of /usr/lib/dhcpcd/dhcpcd-hooks holding ROOT's
 * /etc/dhcpcd.exit-hook (see dhcpcdHooksDir).
 * Every hook run is traced (trace()): reason, addresses and default routes.
 * Used by test/l3/dhcp-lab.test.ts and test/l3/dhcp-lab-dhcpcd.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDocumentation } from '../support/lab-targets.js';
import { writeFilesToTemp } from '../support/tree.js';

const TIMEOUT = 30_000;
/** ifup waits for the first lease (dhclient gives up after its 60 s `timeout`). */
const IFUP_TIMEOUT = 90_000;
const DHCPCD_HOOKS = '/usr/lib/dhcpcd/dhcpcd-hooks';

export const TARGET = '203.0.113.10';
export const DHCP_IF = 'r2';
export const STATIC_IF = 'r1';
export const STATIC_ADDR = '203.0.113.2';
export const STATIC_GW = '203.0.113.1';
export const STATIC_TABLE = 201;

export interface Run {
  code: number;
  out: string;
}

/** A dnsmasq range: first and last address, netmask 255.255.255.0. */
export interface Pool {
  first: string;
  last: string;
}

export interface ServerConfig {
  pool: Pool;
  /** option 3; also added to the modem's w2 as /24 */
  router: string;
  /** more --dhcp-option values, e.g. '121,0.0.0.0/0,192.0.2.1' (kept by changeRouter) */
  options?: string[];
}

export interface ApplyOptions {
  ifname?: string;
  /**
   * The client ifupdown picks: dhclient (what it prefers when installed), or dhcpcd (dhclient
   * hidden behind a non-executable file, so ifupdown falls through to `dhcpcd IF`). Default dhclient.
   */
  client?: 'dhclient' | 'dhcpcd';
  /**
   * Adds the lab's trace hooks (00-mpdh-trace first among the enter hooks, zz-mpdh-trace last among
   * the exit hooks; read with trace()). The hooks directories are then copies of ROOT's plus
   * these; without trace (and stockHooks) ROOT's directories are bound as they are. Default true.
   */
  trace?: boolean;
  /** Also the host's stock hooks (isc-dhcp-client's rfc3442-classless-routes, debug, timesyncd), as on a real box. */
  stockHooks?: boolean;
}

/** One dhclient-script run, as the trace hooks saw it. */
export interface TraceLine {
  /** seconds since the epoch */
  at: number;
  /** 'enter': before dhclient-script acts; 'exit': after it and every other exit hook */
  phase: 'enter' | 'exit';
  reason: string;
  interface: string;
  old: string;
  new: string;
  /** new_routers (enter) or mpgen_routers (exit) */
  routers: string;
  /** IPv4 addresses on the interface then */
  addrs: string;
  /** every default route through the interface then, any table */
  defaults: string;
}

const TRACE_FILE = 'mpdh-client.trace';
/** Writes one line; sourced by dhclient-script, so it must not disturb its exit status. */
const traceHook = (phase: 'enter' | 'exit', routers: string) =>
  [
    '# test/l3/dhcp-lab.ts trace hook',
    `printf '%s\\t${phase}\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$(date +%s.%N)" "$reason" "$interface" "$old_ip_address" "$new_ip_address" "${routers}" \\`,
    `\t"$(ip -o -4 addr show dev "$interface" 2>/dev/null | awk '{print $4}' | tr '\\n' ' ')" \\`,
    `\t"$(ip -o -4 route show table all default dev "$interface" 2>/dev/null | tr '\\n' ';')" >> /run/${TRACE_FILE}`,
    ':',
    '',
  ].join('\n');

export const POOL_A: Pool = { first: '192.0.2.100', last: '192.0.2.109' };
export const ROUTER_A = '192.0.2.1';

export interface ContractOptions {
  name: string;
  ifname: string;
  table: number;
  /**
   * NOT the contract, a proposal: the enter hook also clears new_rfc3442_classless_static_routes
   * (saved in mpgen_classless), so the stock rfc3442-classless-routes exit hook installs nothing
   * in main when the server sends option 121. Default false.
   */
  clearClassless?: boolean;
}

/** The files the renderer writes for a DHCP uplink (the contract), as a PlannedFile list. */
export function contractFiles(o: ContractOptions): Array<{ path: string; content: string; mode: number }> {
  const { name, ifname, table } = o;
  return [
    { path: `/etc/network/interfaces.d/mpgen-${name}`, mode: 0o644, content: `auto ${ifname}\niface ${ifname} inet dhcp\n` },
    {
      path: `/etc/dhcp/dhclient-enter-hooks.d/mpgen-${name}`,
      mode: 0o644,
      content: [
        '# sourced by dhclient-script: no default route in the main table for this uplink',
        `if [ "$interface" = "${ifname}" ]; then`,
        '\tmpgen_routers=$new_routers',
        '\tnew_routers=',
        ...(o.clearClassless ? ['\tmpgen_classless=$new_rfc3442_classless_static_routes', '\tnew_rfc3442_classless_static_routes='] : []),
        'fi',
        '',
      ].join('\n'),
    },
    {
      path: `/etc/dhcp/dhclient-exit-hooks.d/mpgen-${name}`,
      mode: 0o644,
      content: [
        '# sourced by dhclient-script: the lease router goes into the uplink table',
        `if [ "$interface" = "${ifname}" ]; then`,
        '\tcase "$reason" in',
        '\tBOUND|RENEW|REBIND|REBOOT)',
        `\t\tip route replace default via \${mpgen_routers%% *} dev ${ifname} table ${table} proto static`,
        '\t\t;;',
        '\tEXPIRE|FAIL|RELEASE|STOP)',
        `\t\tip route del default table ${table} dev ${ifname} 2>/dev/null`,
        '\t\t;;',
        '\tesac',
        'fi',
        '',
      ].join('\n'),
    },
  ];
}

/**
 * A hand-made dhcpcd variant (NOT part of the renderer's contract yet, a proposal): ifupdown runs
 * plain `dhcpcd IF`, which reads only /etc/dhcpcd.conf, so that file is the host's stock one plus
 * an `interface IF` block: nogateway (no default route anywhere, dhcpcd's own enter-hook
 * equivalent), noipv4ll (no 169.254 address once the lease is gone) and ipv4only (the lab's
 * addresses stay in the documentation ranges). /etc/dhcpcd.exit-hook puts new_routers in table T.
 */
export function dhcpcdContractFiles(o: ContractOptions): Array<{ path: string; content: string; mode: number }> {
  const { name, ifname, table } = o;
  const stock = readFileSync('/etc/dhcpcd.conf', 'utf8');
  return [
    { path: `/etc/network/interfaces.d/mpgen-${name}`, mode: 0o644, content: `auto ${ifname}\niface ${ifname} inet dhcp\n` },
    { path: '/etc/dhcpcd.conf', mode: 0o644, content: `${stock.replace(/\n*$/, '\n')}\n# mpgen ${name}\ninterface ${ifname}\n\tnogateway\n\tnoipv4ll\n\tipv4only\n` },
    {
      path: '/etc/dhcpcd.exit-hook',
      mode: 0o644,
      content: [
        '# sourced by dhcpcd-run-hooks: the lease router goes into the uplink table',
        `if [ "$interface" = "${ifname}" ]; then`,
        '\tcase "$reason" in',
        '\tBOUND|RENEW|REBIND|REBOOT)',
        `\t\t[ -n "$new_routers" ] && ip route replace default via \${new_routers%% *} dev ${ifname} table ${table} proto static`,
        '\t\t;;',
        '\tEXPIRE|FAIL|NAK|RELEASE|STOP|STOPPED|NOCARRIER|DEPARTED)',
        `\t\tip route del default table ${table} dev ${ifname} 2>/dev/null`,
        '\t\t;;',
        '\tesac',
        'fi',
        ':',
        '',
      ].join('\n'),
    },
  ];
}

/** contractFiles written into a fresh temporary ROOT; returns it. */
export function writeContractTree(o: ContractOptions & { client?: 'dhclient' | 'dhcpcd' }): string {
  return writeFilesToTemp(o.client === 'dhcpcd' ? dhcpcdContractFiles(o) : contractFiles(o), 'mpdh-root-');
}

function assertDoc(...addrs: string[]): void {
  for (const a of addrs) if (!isDocumentation(a)) throw new Error(`dhcp lab: ${a} is not a documentation address`);
}

/** Sleeps synchronously (the server changes return at once, but wait for dnsmasq to exit). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function comm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** SIGTERM the process `pid` if it is still `name`; bounded wait; SIGKILL after 5 s. */
function stopPid(pid: number | undefined, name: string): void {
  if (pid === undefined || comm(pid) !== name) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && comm(pid) === name; i++) pause(50);
  if (comm(pid) === name) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    for (let i = 0; i < 40 && comm(pid) === name; i++) pause(50);
  }
}

export class DhcpLab {
  readonly prefix: string;
  readonly ns: { router: string; modem1: string; modem2: string; internet: string };
  /** per-lab state: run/ (over /run), lib/ (over /var/lib/dhcp), dnsmasq files */
  readonly dir: string;
  readonly run: string;
  readonly lib: string;
  private readonly empty: string;
  private readonly resolv: string;
  readonly libDhcpcd: string;
  private readonly nox: string;
  private readonly leases: string;
  private readonly pidFile: string;
  readonly logFile: string;
  private readonly namespaces: string[] = [];
  private w2Addrs = new Set<string>();
  private hookDirs = 0;
  server?: ServerConfig;
  /** Date.now() of the last server change (start, renumber, changeRouter, stop) */
  changedAt = 0;

  constructor(tag: string) {
    this.prefix = `mpdh-${process.pid}-${tag}`;
    this.ns = { router: `${this.prefix}-router`, modem1: `${this.prefix}-modem1`, modem2: `${this.prefix}-modem2`, internet: `${this.prefix}-inet` };
    this.dir = mkdtempSync(join(tmpdir(), 'mpdh-state-'));
    this.run = join(this.dir, 'run');
    this.lib = join(this.dir, 'lib');
    this.empty = join(this.dir, 'empty');
    for (const d of [this.run, join(this.run, 'network'), this.lib, this.empty]) mkdirSync(d, { recursive: true });
    this.resolv = join(this.dir, 'resolv.conf');
    writeFileSync(this.resolv, '');
    this.libDhcpcd = join(this.dir, 'lib-dhcpcd');
    mkdirSync(this.libDhcpcd);
    // a regular file without x bits: ifupdown's execable("/sbin/dhclient") is false
    this.nox = join(this.dir, 'no-dhclient');
    writeFileSync(this.nox, '');
    this.leases = join(this.dir, 'dnsmasq.leases');
    this.pidFile = join(this.dir, 'dnsmasq.pid');
    this.logFile = join(this.dir, 'dnsmasq.log');
  }

  ip(ns: string, ...args: string[]): string {
    const r = spawnSync('ip', ['-n', ns, ...args], { encoding: 'utf8', timeout: TIMEOUT });
    if (r.status !== 0) throw new Error(`ip -n ${ns} ${args.join(' ')}: ${r.stderr}${r.error ?? ''}`);
    return r.stdout;
  }

  /** Runs a command in a namespace; never throws. */
  exec(ns: string, args: string[], timeout = TIMEOUT): Run {
    const r = spawnSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', timeout });
    return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
  }

  private addNs(name: string): void {
    const r = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8', timeout: TIMEOUT });
    if (r.status !== 0) throw new Error(`ip netns add ${name}: ${r.stderr}`);
    this.namespaces.push(name);
    this.ip(name, 'link', 'set', 'lo', 'up');
  }

  /** The namespaces, links, the static uplink r1 (table 201) and the internet; no DHCP server yet. */
  create(): void {
    const { router, modem1, modem2, internet } = this.ns;
    for (const n of [router, modem1, modem2, internet]) this.addNs(n);
    this.ip(internet, 'addr', 'add', `${TARGET}/32`, 'dev', 'lo');
    // static uplink r1
    this.ip(router, 'link', 'add', STATIC_IF, 'type', 'veth', 'peer', 'name', 'm1', 'netns', modem1);
    this.ip(router, 'addr', 'add', `${STATIC_ADDR}/29`, 'dev', STATIC_IF);
    this.ip(modem1, 'addr', 'add', `${STATIC_GW}/29`, 'dev', 'm1');
    // DHCP uplink r2
    this.ip(router, 'link', 'add', DHCP_IF, 'type', 'veth', 'peer', 'name', 'w2', 'netns', modem2);
    this.addW2(ROUTER_A);
    // modems to the internet
    this.ip(modem1, 'link', 'add', 'x1', 'type', 'veth', 'peer', 'name', 'i1', 'netns', internet);
    this.ip(modem2, 'link', 'add', 'x2', 'type', 'veth', 'peer', 'name', 'i2', 'netns', internet);
    this.ip(modem1, 'addr', 'add', '203.0.113.18/29', 'dev', 'x1');
    this.ip(internet, 'addr', 'add', '203.0.113.17/29', 'dev', 'i1');
    this.ip(modem2, 'addr', 'add', '203.0.113.26/29', 'dev', 'x2');
    this.ip(internet, 'addr', 'add', '203.0.113.25/29', 'dev', 'i2');
    for (const [n, d] of [[router, STATIC_IF], [modem1, 'm1'], [modem2, 'w2'], [modem1, 'x1'], [modem2, 'x2'], [internet, 'i1'], [internet, 'i2']] as const)
      this.ip(n, 'link', 'set', d, 'up');
    for (const m of [modem1, modem2]) {
      const s = this.exec(m, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      if (s.code !== 0) throw new Error(`sysctl in ${m}: ${s.out}`);
    }
    this.ip(modem1, 'route', 'add', 'default', 'via', '203.0.113.17');
    this.ip(modem2, 'route', 'add', 'default', 'via', '203.0.113.25');
    this.ip(internet, 'route', 'add', '203.0.113.0/29', 'via', '203.0.113.18');
    for (const net of ['192.0.2.0/24', '198.51.100.0/24']) this.ip(internet, 'route', 'add', net, 'via', '203.0.113.26');
    // what a renderer installs for a static uplink (no default route in main)
    this.ip(router, 'route', 'add', 'default', 'via', STATIC_GW, 'dev', STATIC_IF, 'table', String(STATIC_TABLE), 'proto', 'static');
    this.ip(router, 'rule', 'add', 'from', `${STATIC_ADDR}/32`, 'lookup', String(STATIC_TABLE), 'pref', String(STATIC_TABLE));
  }

  /** Adds ADDR/24 on the modem's w2 (the server answers from there, the router is reachable). */
  private addW2(addr: string): void {
    assertDoc(addr);
    if (this.w2Addrs.has(addr)) return;
    this.ip(this.ns.modem2, 'addr', 'add', `${addr}/24`, 'dev', 'w2');
    this.w2Addrs.add(addr);
  }

  private dnsmasqPid(): number | undefined {
    const pid = readPid(this.pidFile);
    return pid !== undefined && comm(pid) === 'dnsmasq' ? pid : undefined;
  }

  /** Starts dnsmasq in modem2 with a 2 m lease (the lease file persists across restarts). */
  startServer(cfg: ServerConfig = { pool: POOL_A, router: ROUTER_A }): void {
    assertDoc(cfg.pool.first, cfg.pool.last, cfg.router);
    if (this.dnsmasqPid() !== undefined) throw new Error('dnsmasq already running');
    this.addW2(cfg.router);
    rmSync(this.pidFile, { force: true });
    const r = this.exec(this.ns.modem2, [
      'dnsmasq',
      '--conf-file=/dev/null',
      '--port=0',
      '--interface=w2',
      '--bind-interfaces',
      '--dhcp-authoritative',
      `--dhcp-range=${cfg.pool.first},${cfg.pool.last},255.255.255.0,2m`,
      `--dhcp-option=3,${cfg.router}`,
      ...(cfg.options ?? []).map((o) => `--dhcp-option=${o}`),
      `--dhcp-leasefile=${this.leases}`,
      `--pid-file=${this.pidFile}`,
      // logging only: the test prints it when a wait fails
      `--log-facility=${this.logFile}`,
      '--log-dhcp',
    ]);
    if (r.code !== 0) throw new Error(`dnsmasq: ${r.out}`);
    for (let i = 0; i < 100 && this.dnsmasqPid() === undefined; i++) pause(20);
    if (this.dnsmasqPid() === undefined) throw new Error(`dnsmasq did not write its pid file\n${this.serverLog()}`);
    this.server = cfg;
    this.changedAt = Date.now();
  }

  /** Stops dnsmasq (bounded); the client's lease runs on until it expires. */
  stopServer(): void {
    stopPid(readPid(this.pidFile), 'dnsmasq');
    if (this.dnsmasqPid() !== undefined) throw new Error('dnsmasq did not stop');
    this.server = undefined;
    this.changedAt = Date.now();
  }

  /** Restarts dnsmasq with a new range and router (old w2 addresses stay: the old server id still answers, with a NAK). */
  renumber(cfg: ServerConfig): void {
    this.stopServer();
    this.startServer(cfg);
  }

  /** Restarts dnsmasq with the same range and another router (option 3), added on w2 too. */
  changeRouter(router: string): void {
    if (!this.server) throw new Error('no server running');
    const { pool, options } = this.server;
    this.stopServer();
    this.startServer({ pool, router, options });
  }

  serverLog(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  /**
   * The mounts (see the header) and then `exec "$@"`, inside the router namespace with its own
   * mount and UTS namespaces.
   */
  private inClientNs(root: string, argv: string[], timeout: number, o: ApplyOptions): Run {
    const dirOr = (p: string) => (existsSync(join(root, p)) ? join(root, p) : this.empty);
    const binds: [string, string][] = [
      [this.run, '/run'],
      [this.lib, '/var/lib/dhcp'],
      [this.resolv, '/etc/resolv.conf'],
      ...((o.client ?? 'dhclient') === 'dhclient'
        ? [
            [this.hooksDir(root, 'enter', o), '/etc/dhcp/dhclient-enter-hooks.d'],
            [this.hooksDir(root, 'exit', o), '/etc/dhcp/dhclient-exit-hooks.d'],
          ]
        : [
            [this.nox, realpathSync('/sbin/dhclient')],
            [this.libDhcpcd, '/var/lib/dhcpcd'],
            [existsSync(join(root, 'etc/dhcpcd.conf')) ? join(root, 'etc/dhcpcd.conf') : '/etc/dhcpcd.conf', '/etc/dhcpcd.conf'],
            [this.dhcpcdHooksDir(root, o), DHCPCD_HOOKS],
          ]) as [string, string][],
      ...(['if-pre-up.d', 'if-up.d', 'if-down.d', 'if-post-down.d'].map((d) => [dirOr(`etc/network/${d}`), `/etc/network/${d}`]) as [string, string][]),
    ];
    for (const [, target] of binds) if (!existsSync(target)) throw new Error(`dhcp lab: ${target} missing on this host (cannot bind over it)`);
    const script = [...binds.map(([src, dst]) => `mount --bind '${src}' '${dst}' || exit 97`), 'exec "$@"'].join('\n');
    return this.exec(this.ns.router, ['unshare', '--uts', 'sh', '-c', script, 'sh', ...argv], timeout);
  }

  /**
   * dhcpcd's hooks: a copy of /usr/lib/dhcpcd/dhcpcd-hooks (the stock ones only with stockHooks),
   * ROOT/etc/dhcpcd.exit-hook as 98-etc-dhcpcd.exit-hook (dhcpcd-run-hooks sources
   * /etc/dhcpcd.exit-hook right after that directory; the host has no such file to bind over),
   * and the trace hooks (00-mpdh-trace, 99-mpdh-trace).
   */
  private dhcpcdHooksDir(root: string, o: ApplyOptions): string {
    const dir = join(this.dir, `hooks-${++this.hookDirs}`, 'dhcpcd');
    mkdirSync(dir, { recursive: true });
    if (o.stockHooks) for (const f of readdirSync(DHCPCD_HOOKS)) cpSync(join(DHCPCD_HOOKS, f), join(dir, f), { dereference: true });
    const exit = join(root, 'etc/dhcpcd.exit-hook');
    if (existsSync(exit)) cpSync(exit, join(dir, '98-etc-dhcpcd.exit-hook'));
    if (o.trace !== false) {
      writeFileSync(join(dir, '00-mpdh-trace'), traceHook('enter', '$new_routers'));
      writeFileSync(join(dir, '99-mpdh-trace'), traceHook('exit', '$new_routers'));
    }
    return dir;
  }

  /**
   * The directory bound over /etc/dhcp/dhclient-KIND-hooks.d: ROOT's own (trace and stockHooks off),
   * else a fresh copy of the host's stock hooks (stockHooks), ROOT's and the trace hook.
   */
  private hooksDir(root: string, kind: 'enter' | 'exit', o: ApplyOptions): string {
    const own = join(root, `etc/dhcp/dhclient-${kind}-hooks.d`);
    if (o.trace === false && !o.stockHooks) return existsSync(own) ? own : this.empty;
    const dir = join(this.dir, `hooks-${++this.hookDirs}`, kind);
    mkdirSync(dir, { recursive: true });
    const copy = (from: string) => {
      if (!existsSync(from)) return;
      for (const f of readdirSync(from)) cpSync(join(from, f), join(dir, f), { dereference: true });
    };
    if (o.stockHooks) copy(`/etc/dhcp/dhclient-${kind}-hooks.d`);
    copy(own);
    if (o.trace !== false) {
      const name = kind === 'enter' ? '00-mpdh-trace' : 'zz-mpdh-trace';
      writeFileSync(join(dir, name), traceHook(kind, kind === 'enter' ? '$new_routers' : '${mpgen_routers-}'));
    }
    return dir;
  }

  /** Real `ifup` of the DHCP uplink from ROOT's interfaces file; returns when dhclient has its first lease (or gave up). */
  applyEni(root: string, name: string, o: ApplyOptions = {}): Run {
    const file = join(root, `etc/network/interfaces.d/mpgen-${name}`);
    if (!existsSync(file)) throw new Error(`no ${file}`);
    return this.inClientNs(root, ['ifup', '-v', '-i', file, '--state-dir', join(this.run, 'network'), o.ifname ?? DHCP_IF], IFUP_TIMEOUT, o);
  }

  /** Real `ifdown` (dhclient -r: a RELEASE, then the client exits). */
  ifdownEni(root: string, name: string, o: ApplyOptions = {}): Run {
    const file = join(root, `etc/network/interfaces.d/mpgen-${name}`);
    return this.inClientNs(root, ['ifdown', '-v', '-i', file, '--state-dir', join(this.run, 'network'), o.ifname ?? DHCP_IF], IFUP_TIMEOUT, o);
  }

  /** Every dhclient-script run the trace hooks saw (both phases), oldest first. */
  trace(): TraceLine[] {
    const f = join(this.run, TRACE_FILE);
    if (!existsSync(f)) return [];
    return readFileSync(f, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [at, phase, reason, iface, old, nw, routers, addrs, defaults] = l.split('\t');
        return { at: Number(at), phase: phase as 'enter' | 'exit', reason: reason ?? '', interface: iface ?? '', old: old ?? '', new: nw ?? '', routers: routers ?? '', addrs: (addrs ?? '').trim(), defaults: defaults ?? '' };
      });
  }

  /** The reasons of the exit phase, in order (PREINIT, BOUND, RENEW, EXPIRE, ...). */
  reasons(): string[] {
    return this.trace()
      .filter((t) => t.phase === 'exit')
      .map((t) => t.reason);
  }

  /** The running dhclient of IF (its pid file, in the lab's /run). */
  dhclientPid(ifname = DHCP_IF): number | undefined {
    const pid = readPid(join(this.run, `dhclient.${ifname}.pid`));
    return pid !== undefined && comm(pid) === 'dhclient' ? pid : undefined;
  }

  /** The running dhcpcd of IF (pid files in the lab's /run/dhcpcd). */
  dhcpcdPid(ifname = DHCP_IF): number | undefined {
    for (const f of [`${ifname}-4.pid`, `${ifname}.pid`, 'pid']) {
      const pid = readPid(join(this.run, 'dhcpcd', f));
      if (pid !== undefined && comm(pid) === 'dhcpcd') return pid;
    }
    return undefined;
  }

  /** dhclient's lease file (the host path of /var/lib/dhcp/dhclient.IF.leases). */
  clientLeases(ifname = DHCP_IF): string {
    const f = join(this.lib, `dhclient.${ifname}.leases`);
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  /** The IPv4 addresses on IF in the router namespace. */
  addresses(ifname = DHCP_IF): string[] {
    const j = JSON.parse(this.ip(this.ns.router, '-j', '-4', 'addr', 'show', 'dev', ifname)) as { addr_info?: { local: string }[] }[];
    return j.flatMap((l) => (l.addr_info ?? []).map((a) => a.local));
  }

  /** The lease address on IF (the only address there), or undefined. */
  leaseAddress(ifname = DHCP_IF): string | undefined {
    const a = this.addresses(ifname);
    if (a.length > 1) throw new Error(`${ifname} holds ${a.join(', ')}`);
    return a[0];
  }

  /** The default route of table T, one line (`default via X dev IF proto static`), or undefined. */
  tableDefault(table: number): string | undefined {
    const lines = this.ip(this.ns.router, '-o', '-4', 'route', 'show', 'default', 'table', String(table)).split('\n').filter(Boolean);
    if (lines.length > 1) throw new Error(`table ${table} holds ${lines.length} default routes: ${lines.join(' | ')}`);
    return lines[0]?.trim();
  }

  /** Every default route of the main table (must stay empty). */
  mainDefault(): string[] {
    return this.ip(this.ns.router, '-o', '-4', 'route', 'show', 'default', 'table', 'main').split('\n').filter(Boolean);
  }

  /** Every IPv4 route in every table of the router that mentions ADDR (via, src or destination). */
  routesMentioning(addr: string): string[] {
    const re = new RegExp(`(^|\\s)${addr.replace(/\./g, '\\.')}(\\s|/|$)`);
    return this.ip(this.ns.router, '-o', '-4', 'route', 'show', 'table', 'all').split('\n').filter((l) => re.test(l));
  }

  /** Pings TARGET from SOURCE through table T (a temporary `from SOURCE lookup T` rule, as the keepalive adds). */
  reachable(source: string, table: number): boolean {
    assertDoc(source);
    this.ip(this.ns.router, 'rule', 'add', 'from', `${source}/32`, 'lookup', String(table), 'pref', '150');
    try {
      for (let i = 0; i < 3; i++) if (this.exec(this.ns.router, ['ping', '-n', '-q', '-c', '1', '-W', '1', '-I', source, TARGET], 5_000).code === 0) return true;
      return false;
    } finally {
      this.ip(this.ns.router, 'rule', 'del', 'from', `${source}/32`, 'lookup', String(table), 'pref', '150');
    }
  }

  /** Everything the lab knows, for a failed wait. */
  detail(): string {
    const r = (args: string[]) => this.exec(this.ns.router, args).out;
    return [
      `addresses: ${r(['ip', '-4', 'addr', 'show', 'dev', DHCP_IF])}`,
      `routes: ${r(['ip', '-4', 'route', 'show', 'table', 'all'])}`,
      `dhclient pid: ${this.dhclientPid() ?? 'none'}`,
      `dhclient-script runs:\n${this.trace().map((t) => `${t.at.toFixed(1)} ${t.phase} ${t.reason} old=${t.old} new=${t.new} routers=${t.routers} addrs=${t.addrs} defaults=${t.defaults}`).join('\n')}`,
      `client leases:\n${this.clientLeases()}`,
      `server log (tail):\n${this.serverLog().split('\n').filter((l) => !/ sent size:|available DHCP|tags:|vendor class|client provides|requested options| broadcast response/.test(l)).slice(-25).join('\n')}`,
    ].join('\n');
  }

  /** Kills what runs in the lab's namespaces (dhclient, dnsmasq: by pid), deletes them and the state. */
  destroy(): void {
    stopPid(this.dhclientPid(), 'dhclient');
    stopPid(this.dhcpcdPid(), 'dhcpcd');
    stopPid(readPid(this.pidFile), 'dnsmasq');
    for (const n of [...this.namespaces].reverse()) {
      // anything else we started there (a dhclient whose pid file was lost)
      const pids = (spawnSync('ip', ['netns', 'pids', n], { encoding: 'utf8', timeout: TIMEOUT }).stdout ?? '').split('\n').filter(Boolean).map(Number);
      for (const p of pids) {
        const c = comm(p);
        if (c === 'dhclient' || c === 'dhcpcd' || c === 'dnsmasq' || c === 'ping') stopPid(p, c);
      }
      spawnSync('ip', ['netns', 'del', n], { timeout: TIMEOUT });
    }
    this.namespaces.length = 0;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Namespaces left by this process, by our prefix only. */
export function leftoverNamespaces(): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: TIMEOUT }).stdout ?? '';
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`mpdh-${process.pid}-`));
}

/** Is ADDR within the pool (first..last, inclusive)? */
export function inPool(addr: string | undefined, p: Pool): boolean {
  if (!addr) return false;
  const n = (x: string) => x.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(addr) >= n(p.first) && n(addr) <= n(p.last);
}

/** A condition for waitFor whose readers may throw mid-transition (two addresses, two routes): that counts as not yet. */
export const settled = (f: () => boolean) => () => {
  try {
    return f();
  } catch {
    return false;
  }
};

/** Polls `cond` every `stepMs` until true; returns the ms it took; throws with `what` and detail() after `ms`. */
export async function waitFor(what: string, cond: () => boolean, ms: number, detail: () => string = () => '', stepMs = 100): Promise<number> {
  const start = Date.now();
  const deadline = start + ms;
  while (Date.now() < deadline) {
    if (cond()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out after ${ms} ms waiting for: ${what}\n${detail()}`);
}
