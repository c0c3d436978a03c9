/**
 * The scenarios of the steering lab, used by test/l3/steering.test.ts (asserts) and
 * bench/steering.ts (prints): long-lived flows through a line failure and its recovery, and where
 * new connections go (tiers, policies). Every wait is bounded.
 */
import { EchoServer, FlowClient, brokeInWindow, flowKey, isAlive, linesOfFlows, sleep, waitUntil, type FlowReport } from './steering-flows.js';
import { LAN_HOST, MARK_MASK, N_UPLINKS, SteeringLab, lineOf, markOf, routerAddr } from './steering-lab.js';

/** Lab, server and client started; the keepalive running with every line in the balance it wants. */
export async function startLab(tag: string, profile: string, maxSeconds: number, tcpPorts?: number[]): Promise<{ lab: SteeringLab; server: EchoServer; client: FlowClient }> {
  const lab = new SteeringLab(tag, profile);
  const server = new EchoServer(lab, tcpPorts);
  const client = new FlowClient(lab);
  try {
    lab.build();
    lab.apply();
    lab.startKeepalive();
    await waitUntil('keepalive running', () => /^state=running$/m.test(lab.status()), 20_000, () => lab.daemonOutput);
    await server.start(maxSeconds);
    client.start(maxSeconds);
  } catch (e) {
    await client.stop();
    await server.stop();
    await lab.destroy();
    throw e;
  }
  return { lab, server, client };
}

export async function stopLab(l: { lab: SteeringLab; server: EchoServer; client: FlowClient }): Promise<void> {
  await l.client.stop();
  await l.server.stop();
  await l.lab.destroy();
}

/** Opens flows and waits (bounded) until each has had an echo and the router's conntrack shows its line. */
export async function openFlows(lab: SteeringLab, client: FlowClient, tag: string, tcp: number, udp: number): Promise<Map<string, number>> {
  if (tcp > 0) await client.open(tag, 'tcp', tcp);
  if (udp > 0) await client.open(tag, 'udp', udp);
  let mine: FlowReport[] = [];
  await waitUntil(
    `${tcp} tcp + ${udp} udp flows "${tag}" echoing`,
    async () => {
      mine = (await client.report()).filter((f) => f.tag === tag);
      return mine.length === tcp + udp && mine.every((f) => f.echoes > 0 && isAlive(f));
    },
    20_000,
    () => JSON.stringify(mine.filter((f) => !(f.echoes > 0 && isAlive(f))).slice(0, 5)),
  );
  let lines = new Map<string, number>();
  await waitUntil('conntrack shows every flow', () => {
    lines = linesOfFlows(lab);
    return mine.every((f) => (lines.get(flowKey(f)) ?? 0) > 0);
  }, 10_000);
  return new Map(mine.map((f) => [flowKey(f), lines.get(flowKey(f))!]));
}

export interface FailureFigures {
  /** flows per line before the failure (index 0 = line 1) */
  perLine: number[];
  /** flows before the failure whose conntrack mark (within MARK_MASK) is not their line's mark */
  marksWrong: number;
  dead: number;
  detectionMs: number;
  /** ms from the route change until no LAN connection of the dead line was left in conntrack; -1: never (within the bound) */
  conntrackGoneMs: number;
  failure: { healthy: number; healthyBroken: number; healthyBrokenTcp: number; healthyBrokenUdp: number; deadFlows: number; deadEntriesLeft: number };
  outage: { opened: number; onDeadLine: number };
  recoveryMs: number;
  recovery: { opened: number; broken: number; brokenTcp: number; brokenUdp: number; survivorsBroken: number };
}

const count = (xs: FlowReport[], p: (f: FlowReport) => boolean) => xs.filter(p).length;

/** conntrack entries of the LAN host whose reply goes to line `i`'s address. */
const entriesOn = (lab: SteeringLab, i: number) => lab.conntrack().filter((e) => e.src === LAN_HOST && (e.proto === 'tcp' || e.proto === 'udp') && e.replyDst === routerAddr(i)).length;

/**
 * All lines up, `tcp` + `udp` flows; line `dead` loses its far path; the keepalive takes it out;
 * hold; count the healthy flows (on other lines before) that broke and the dead line's conntrack
 * entries left; open as many again during the outage; heal the line; it rejoins; hold; count the
 * outage's flows that broke.
 */
export async function failureRecovery(lab: SteeringLab, client: FlowClient, o: { tcp: number; udp: number; holdMs: number; dead?: number }): Promise<FailureFigures> {
  const dead = o.dead ?? 2;
  const all = Array.from({ length: N_UPLINKS }, (_, k) => k + 1);
  await waitUntil('every line in the balance', () => lab.balance().join() === all.join(), 20_000, () => lab.daemonOutput);
  const a = await openFlows(lab, client, 'a', o.tcp, o.udp);
  const perLine = all.map((i) => [...a.values()].filter((l) => l === i).length);
  const marksWrong = lab.conntrack().filter((e) => a.has(flowKey(e)) && (e.mark & MARK_MASK) !== markOf(lineOf(e.replyDst))).length;

  await client.window();
  const t0 = Date.now();
  lab.modem(dead, 'dead');
  await waitUntil(`line ${dead} out of the balance`, () => !lab.balance().includes(dead), 30_000, () => lab.daemonOutput);
  const detectionMs = Date.now() - t0;
  let conntrackGoneMs = -1;
  try {
    conntrackGoneMs = await waitUntil(`line ${dead}'s connections out of conntrack`, () => entriesOn(lab, dead) === 0, 5000);
  } catch {
    /* reported as -1 with the count left */
  }
  await sleep(o.holdMs);
  const rep1 = (await client.report()).filter((f) => f.tag === 'a');
  const healthy = rep1.filter((f) => a.get(flowKey(f)) !== dead);
  const healthyBrokenList = healthy.filter(brokeInWindow);
  const failure = {
    healthy: healthy.length,
    healthyBroken: healthyBrokenList.length,
    healthyBrokenTcp: count(healthyBrokenList, (f) => f.proto === 'tcp'),
    healthyBrokenUdp: count(healthyBrokenList, (f) => f.proto === 'udp'),
    deadFlows: rep1.length - healthy.length,
    deadEntriesLeft: entriesOn(lab, dead),
  };

  const b = await openFlows(lab, client, 'b', o.tcp, o.udp);
  const outage = { opened: b.size, onDeadLine: [...b.values()].filter((l) => l === dead).length };

  await client.window();
  const t1 = Date.now();
  lab.modem(dead, 'up');
  await waitUntil(`line ${dead} back in the balance`, () => lab.balance().includes(dead), 30_000, () => lab.daemonOutput);
  const recoveryMs = Date.now() - t1;
  await sleep(o.holdMs);
  const rep2 = await client.report();
  const bRep = rep2.filter((f) => f.tag === 'b');
  const bBroken = bRep.filter(brokeInWindow);
  const survivors = new Set(healthy.filter((f) => !brokeInWindow(f)).map(flowKey));
  const recovery = {
    opened: bRep.length,
    broken: bBroken.length,
    brokenTcp: count(bBroken, (f) => f.proto === 'tcp'),
    brokenUdp: count(bBroken, (f) => f.proto === 'udp'),
    survivorsBroken: count(rep2.filter((f) => f.tag === 'a' && survivors.has(flowKey(f))), brokeInWindow),
  };
  return { perLine, marksWrong, dead, detectionMs, conntrackGoneMs, failure, outage, recoveryMs, recovery };
}

/**
 * Opens `n` short connections (tcp to `port`), waits (at most `ms`) until each has echoed or
 * failed, and returns where they went: per line (index 0 = line 1), how many were refused, how
 * many neither (stuck: sent into a dead line); then closes them.
 */
export async function newConnections(
  lab: SteeringLab,
  client: FlowClient,
  tag: string,
  n: number,
  port: number,
  ms = 5000,
): Promise<{ perLine: number[]; refused: number; stuck: number; errors: string[] }> {
  await client.open(tag, 'tcp', n, port);
  let mine: FlowReport[] = [];
  const settled = (f: FlowReport) => f.echoes > 0 || f.state === 'error' || f.state === 'closed';
  try {
    await waitUntil(`${n} new connections "${tag}" settled`, async () => {
      mine = (await client.report()).filter((f) => f.tag === tag);
      return mine.length === n && mine.every(settled);
    }, ms);
  } catch {
    /* the rest counts as stuck */
  }
  const lines = linesOfFlows(lab, port);
  const perLine = Array.from({ length: N_UPLINKS }, () => 0);
  for (const f of mine) {
    if (f.echoes === 0) continue;
    const l = lines.get(flowKey(f)) ?? 0;
    if (l > 0) perLine[l - 1]!++;
  }
  await client.close(tag);
  const refused = mine.filter((f) => f.echoes === 0 && settled(f));
  return { perLine, refused: refused.length, stuck: n - perLine.reduce((a, b) => a + b, 0) - refused.length, errors: [...new Set(refused.map((f) => f.err))] };
}
