/**
 * bench/keepalive: the keepalive's figures in the namespace lab (the L3 lab of test/keepalive),
 * beside the formula. Not a test: it prints numbers.
 *
 *   npx tsx bench/keepalive.ts [--runs N] [--loss-seconds S] [--loss-percent P] [--cpu-seconds S]
 *                              [--compare-old] [--loss-sets new,far,old] [--no-far] [--no-cost] [--shell dash|bash|busybox]
 *
 * - detection / recovery: a silent blackhole (modem far link down) at a random
 *   phase; time from the blackhole to the route change seen by `ip monitor`,
 *   and from the heal to the route change back. p50/p99 over N runs.
 * - false take-downs: random loss on a healthy line's modem forward path
 *   (nftables numgen, both directions: 10 % each way = 19 % per probe), for S seconds.
 * - the same with the default far targets: each line probed at its gateway (the modem, which
 *   stays up) and at two far targets beyond it (documentation addresses in the lab's internet),
 *   quorum 2 of 3, far targets at their own timing: the blackhole is behind a live modem.
 * - CPU and RSS/PSS of the daemon's whole process tree with 4 uplinks.
 * Needs root and network namespaces.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { Daemon, Lab, RouteMonitor, SHELLS, cleanupDir, install, labModel, modemAddr, sh, waitFor } from '../test/keepalive/lab.js';
import { farTiming, worstCaseDetectionMs, worstCaseRecoveryMs } from '../src/backends/keepalive.js';
import type { Keepalive, Model } from '../src/model/model.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const RUNS = Number(opt('runs', '10'));
const LOSS_S = Number(opt('loss-seconds', '60'));
const CPU_S = Number(opt('cpu-seconds', '30'));
const LOSS_PCT = Number(opt('loss-percent', '10'));
const SHELL = opt('shell', 'dash');
const COMPARE_OLD = args.includes('--compare-old');
/** which default sets get the loss run (default: every set that runs) */
const LOSS_SETS = opt('loss-sets', 'new,far,old').split(',');
const NO_FAR = args.includes('--no-far');
/** the lab's far targets: the internet namespace's server and a second address on its loopback */
const FAR = ['203.0.113.10', '203.0.113.20'];
const SKIP_COST = args.includes('--no-cost');

const NEW: Partial<Keepalive> = { intervalMs: 250, timeoutMs: 750, down: 8, up: 20 };
const OLD: Partial<Keepalive> = { intervalMs: 500, timeoutMs: 1000, down: 3, up: 10 };
const PREFIX = `mpkb-${process.pid}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Events of table 222 with their arrival time. */
class TimedMonitor extends RouteMonitor {
  /** arrival time of every table-222 event, stamped when its chunk arrives */
  times: number[] = [];
  constructor(ns: string) {
    super(ns);
    this.child.stdout!.on('data', (d: Buffer) => {
      const now = Date.now();
      for (const l of d.toString().split('\n')) if (l.includes('table 222')) this.times.push(now);
    });
  }
  poll(): void {}
}

/** The lab's model: probes at the far target, or (far) at the gateway plus the two far targets. */
function model(ka: Partial<Keepalive>, far: boolean, lab: Lab): Model {
  if (!far) return labModel({ n: 2, keepalive: ka });
  sh('ip', ['-n', lab.ns.internet, 'addr', 'add', `${FAR[1]}/32`, 'dev', 'lo']);
  const m = labModel({ n: 2, keepalive: ka, probe: (i) => [modemAddr(i)] });
  for (const u of m.uplinks) u.far = [...FAR];
  return m;
}

async function detectionRecovery(ka: Partial<Keepalive>, runs: number, far = false): Promise<{ det: number[]; rec: number[] }> {
  const lab = new Lab(`${PREFIX}-d`, 2);
  lab.create();
  const inst = install(model(ka, far, lab));
  const d = new Daemon(lab, inst, 'lab', SHELLS[SHELL]);
  const det: number[] = [];
  const rec: number[] = [];
  const mon = new TimedMonitor(lab.ns.router);
  try {
    await mon.ready(lab.ns.router);
    d.start();
    await waitFor('running', () => d.status().includes('state=running'), 20_000, () => d.output);
    await sleep(1000);
    for (let r = 0; r < runs; r++) {
      await sleep(Math.random() * (ka.intervalMs ?? 250));
      let n = mon.events().length;
      const t0 = Date.now();
      lab.blackhole(1, true);
      await waitFor('out', () => (mon.poll(), mon.events().length > n), 30_000);
      det.push(mon.times[mon.times.length - 1]! - t0);
      if (lab.routeDevs().join() !== 'r2') throw new Error(`unexpected route ${lab.routeDevs().join()}`);
      await sleep(500 + Math.random() * 500);
      n = mon.events().length;
      const t1 = Date.now();
      lab.blackhole(1, false);
      await waitFor('back', () => (mon.poll(), mon.events().length > n), 60_000);
      rec.push(mon.times[mon.times.length - 1]! - t1);
      await sleep(1000);
    }
  } finally {
    mon.stop();
    await d.stop();
    lab.destroy();
    cleanupDir(inst.dir);
  }
  return { det, rec };
}

async function falseTakeDowns(ka: Partial<Keepalive>, seconds: number, far = false): Promise<{ downs: number; probes: number; lossSeen: string }> {
  const lab = new Lab(`${PREFIX}-l`, 2);
  lab.create();
  const inst = install(model(ka, far, lab));
  const d = new Daemon(lab, inst, 'lab', SHELLS[SHELL]);
  try {
    d.start();
    await waitFor('running', () => d.status().includes('state=running'), 20_000, () => d.output);
    lab.loss(1, LOSS_PCT);
    await sleep(seconds * 1000);
    const downs = (d.output.match(/line1 down:/g) ?? []).length;
    const losses = [...d.status().matchAll(/^target line1 \S+ \S+ loss=(\d+)%/gm)].map((m) => m[1]);
    return { downs, probes: Math.round((seconds * 1000) / (ka.intervalMs ?? 250)), lossSeen: losses.join(',') };
  } finally {
    await d.stop();
    lab.destroy();
    cleanupDir(inst.dir);
  }
}

function tree(root: number): number[] {
  const kids = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(e)]);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const k of kids.get(p) ?? []) walk(k);
  };
  walk(root);
  return out;
}

function cpuTicks(pids: number[]): number {
  let t = 0;
  for (const p of pids) {
    try {
      const st = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      t += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return t;
}

function memKiB(pids: number[]): { rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  for (const p of pids) {
    try {
      const s = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(s)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(s)?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return { rss, pss };
}

async function cost(shell: string, seconds: number): Promise<{ cpuPct: number; rss: number; pss: number; procs: number }> {
  const lab = new Lab(`${PREFIX}-c`, 4);
  lab.create();
  const inst = install(labModel({ n: 4, keepalive: NEW }));
  const d = new Daemon(lab, inst, 'lab', SHELLS[shell]);
  try {
    d.start();
    await waitFor('running', () => d.status().includes('state=running'), 20_000, () => d.output);
    await sleep(3000);
    const pids = tree(d.pid);
    const c0 = cpuTicks(pids);
    const t0 = Date.now();
    await sleep(seconds * 1000);
    const pids2 = tree(d.pid);
    const c1 = cpuTicks(pids2);
    const el = (Date.now() - t0) / 1000;
    const mem = memKiB(pids2);
    return { cpuPct: ((c1 - c0) / 100 / el) * 100, rss: mem.rss, pss: mem.pss, procs: pids2.length };
  } finally {
    await d.stop();
    lab.destroy();
    cleanupDir(inst.dir);
  }
}

function expectedFalse(ka: Partial<Keepalive>, seconds: number, p: number): number {
  const n = (seconds * 1000) / ka.intervalMs!;
  return n * (1 - p) * p ** ka.down!;
}

async function main(): Promise<void> {
  const fmt = (k: Partial<Keepalive>) => `interval ${k.intervalMs} ms, timeout ${k.timeoutMs} ms, down ${k.down}, up ${k.up}`;
  const p1 = LOSS_PCT / 100;
  const pProbe = 1 - (1 - p1) ** 2;
  console.log(`keepalive bench (shell ${SHELL}, ${RUNS} runs)`);
  for (const [label, ka] of COMPARE_OLD ? ([['new defaults', NEW], ['old example defaults', OLD]] as const) : ([['new defaults', NEW]] as const)) {
    const k = ka as Required<Pick<Keepalive, 'intervalMs' | 'timeoutMs' | 'down' | 'up'>>;
    console.log(`\n== ${label}: ${fmt(ka)}`);
    console.log(`formula: worst-case detection = interval * (down + ceil(timeout/interval)) = ${worstCaseDetectionMs(k)} ms; recovery = interval * up (+1 interval phase, +rtt) = ${worstCaseRecoveryMs(k)}..${worstCaseRecoveryMs(k) + k.intervalMs} ms`);
    const { det, rec } = await detectionRecovery(ka, RUNS);
    console.log(`detection ms: p50 ${pct(det, 50)}  p99 ${pct(det, 99)}  max ${Math.max(...det)}  (n=${det.length})`);
    console.log(`recovery  ms: p50 ${pct(rec, 50)}  p99 ${pct(rec, 99)}  max ${Math.max(...rec)}  (n=${rec.length})`);
    if (!LOSS_SETS.includes(ka === NEW ? 'new' : 'old')) continue;
    const f = await falseTakeDowns(ka, LOSS_S);
    console.log(
      `false take-downs at ${LOSS_PCT}% loss each way (${(pProbe * 100).toFixed(0)}% per probe) over ${LOSS_S} s (~${f.probes} probes): ${f.downs}` +
        `  [expected ${expectedFalse(ka, LOSS_S, pProbe).toFixed(4)}; at ${LOSS_PCT}% per probe ${expectedFalse(ka, LOSS_S, p1).toFixed(5)}; per 600 s: ${expectedFalse(ka, 600, pProbe).toFixed(4)} / ${expectedFalse(ka, 600, p1).toFixed(5)}]` +
        `  window loss seen by the daemon: ${f.lossSeen}%`,
    );
  }
  if (!NO_FAR) {
    const k = NEW as Required<Pick<Keepalive, 'intervalMs' | 'timeoutMs' | 'down' | 'up'>>;
    const f = farTiming(k);
    console.log(`\n== defaults with far targets: gateway (${fmt(NEW)}) + 2 far targets (${fmt(f)}), quorum 2 of 3; the blackhole is behind a live modem`);
    console.log(`formula (far targets): worst-case detection = ${worstCaseDetectionMs(f)} ms; recovery = ${worstCaseRecoveryMs(f)}..${worstCaseRecoveryMs(f) + f.intervalMs} ms`);
    const { det, rec } = await detectionRecovery(NEW, RUNS, true);
    console.log(`detection ms: p50 ${pct(det, 50)}  p99 ${pct(det, 99)}  max ${Math.max(...det)}  (n=${det.length})`);
    console.log(`recovery  ms: p50 ${pct(rec, 50)}  p99 ${pct(rec, 99)}  max ${Math.max(...rec)}  (n=${rec.length})`);
    if (LOSS_SETS.includes('far')) {
      const x = await falseTakeDowns(NEW, LOSS_S, true);
      // the line goes down when both far targets are down at once (the modem answers)
      const oneFar = expectedFalse(f, LOSS_S, pProbe);
      console.log(
        `false take-downs at ${LOSS_PCT}% loss each way beyond the modem (${(pProbe * 100).toFixed(0)}% per far probe) over ${LOSS_S} s: ${x.downs}` +
          `  [one far target alone would go down ~${oneFar.toFixed(3)} times; the line needs both at once]  window loss seen: ${x.lossSeen}%`,
      );
    }
  }
  if (SKIP_COST) return;
  console.log(`\n== cost, 4 uplinks, new defaults, ${CPU_S} s`);
  for (const shell of Object.keys(SHELLS)) {
    const c = await cost(shell, CPU_S);
    console.log(`${shell.padEnd(8)} CPU ${c.cpuPct.toFixed(2)}% of one core; ${c.procs} processes; RSS sum ${(c.rss / 1024).toFixed(1)} MiB; PSS sum ${(c.pss / 1024).toFixed(1)} MiB`);
  }
}

main().catch((e) => {
  console.error(e);
  new Lab(`${PREFIX}-d`, 2).destroy();
  new Lab(`${PREFIX}-l`, 2).destroy();
  new Lab(`${PREFIX}-c`, 4).destroy();
  process.exit(1);
});
