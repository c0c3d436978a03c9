/**
 * bench/steering: connections broken by a line failure and by its recovery, in the steering lab
 * (test/l3/steering-lab.ts: the debian render applied by real ifupdown, the rendered nftables
 * file and keepalive in a router namespace, 4 masquerading lines whose modems drop spoofed
 * sources), "before" (routing.pin_flows: false) and "after" (the default), from the same lab.
 * Not a test: it prints numbers.
 *
 *   npx tsx bench/steering.ts [--runs N] [--tcp N] [--udp N] [--hold-ms MS] [--only before|after]
 *
 * Per run: N tcp + N udp long-lived flows (a line every 200 ms, alive while the echo is < 2 s
 * old); line 2's far path dies; healthy flows (on lines 1, 3, 4 before) that broke, line 2's
 * conntrack entries left; as many flows opened during the outage; line 2 heals; flows of the
 * outage that broke. Detection and recovery: from the modem change to the multipath route change
 * (polled every 25 ms). Needs root and network namespaces.
 */
import { failureRecovery, startLab, stopLab, type FailureFigures } from '../test/l3/steering-scenario.js';
import { steeringProfile } from '../test/l3/steering-lab.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const RUNS = Number(opt('runs', '3'));
const TCP = Number(opt('tcp', '200'));
const UDP = Number(opt('udp', '20'));
const HOLD = Number(opt('hold-ms', '3000'));
const ONLY = opt('only', '');

const pct = (a: number, b: number) => (b === 0 ? '0.0' : ((100 * a) / b).toFixed(1));
const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor((s.length - 1) / 2)]!;
};

async function one(label: string, pinFlows: boolean | undefined, run: number): Promise<FailureFigures> {
  const l = await startLab(`b${label.slice(0, 1)}${run}`, steeringProfile({ pinFlows }), 120);
  try {
    return await failureRecovery(l.lab, l.client, { tcp: TCP, udp: UDP, holdMs: HOLD });
  } finally {
    await stopLab(l);
  }
}

async function main(): Promise<void> {
  console.log(`steering bench: ${TCP} tcp + ${UDP} udp flows per phase, ${RUNS} runs per setting, hold ${HOLD} ms, keepalive 100 ms / down 3 / up 5`);
  const sets: [string, boolean | undefined][] = [
    ['before (pin_flows: false)', false],
    ['after (pin_flows default)', undefined],
  ];
  for (const [label, pin] of sets) {
    if (ONLY && !label.startsWith(ONLY)) continue;
    console.log(`\n== ${label}`);
    const all: FailureFigures[] = [];
    for (let r = 0; r < RUNS; r++) {
      const f = await one(label, pin, r);
      all.push(f);
      console.log(
        `run ${r + 1}: flows per line ${f.perLine.join('/')}; failure of line ${f.dead}: healthy broken ${f.failure.healthyBroken}/${f.failure.healthy}` +
          ` (${pct(f.failure.healthyBroken, f.failure.healthy)} %; tcp ${f.failure.healthyBrokenTcp}, udp ${f.failure.healthyBrokenUdp}),` +
          ` line ${f.dead}'s conntrack entries left ${f.failure.deadEntriesLeft} of ${f.failure.deadFlows} flows (gone after ${f.conntrackGoneMs} ms);` +
          ` outage flows on line ${f.dead}: ${f.outage.onDeadLine}/${f.outage.opened};` +
          ` recovery: outage flows broken ${f.recovery.broken}/${f.recovery.opened} (${pct(f.recovery.broken, f.recovery.opened)} %; tcp ${f.recovery.brokenTcp}, udp ${f.recovery.brokenUdp}),` +
          ` earlier survivors broken ${f.recovery.survivorsBroken}; detection ${f.detectionMs} ms, recovery ${f.recoveryMs} ms`,
      );
    }
    const sum = (g: (f: FailureFigures) => number) => all.reduce((s, f) => s + g(f), 0);
    console.log(
      `total: broken per failure ${sum((f) => f.failure.healthyBroken)}/${sum((f) => f.failure.healthy)} healthy (${pct(sum((f) => f.failure.healthyBroken), sum((f) => f.failure.healthy))} %),` +
        ` per recovery ${sum((f) => f.recovery.broken)}/${sum((f) => f.recovery.opened)} (${pct(sum((f) => f.recovery.broken), sum((f) => f.recovery.opened))} %);` +
        ` dead line's entries left ${sum((f) => f.failure.deadEntriesLeft)};` +
        ` detection median ${median(all.map((f) => f.detectionMs))} ms, recovery median ${median(all.map((f) => f.recoveryMs))} ms`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
