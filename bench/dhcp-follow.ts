/**
 * bench/dhcp-follow: how fast the keepalive follows a DHCP uplink's lease, in the keepalive lab
 * with line2 dynamic (test/keepalive/dynamic-lab.ts). What a client does at a renewal is done by
 * hand, so the figure is the keepalive's own part: from the moment the kernel holds the new lease
 * (address and router, or the router alone) to the rule and the nexthop following it. The
 * reference, measured in the same run: the keepalive's repair of a multipath route someone else
 * rewrote (the same monitor, the same route change). A real client's renewal takes about a
 * minute with a 2-minute lease (test/l3/dhcp-eni.test.ts and dhcp-networkd.test.ts print it).
 * Not a test: it prints numbers.
 *
 *   npx tsx bench/dhcp-follow.ts [--runs N] [--shell dash|bash|busybox]
 */
import { SHELLS, cleanupDir, waitFor } from '../test/keepalive/lab.js';
import { DynamicLab, POOL1, POOL2, ROUTER1B } from '../test/keepalive/dynamic-lab.js';
import { fmt, options, quantile, until } from './follow-support.js';

const opt = options(process.argv.slice(2));
const RUNS = Number(opt('runs', '20'));
const SHELL = SHELLS[opt('shell', 'dash')] ?? SHELLS.dash!;

async function main(): Promise<void> {
  const dl = new DynamicLab(`mpbd-${process.pid}`);
  dl.create(SHELL);
  const d = dl.daemon;
  try {
    d.start();
    await waitFor('running', () => d.status().includes('state=running'), 20_000, () => d.output);
    dl.lease(POOL1.lease, POOL1.prefix, POOL1.router);
    await until('the first lease followed', () => dl.follows(POOL1.lease, POOL1.router));
    await waitFor('line2 up', () => /^uplink line2 up /m.test(d.status()), 20_000, () => d.status());
    const renumber: number[] = [];
    const routerOnly: number[] = [];
    const repair: number[] = [];
    let cur = POOL1;
    for (let i = 0; i < RUNS; i++) {
      // a renumbering: the old lease goes, the new one comes (dhclient: flush, add, the exit hook's route)
      const next = cur === POOL1 ? POOL2 : POOL1;
      dl.unlease(cur.lease, cur.prefix);
      dl.lease(next.lease, next.prefix, next.router);
      renumber.push(await until(`renumbering ${i}`, () => dl.follows(next.lease, next.router)));
      cur = next;
      // the router alone (a renewal with a new option 3), and back
      if (cur === POOL1) {
        dl.router(ROUTER1B);
        routerOnly.push(await until(`router change ${i}`, () => dl.follows(cur.lease, ROUTER1B)));
        dl.router(cur.router);
        await until(`router back ${i}`, () => dl.follows(cur.lease, cur.router));
      }
      // the reference: someone rewrites the balance without line2; the keepalive puts it back
      dl.lab.installOnly([1]);
      repair.push(await until(`drift repair ${i}`, () => dl.follows(cur.lease, cur.router)));
    }
    const p50 = (xs: number[]) => quantile(xs, 0.5);
    console.log(`keepalive following a DHCP lease (${opt('shell', 'dash')}, ${RUNS} runs; polled every 5 ms):`);
    console.log(`  renumbering (new address and router) -> rule and nexthop follow: ${fmt(renumber)}`);
    console.log(`  new router alone -> nexthop follows:                           ${fmt(routerOnly)}`);
    console.log(`  reference, the drift repair of a rewritten multipath route:     ${fmt(repair)}`);
    console.log(`  ratio to the reference (p50): renumbering ${(p50(renumber) / p50(repair)).toFixed(2)}, router ${(p50(routerOnly) / p50(repair)).toFixed(2)}`);
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
