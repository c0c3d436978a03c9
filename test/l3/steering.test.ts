/**
 * L3, issue 12: what the debian render does to real connections. The steering lab
 * (steering-lab.ts) applies the render with real ifupdown, the rendered nftables file through its
 * loader and the rendered keepalive in a router namespace, with 4 masquerading lines to an
 * internet namespace and a LAN host holding long-lived TCP and UDP flows (steering-flows.ts).
 *
 * - Pinned connections (routing.pin_flows, the default): a line failure breaks no connection of
 *   the other lines, the dead line's connections leave conntrack, and its recovery breaks none of
 *   the connections opened during the outage. Without pinning (bench/steering.ts prints it) several
 *   percent break each time: the multipath route's change moves them to another line.
 * - Tiers and policies, by where new connections go (the router's conntrack).
 * Counts, never timings; every wait is bounded.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing } from '../support/require.js';
import { MARK_MASK, N_UPLINKS, leftoverSteering, markOf, steeringProfile, type SteeringLab } from './steering-lab.js';
import { TCP_PORT, waitUntil, type EchoServer, type FlowClient } from './steering-flows.js';
import { failureRecovery, newConnections, startLab, stopLab, type FailureFigures } from './steering-scenario.js';

const why = missing({ root: true, netns: true, commands: ['ip', 'ifup', 'sysctl', 'mount', 'nft', 'conntrack', 'dash', 'ping'] });
const SIP = 5060;

type Started = { lab: SteeringLab; server: EchoServer; client: FlowClient };

afterAll(() => {
  if (why === undefined) expect(leftoverSteering()).toEqual([]);
});

// Skipped only outside CI, when missing() finds a tool or root absent (it prints why); under CI it throws.
describe.skipIf(why !== undefined)('steering lab: pinned connections through a line failure and its recovery', () => {
  let l: Started | undefined;
  let f: FailureFigures;

  beforeAll(async () => {
    l = await startLab('pin', steeringProfile(), 150);
    f = await failureRecovery(l.lab, l.client, { tcp: 200, udp: 20, holdMs: 3000 });
  }, 240_000);
  afterAll(async () => {
    if (l) await stopLab(l);
  });

  it('the router holds one fwmark rule per line: mark 0x100.. within 0x3f00, the line\'s table', () => {
    const rules = JSON.parse(execFileSync('ip', ['-n', l!.lab.ns.router, '-j', 'rule', 'show'], { encoding: 'utf8' })) as Record<string, unknown>[];
    for (const u of l!.lab.model.uplinks) {
      const i = u.index + 1;
      const r = rules.filter((x) => x.fwmark !== undefined && Number(x.fwmark) === markOf(i));
      expect(r, `fwmark rule of line ${i}`).toHaveLength(1);
      expect(Number(r[0]!.fwmask)).toBe(MARK_MASK);
      expect(r[0]!.priority).toBe(u.rulePriority);
      expect([String(u.table), `mpgen-steer-${u.name}`]).toContain(String(r[0]!.table));
    }
  });

  it('flows spread over every line, each connection marked with its line', () => {
    expect(f.perLine).toHaveLength(N_UPLINKS);
    for (const n of f.perLine) expect(n).toBeGreaterThan(10);
    expect(f.marksWrong).toBe(0);
  });

  it('the failure breaks none of the other lines\' connections', () => {
    expect(f.failure.healthy).toBeGreaterThan(120);
    expect(f.failure).toMatchObject({ healthyBroken: 0, healthyBrokenTcp: 0, healthyBrokenUdp: 0 });
  });

  it('the dead line\'s connections are removed from conntrack, and new ones avoid it', () => {
    expect(f.failure.deadFlows).toBeGreaterThan(10);
    expect(f.failure.deadEntriesLeft).toBe(0);
    expect(f.conntrackGoneMs).toBeGreaterThanOrEqual(0);
    expect(f.outage).toEqual({ opened: 220, onDeadLine: 0 });
  });

  it('the recovery breaks none of the connections opened during the outage, nor the survivors', () => {
    expect(f.recovery.opened).toBe(220);
    expect(f.recovery).toMatchObject({ broken: 0, brokenTcp: 0, brokenUdp: 0, survivorsBroken: 0 });
  });
});

describe.skipIf(why !== undefined)('steering lab: tiers and a policy, by where new connections go', () => {
  // line4 is tier 2; SIP (tcp 5060-5070) prefers line3, then line1, and is refused when both are dead
  const profile = steeringProfile({
    tiers: [1, 1, 1, 2],
    policies: [{ name: 'sip', match: { protocol: 'tcp', dport: '5060-5070' }, uplinks: ['line3', 'line1'], fallback: 'none' }],
  });
  let l: Started | undefined;
  let seq = 0;

  beforeAll(async () => {
    l = await startLab('tier', profile, 240, [TCP_PORT, SIP]);
  }, 120_000);
  afterAll(async () => {
    if (l) await stopLab(l);
  });

  const balanced = (lines: number[]) =>
    waitUntil(`balance ${lines.join(',')}`, () => l!.lab.balance().join() === lines.join(), 30_000, () => `${l!.lab.balance().join()}\n${l!.lab.daemonOutput}`);
  const only = (lines: number[]) => (perLine: number[]) => perLine.every((n, k) => lines.includes(k + 1) || n === 0);
  /** New connections to `port` until they go where `ok` says (bounded: a policy follows the route change), then one batch checked. */
  const settled = async (port: number, n: number, ok: (r: { perLine: number[]; refused: number }) => boolean) => {
    let last = { perLine: [] as number[], refused: 0, stuck: 0, errors: [] as string[] };
    await waitUntil(`new connections to ${port} settled`, async () => ok((last = await newConnections(l!.lab, l!.client, `s${seq++}`, 4, port, 2000))), 15_000, () => JSON.stringify(last));
    return newConnections(l!.lab, l!.client, `c${seq++}`, n, port);
  };
  const dead = (...lines: number[]) => lines.forEach((i) => l!.lab.modem(i, 'dead'));
  const healed = (...lines: number[]) => lines.forEach((i) => l!.lab.modem(i, 'up'));

  it('at start the balance holds tier 1 only; the policy takes its first line', async () => {
    await balanced([1, 2, 3]);
    const r = await settled(TCP_PORT, 60, (x) => x.refused === 0 && only([1, 2, 3])(x.perLine));
    expect(r.refused).toBe(0);
    expect(r.perLine[3]).toBe(0);
    expect(r.perLine.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    const s = await settled(SIP, 20, (x) => x.perLine[2] === 4);
    expect(s.perLine).toEqual([0, 0, 20, 0]);
  });

  it('the policy\'s first line dies: it moves to the second one', async () => {
    dead(3);
    await balanced([1, 2]);
    expect((await settled(SIP, 20, (x) => x.perLine[0] === 4)).perLine).toEqual([20, 0, 0, 0]);
    const r = await settled(TCP_PORT, 40, (x) => only([1, 2])(x.perLine));
    expect(r.refused + r.perLine[0]! + r.perLine[1]!).toBe(40);
    expect(r.refused).toBe(0);
  });

  it('both of the policy\'s lines dead, fallback none: its connections are refused, the rest use the balance', async () => {
    dead(1);
    await balanced([2]);
    const s = await settled(SIP, 20, (x) => x.refused === 4);
    expect(s).toMatchObject({ refused: 20, perLine: [0, 0, 0, 0] });
    expect((await settled(TCP_PORT, 20, (x) => x.perLine[1] === 4)).perLine).toEqual([0, 20, 0, 0]);
  });

  it('every tier-1 line dead: tier 2 carries the new connections; the policy still refuses', async () => {
    dead(2);
    await balanced([4]);
    expect((await settled(TCP_PORT, 20, (x) => x.perLine[3] === 4)).perLine).toEqual([0, 0, 0, 20]);
    expect(await settled(SIP, 10, (x) => x.refused === 4)).toMatchObject({ refused: 10, perLine: [0, 0, 0, 0] });
  });

  it('tier 2 dies too: the balance fails open to tier 1; it heals: tier 2 again', async () => {
    dead(4);
    await balanced([1, 2, 3]);
    healed(4);
    await balanced([4]);
    expect((await settled(TCP_PORT, 20, (x) => x.perLine[3] === 4)).perLine).toEqual([0, 0, 0, 20]);
  });

  it('a tier-1 line heals: it replaces tier 2, and the policy takes it', async () => {
    healed(1);
    await balanced([1]);
    expect((await settled(TCP_PORT, 20, (x) => x.perLine[0] === 4)).perLine).toEqual([20, 0, 0, 0]);
    expect((await settled(SIP, 20, (x) => x.perLine[0] === 4)).perLine).toEqual([20, 0, 0, 0]);
  });

  it('every line heals: tier 1 balanced again, the policy back on its first line', async () => {
    healed(2, 3);
    await balanced([1, 2, 3]);
    expect((await settled(SIP, 20, (x) => x.perLine[2] === 4)).perLine).toEqual([0, 0, 20, 0]);
    const r = await settled(TCP_PORT, 60, (x) => x.refused === 0 && only([1, 2, 3])(x.perLine));
    expect(r.perLine[3]).toBe(0);
    expect(r.refused).toBe(0);
  });
});
