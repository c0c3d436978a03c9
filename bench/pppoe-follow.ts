/**
 * bench/pppoe-follow: how fast the keepalive follows a PPPoE uplink's session, in the keepalive
 * lab with line2 standing for the PPP device (test/keepalive/dynamic-lab.ts; the host kernel has
 * no PPP). What pppd does is done by hand, so the figure is the keepalive's own part: from the
 * moment the kernel holds the session's address (or has lost it) to the rule, the table's route
 * and the nexthop following. The reference, in the same run: the keepalive's repair of a
 * multipath route someone else rewrote. pppd's own time to notice a dead session (LCP echoes,
 * about 6 s) and to dial again is measured in the qemu guest (test/vm/boot-lab-pppoe.test.ts).
 * Not a test: it prints numbers.
 *
 *   npx tsx bench/pppoe-follow.ts [--runs N] [--shell dash|bash|busybox]
 */
import { SHELLS, cleanupDir, modemAddr, waitFor } from '../test/keepalive/lab.js';
import { DynamicLab, POOL1, POOL2 } from '../test/keepalive/dynamic-lab.js';
import { fmt, options, quantile, until } from './follow-support.js';

const opt = options(process.argv.slice(2));
const RUNS = Number(opt('runs', '20'));
const SHELL = SHELLS[opt('shell', 'dash')] ?? SHELLS.dash!;
const PEER = modemAddr(2);

async function main(): Promise<void> {
  const dl = new DynamicLab(`mpbp-${process.pid}`);
  dl.create(SHELL, 'pppoe');
  const d = dl.daemon;
  const inBalance = (local: string) =>
    dl.rules().includes(`202:\tfrom ${local} lookup 202`) && /nexthop dev r2 weight/.test(dl.route()) && /^default dev r2 /m.test(dl.r('-o', 'route', 'show', 'default', 'table', '202'));
  const out = () => !dl.route().includes('dev r2') && !/from \S+ lookup 202/.test(dl.rules());
  try {
    d.start();
    await waitFor('running', () => d.status().includes('state=running'), 20_000, () => d.output);
    let cur = POOL1.lease;
    dl.session(cur, PEER);
    await until('the first session followed', () => inBalance(cur));
    const renumber: number[] = [];
    const down: number[] = [];
    const up: number[] = [];
    const repair: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // a new session with another address (pppd after a reconnect): the old address goes, the new one comes
      const next = cur === POOL1.lease ? POOL2.lease : POOL1.lease;
      dl.endSession(cur, PEER);
      dl.session(next, PEER);
      renumber.push(await until(`new session ${i}`, () => inBalance(next) && !dl.rules().includes(`from ${cur} `)));
      cur = next;
      // the session ends, then comes back with the same address
      dl.endSession(cur, PEER);
      down.push(await until(`session end ${i}`, out));
      dl.session(cur, PEER);
      up.push(await until(`session back ${i}`, () => inBalance(cur)));
      // the reference: someone rewrites the balance without line2; the keepalive puts it back
      dl.lab.installOnly([1]);
      repair.push(await until(`drift repair ${i}`, () => inBalance(cur)));
    }
    const p50 = (xs: number[]) => quantile(xs, 0.5);
    console.log(`keepalive following a PPPoE session (${opt('shell', 'dash')}, ${RUNS} runs; polled every 5 ms):`);
    console.log(`  new session, new address -> rule, route and nexthop follow: ${fmt(renumber)}`);
    console.log(`  session ends -> out of the balance, rule gone:              ${fmt(down)}`);
    console.log(`  session back -> in the balance:                             ${fmt(up)}`);
    console.log(`  reference, the drift repair of a rewritten multipath route: ${fmt(repair)}`);
    console.log(`  ratio to the reference (p50): new session ${(p50(renumber) / p50(repair)).toFixed(2)}, end ${(p50(down) / p50(repair)).toFixed(2)}, back ${(p50(up) / p50(repair)).toFixed(2)}`);
  } finally {
    await d.stop();
    dl.lab.destroy();
    cleanupDir(dl.inst.dir);
  }
}

main().catch((e) => {
  console.error(String(e));
  process.exit(1);
});
