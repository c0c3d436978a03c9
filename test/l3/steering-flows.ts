/**
 * Long-lived flows through the steering lab: the echo server (flows/echo-server.mjs) in the
 * internet namespace and the flow client (flows/flow-client.mjs) in the LAN namespace, both
 * bounded in time (they exit by themselves), and which line carries each flow (the router's
 * conntrack reply destination, per LAN source port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { LAN_HOST, SERVER, lineOf, type SteeringLab } from './steering-lab.js';

const script = (name: string) => fileURLToPath(new URL(`./flows/${name}`, import.meta.url));

export const TCP_PORT = 7000;
export const UDP_PORT = 7001;
/** a flow is alive while its last echo is younger than this */
export const FRESH_MS = 2000;

export interface FlowReport {
  tag: string;
  proto: 'tcp' | 'udp';
  idx: number;
  sport: number;
  state: 'connecting' | 'open' | 'closed' | 'error';
  age: number;
  maxGap: number;
  echoes: number;
  err: string;
}

export const flowKey = (f: { proto: string; sport: number }) => `${f.proto}:${f.sport}`;
export const isAlive = (f: FlowReport) => f.state === 'open' && f.age < FRESH_MS;
/** broken in the window: closed, failed, or an echo gap of FRESH_MS or more at any moment */
export const brokeInWindow = (f: FlowReport) => f.state !== 'open' || f.maxGap >= FRESH_MS;

/** A node process in a namespace that speaks JSON lines. */
class JsonProc {
  readonly child: ChildProcess;
  private waiters: { pred: (m: Record<string, unknown>) => boolean; res: (m: Record<string, unknown>) => void }[] = [];
  stderr = '';
  lines: string[] = [];
  constructor(ns: string, args: string[]) {
    this.child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.child.stdout! }).on('line', (l) => {
      this.lines.push(l);
      let m: Record<string, unknown>;
      try {
        m = JSON.parse(l) as Record<string, unknown>;
      } catch {
        m = { text: l };
      }
      const w = this.waiters.find((x) => x.pred(m));
      if (w) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.res(m);
      }
    });
  }
  wait(pred: (m: Record<string, unknown>) => boolean, what: string, ms = 15_000): Promise<Record<string, unknown>> {
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`timed out waiting for ${what}; stderr: ${this.stderr}`)), ms);
      this.waiters.push({ pred, res: (m) => (clearTimeout(t), res(m)) });
    });
  }
  send(o: unknown): void {
    this.child.stdin!.write(JSON.stringify(o) + '\n');
  }
  async stop(): Promise<void> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const done = new Promise<void>((r) => c.once('close', () => r()));
    c.stdin!.end();
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(t);
  }
}

export class EchoServer {
  private proc?: JsonProc;
  constructor(
    readonly lab: SteeringLab,
    readonly tcpPorts: number[] = [TCP_PORT],
    readonly udpPorts: number[] = [UDP_PORT],
  ) {}
  async start(maxSeconds: number): Promise<void> {
    this.proc = new JsonProc(this.lab.ns.internet, [script('echo-server.mjs'), SERVER, this.tcpPorts.join(','), this.udpPorts.join(','), String(maxSeconds)]);
    await this.proc.wait((m) => m.text === 'ready', 'echo server ready');
  }
  stop(): Promise<void> {
    return this.proc?.stop() ?? Promise.resolve();
  }
}

export class FlowClient {
  private proc?: JsonProc;
  private id = 0;
  constructor(readonly lab: SteeringLab) {}
  start(maxSeconds: number): void {
    this.proc = new JsonProc(this.lab.ns.lan, [script('flow-client.mjs'), String(maxSeconds)]);
  }
  private async call(o: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = ++this.id;
    const p = this.proc!.wait((m) => m.id === id, `client answer to ${String(o.cmd)}`);
    this.proc!.send({ ...o, id });
    return p;
  }
  async open(tag: string, proto: 'tcp' | 'udp', count: number, port = proto === 'tcp' ? TCP_PORT : UDP_PORT): Promise<void> {
    await this.call({ cmd: 'open', tag, proto, count, host: SERVER, port });
  }
  async window(): Promise<void> {
    await this.call({ cmd: 'window' });
  }
  async report(): Promise<FlowReport[]> {
    return (await this.call({ cmd: 'report' })).flows as FlowReport[];
  }
  async close(tag: string): Promise<void> {
    await this.call({ cmd: 'close', tag });
  }
  stop(): Promise<void> {
    return this.proc?.stop() ?? Promise.resolve();
  }
}

/** flowKey -> line (1-based) that carries it now, from the router's conntrack (LAN host's flows to the server only). */
export function linesOfFlows(lab: SteeringLab, dport?: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of lab.conntrack()) {
    if (e.src !== LAN_HOST || (e.proto !== 'tcp' && e.proto !== 'udp')) continue;
    // an entry of a closed connection lingers (TIME_WAIT), and its source port may be in use again
    // towards another port: with the port known, only that port's entries count
    if (dport !== undefined && e.dport !== dport) continue;
    m.set(flowKey(e), lineOf(e.replyDst));
  }
  return m;
}

/** Polls `cond` until true; throws with `what` after `ms`. A bound, not a timing assertion. */
export async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000, detail: () => string = () => ''): Promise<number> {
  const t0 = Date.now();
  const deadline = t0 + ms;
  while (Date.now() < deadline) {
    if (await cond()) return Date.now() - t0;
    await sleep(25);
  }
  throw new Error(`timed out waiting for: ${what}\n${detail()}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
