/**
 * Balance of new flows over a weighted multipath route (issue 4's target: within
 * +-3 percentage points of the weights over 2,000 flows, weights 1:3, L4 hash).
 * In the namespace lab of test/keepalive/lab.ts, the router gets the multipath
 * route exactly as mpgen writes it (`nexthop via GW dev IF weight W`) with
 * fib_multipath_hash_policy=1, and the kernel's choice is sampled with
 * `ip route get ... ipproto udp sport P dport 53` for 2,000 source ports, in
 * several disjoint port ranges. A statistical figure: printed, never asserted.
 *
 *   npx tsx bench/balance.ts [--flows 2000] [--ranges 5]
 */
import { Lab, sh, TARGET } from '../test/keepalive/lab.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const FLOWS = arg('--flows', 2000);
const RANGES = arg('--ranges', 5);
const WEIGHTS = [1, 3];
const target = WEIGHTS[0]! / (WEIGHTS[0]! + WEIGHTS[1]!);

const lab = new Lab(`mpb${process.pid}`, 2);
try {
  lab.create({ multipathRoute: false });
  lab.installAll(WEIGHTS);
  console.log(`weights ${WEIGHTS.join(':')} (line 1 should carry ${(100 * target).toFixed(1)} %), L4 hash, ${FLOWS} flows per sample`);
  const devs: number[] = [];
  for (let r = 0; r < RANGES; r++) {
    const base = 10000 + r * FLOWS;
    let batch = '';
    for (let p = 0; p < FLOWS; p++) batch += `route get ${TARGET} ipproto udp sport ${base + p} dport 53\n`;
    const out = sh('ip', ['-n', lab.ns.router, '-batch', '-'], batch);
    const r1 = [...out.matchAll(/\bdev r1\b/g)].length;
    const r2 = [...out.matchAll(/\bdev r2\b/g)].length;
    const share = r1 / (r1 + r2);
    const dev = 100 * (share - target);
    devs.push(dev);
    console.log(`  ports ${base}-${base + FLOWS - 1}: r1 ${r1}, r2 ${r2}: line 1 ${(100 * share).toFixed(1)} % (${dev >= 0 ? '+' : ''}${dev.toFixed(1)} pp)`);
  }
  const worst = Math.max(...devs.map(Math.abs));
  const sigma = 100 * Math.sqrt((target * (1 - target)) / FLOWS);
  console.log(`worst deviation ${worst.toFixed(1)} pp over ${RANGES} samples (target +-3 pp; one binomial sigma at n=${FLOWS} is ${sigma.toFixed(2)} pp)`);
} finally {
  lab.destroy();
}
