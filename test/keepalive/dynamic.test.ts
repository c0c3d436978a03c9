/**
 * L3: the keepalive follows a dynamic (DHCP) uplink in the namespace lab. What a DHCP client does
 * is done here by hand, as each stack's client does it: the leased address on the device, the
 * lease's router as the default route of the uplink's table. The daemon must add the rule from the
 * leased address, put the uplink into the balance through the lease's router, probe that router,
 * follow a renumbering (new address and router) and a change of the router alone, leave nothing of
 * the old lease, and take the uplink out when the lease ends. The real clients (dhclient,
 * networkd) are in test/l3/dhcp-*.test.ts. Every wait is bounded; nothing is timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing } from '../support/require.js';
import { SHELLS, cleanupDir, modemAddr, routerAddr, sh, trySh, waitFor, type Daemon } from './lab.js';
import { DynamicLab, POOL2, ROUTER1B, SUBNET } from './dynamic-lab.js';

const why = missing({ commands: ['ip', 'ping', 'dash'], root: true, netns: true });
const PREFIX = `mpd-${process.pid}`;

for (const [shell, argv] of Object.entries(SHELLS)) {
  describe.skipIf(why !== undefined || missing({ commands: [argv[0]!] }) !== undefined)(`keepalive lab (${shell}): a DHCP uplink followed`, () => {
    const dl = new DynamicLab(`${PREFIX}-${shell.slice(0, 2)}`);
    const lab = dl.lab;
    let d: Daemon;
    const r = (...a: string[]) => dl.r(...a);
    const rules = () => dl.rules();
    const route = () => dl.route();
    const lease = (addr: string, prefix: number, router: string) => dl.lease(addr, prefix, router);
    const unlease = (addr: string, prefix: number) => dl.unlease(addr, prefix);
    /** the command lines of the pings in the router namespace (a dynamic uplink's probes bind to its leased address) */
    const pings = () =>
      sh('ip', ['netns', 'pids', lab.ns.router])
        .split('\n')
        .filter((p) => /^\d+$/.test(p))
        .map((p) => trySh('cat', [`/proc/${p}/cmdline`]).out.replace(/\0/g, ' ').trim())
        .filter((l) => /^\S*ping /.test(l));

    beforeAll(async () => {
      dl.create(argv);
      d = dl.daemon;
      d.start();
      await waitFor('running', () => d.status().includes('state=running'), 20_000, () => d.output);
    });

    afterAll(async () => {
      await d?.stop();
      lab.destroy();
      if (dl.inst) cleanupDir(dl.inst.dir);
    });

    it('without a lease: line2 is out of the balance and has no rule', () => {
      expect(d.status()).toMatch(/^uplink line2 \S+ dev=r2 active=no /m);
      expect(route()).not.toContain('dev r2');
      expect(rules()).not.toMatch(/lookup 202\b(?!.*fwmark)/);
    });

    it('a lease: the rule from the leased address, the nexthop via its router, probes of that router', async () => {
      lease(routerAddr(2), 29, modemAddr(2));
      await waitFor('line2 in the balance', () => route().includes(`nexthop via ${modemAddr(2)} dev r2`), 15_000, () => `${route()}\n${d.output}`);
      expect(rules()).toContain(`202:\tfrom ${routerAddr(2)} lookup 202`);
      // the balanced subnet goes through the lease's router in line2's table too (not into its prohibit fallback)
      expect(dl.subnetRoute()).toMatch(new RegExp(`^${SUBNET.replace(/\./g, '\\.')} via ${modemAddr(2).replace(/\./g, '\\.')} dev r2 `));
      await waitFor('logged', () => (new RegExp(`line2 lease: address ${routerAddr(2).replace(/\./g, '\\.')} gateway ${modemAddr(2).replace(/\./g, '\\.')}`)).test(d.output), 10_000, () => d.output);
      await waitFor('the router probed and up', () => new RegExp(`^target line2 ${modemAddr(2).replace(/\./g, '\\.')} up`, 'm').test(d.status()), 15_000, () => d.status());
    });

    it('renumbered (new pool and router): the rule and the nexthop follow, nothing of the old lease stays', async () => {
      unlease(routerAddr(2), 29);
      lease(POOL2.lease, POOL2.prefix, POOL2.router);
      await waitFor('nexthop via the new router', () => route().includes(`nexthop via ${POOL2.router} dev r2`), 15_000, () => `${route()}\n${d.output}`);
      expect(rules()).toContain(`202:\tfrom ${POOL2.lease} lookup 202`);
      expect(rules()).not.toContain(`from ${routerAddr(2)} `);
      expect(route()).not.toContain(modemAddr(2));
      expect(dl.subnetRoute()).toMatch(new RegExp(`^${SUBNET.replace(/\./g, '\\.')} via ${POOL2.router.replace(/\./g, '\\.')} dev r2 `));
      await waitFor('the new router probed and up', () => new RegExp(`^target line2 ${POOL2.router.replace(/\./g, '\\.')} up`, 'm').test(d.status()), 15_000, () => d.status());
      // the probe itself moved: a ping of the new router, none of the old one
      await waitFor('ping of the new router', () => pings().some((l) => l.endsWith(`-I ${POOL2.lease} ${POOL2.router}`)) && !pings().some((l) => l.endsWith(` ${modemAddr(2)}`)), 10_000, () => pings().join('\n'));
      // a packet from the new address leaves by line2 (its rule, its table)
      expect(r('route', 'get', '203.0.113.10', 'from', POOL2.lease)).toContain('dev r2');
    });

    it('a renewal that changes only the router: the nexthop follows', async () => {
      unlease(POOL2.lease, POOL2.prefix);
      lease(routerAddr(2), 29, modemAddr(2));
      await waitFor('back in the first pool', () => route().includes(`nexthop via ${modemAddr(2)} dev r2`), 15_000, () => `${route()}\n${d.output}`);
      r('route', 'replace', 'default', 'via', ROUTER1B, 'dev', 'r2', 'table', '202', 'proto', 'static');
      await waitFor('nexthop via the other router', () => route().includes(`nexthop via ${ROUTER1B} dev r2`), 15_000, () => `${route()}\n${d.output}`);
      expect(rules()).toContain(`202:\tfrom ${routerAddr(2)} lookup 202`);
      await waitFor('that router probed', () => new RegExp(`^target line2 ${ROUTER1B.replace(/\./g, '\\.')} up`, 'm').test(d.status()), 15_000, () => d.status());
    });

    it('the lease ends: line2 leaves the balance, its rule goes; line1 carries on', async () => {
      unlease(routerAddr(2), 29);
      await waitFor('line2 out', () => !route().includes('dev r2') && route().includes('dev r1'), 15_000, () => `${route()}\n${d.output}`);
      expect(rules()).not.toContain(`from ${routerAddr(2)} `);
      expect(dl.subnetRoute()).toBe('');
      await waitFor('logged', () => (/line2 lease: none .*out of the balance/).test(d.output), 10_000, () => d.output);
      await waitFor('status', () => /^uplink line2 \S+ dev=r2 active=no /m.test(d.status()), 10_000, () => d.status());
    });
  });
}
