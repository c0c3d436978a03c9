/**
 * L3: the keepalive follows a PPPoE uplink in the namespace lab. The host kernel has no PPP, so
 * what pppd does when a session comes up is done by hand on line2's device: a point-to-point
 * address (local, peer /32) and nothing else, since the rendered peers file says nodefaultroute.
 * The daemon must add the rule from the session's address, the session's route in the uplink's
 * table and `nexthop dev` in the balance, probe the peer, follow a new session with another
 * address, and take the line out when the session ends. The real pppd runs in the qemu guest
 * (test/vm/boot-lab-pppoe.test.ts). Every wait is bounded; nothing is timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkKernel } from '../../src/check/check-kernel.js';
import { readKernel } from '../../src/check/read-kernel.js';
import type { CheckResult } from '../../src/check/result.js';
import { missing } from '../support/require.js';
import { SHELLS, cleanupDir, modemAddr, routerAddr, waitFor, type Daemon } from './lab.js';
import { DynamicLab, POOL2, SUBNET } from './dynamic-lab.js';

const why = missing({ commands: ['ip', 'ping', 'dash'], root: true, netns: true });
const PREFIX = `mpp-${process.pid}`;
const esc = (s: string) => s.replace(/\./g, '\\.');

for (const shell of ['dash', 'busybox'] as const) {
  const argv = SHELLS[shell] as string[];
  describe.skipIf(why !== undefined || missing({ commands: [argv[0]!] }) !== undefined)(`keepalive lab (${shell}): a PPPoE session followed`, () => {
    const dl = new DynamicLab(`${PREFIX}-${shell.slice(0, 2)}`);
    let d: Daemon;
    const peer = modemAddr(2);

    beforeAll(async () => {
      dl.create(argv, 'pppoe');
      d = dl.daemon;
      d.start();
      await waitFor('running', () => d.status().includes('state=running'), 20_000, () => d.output);
    });

    afterAll(async () => {
      await d?.stop();
      dl.lab.destroy();
      if (dl.inst) cleanupDir(dl.inst.dir);
    });

    it('no session: line2 is out of the balance and has no rule', () => {
      expect(d.status()).toMatch(/^uplink line2 \S+ dev=r2 active=no /m);
      expect(dl.route()).not.toContain('dev r2');
      expect(dl.rules()).not.toMatch(/from \S+ lookup 202/);
    });

    it('a session: its rule, its routes in the table (default included), nexthop dev in the balance, the peer probed', async () => {
      dl.session(routerAddr(2), peer);
      await waitFor('line2 in the balance', () => /nexthop dev r2 weight/.test(dl.route()), 15_000, () => `${dl.route()}\n${d.output}`);
      expect(dl.rules()).toContain(`202:\tfrom ${routerAddr(2)} lookup 202`);
      // pppd adds no default route (nodefaultroute): the daemon puts every balanced destination through the device
      expect(dl.r('-o', 'route', 'show', 'default', 'table', '202')).toMatch(/^default dev r2 /m);
      expect(dl.subnetRoute()).toMatch(new RegExp(`^${esc(SUBNET)} dev r2 `));
      expect(dl.r('-o', 'route', 'show', 'default', 'table', 'main')).not.toContain('r2');
      await waitFor('logged', () => new RegExp(`line2 lease: address ${esc(routerAddr(2))} gateway \\(point-to-point\\)`).test(d.output), 10_000, () => d.output);
      await waitFor('the peer probed and up', () => new RegExp(`^target line2 ${esc(peer)} up`, 'm').test(d.status()), 15_000, () => d.status());
      // mpgen check against the session it reads from the device: line2's lease, table, rules and the balance
      const ours = (x: CheckResult) => x.area === 'lease' || x.area === 'multipath' || (['rule', 'table'].includes(x.area) && /line2|lookup 202|dev r2/.test(x.what));
      const results = checkKernel(dl.model, readKernel({ netns: dl.lab.ns.router, runDir: dl.inst.run })).filter(ours);
      expect(results.find((x) => x.area === 'lease')?.what).toMatch(new RegExp(`line2 \\(r2\\) PPP session: ${esc(routerAddr(2))}`));
      expect(results.filter((x) => !x.ok)).toEqual([]);
    });

    it('a new session with another address: the rule follows, nothing of the old one stays', async () => {
      dl.endSession(routerAddr(2), peer);
      dl.session(POOL2.lease, peer);
      await waitFor('the rule from the new address', () => dl.rules().includes(`202:\tfrom ${POOL2.lease} lookup 202`), 15_000, () => `${dl.rules()}\n${d.output}`);
      expect(dl.rules()).not.toContain(`from ${routerAddr(2)} `);
      await waitFor('back in the balance', () => /nexthop dev r2 weight/.test(dl.route()), 15_000, () => `${dl.route()}\n${d.output}`);
      expect(dl.r('route', 'get', '203.0.113.10', 'from', POOL2.lease)).toContain('dev r2');
    });

    it('the session ends: line2 leaves the balance, its rule goes; line1 carries on', async () => {
      dl.endSession(POOL2.lease, peer);
      await waitFor('line2 out', () => !dl.route().includes('dev r2') && dl.route().includes('dev r1'), 15_000, () => `${dl.route()}\n${d.output}`);
      expect(dl.rules()).not.toContain(`from ${POOL2.lease} `);
      await waitFor('logged', () => /line2 lease: none .*out of the balance/.test(d.output), 10_000, () => d.output);
    });
  });
}
