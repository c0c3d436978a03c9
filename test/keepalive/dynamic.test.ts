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
import { Daemon, Lab, SHELLS, TABLE, cleanupDir, install, labModel, modemAddr, routerAddr, sh, trySh, waitFor, type Installed } from './lab.js';

const why = missing({ commands: ['ip', 'ping', 'dash'], root: true, netns: true });
const PREFIX = `mpd-${process.pid}`;
/** the ISP's second pool: the modem answers there too after the renumbering */
const POOL2 = { router: '203.0.113.33', lease: '203.0.113.34', prefix: 29, net: '203.0.113.32/29' };
/** a second router address in the first pool: a renewal that changes only the router */
const ROUTER1B = '198.51.100.19';

for (const [shell, argv] of Object.entries(SHELLS)) {
  describe.skipIf(why !== undefined || missing({ commands: [argv[0]!] }) !== undefined)(`keepalive lab (${shell}): a DHCP uplink followed`, () => {
    const lab = new Lab(`${PREFIX}-${shell.slice(0, 2)}`, 2);
    let inst: Installed;
    let d: Daemon;
    const r = (...a: string[]) => sh('ip', ['-n', lab.ns.router, ...a]);
    const rules = () => r('-4', 'rule', 'show');
    /** the command lines of the pings in the router namespace (a dynamic uplink's probes bind to its leased address) */
    const pings = () =>
      sh('ip', ['netns', 'pids', lab.ns.router])
        .split('\n')
        .filter((p) => /^\d+$/.test(p))
        .map((p) => trySh('cat', [`/proc/${p}/cmdline`]).out.replace(/\0/g, ' ').trim())
        .filter((l) => /^\S*ping /.test(l));
    const route = () => r('-o', 'route', 'show', 'table', String(TABLE));
    /** what a DHCP client does for a lease: the address, and the router into the uplink's table */
    const lease = (addr: string, prefix: number, router: string) => {
      r('addr', 'add', `${addr}/${prefix}`, 'dev', 'r2');
      r('route', 'replace', 'default', 'via', router, 'dev', 'r2', 'table', '202', 'proto', 'static');
    };
    const unlease = (addr: string, prefix: number) => {
      sh('ip', ['-n', lab.ns.router, 'route', 'del', 'default', 'table', '202']);
      r('addr', 'del', `${addr}/${prefix}`, 'dev', 'r2');
    };

    beforeAll(async () => {
      lab.create({ multipathRoute: false });
      // line2 is dynamic: no address, rule or route until a lease
      r('rule', 'del', 'from', `${routerAddr(2)}/32`, 'lookup', '202');
      r('route', 'del', 'default', 'table', '202');
      r('addr', 'del', `${routerAddr(2)}/29`, 'dev', 'r2');
      // the modem's other addresses (the second pool, a second router), and the way back to them
      const m2 = lab.ns.modem(2);
      sh('ip', ['-n', m2, 'addr', 'add', `${POOL2.router}/${POOL2.prefix}`, 'dev', 'm2']);
      sh('ip', ['-n', m2, 'addr', 'add', `${ROUTER1B}/29`, 'dev', 'm2']);
      sh('ip', ['-n', lab.ns.internet, 'route', 'add', POOL2.net, 'via', '192.0.2.18']);
      const m = labModel({ n: 2, probe: (i) => [modemAddr(i)] });
      const u = m.uplinks[1]!;
      Object.assign(u, { addressing: 'dhcp', address: undefined, gateway: undefined, ruleFrom: undefined, probe: [], probeGateway: true });
      inst = install(m);
      // the balance a render installs: the static uplink only (a lease's nexthop is the daemon's)
      lab.installOnly([1]);
      d = new Daemon(lab, inst, 'lab', argv);
      d.start();
      await waitFor('running', () => d.status().includes('state=running'), 20_000, () => d.output);
    });

    afterAll(async () => {
      await d?.stop();
      lab.destroy();
      if (inst) cleanupDir(inst.dir);
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
      expect(d.output).toMatch(new RegExp(`line2 lease: address ${routerAddr(2).replace(/\./g, '\\.')} gateway ${modemAddr(2).replace(/\./g, '\\.')}`));
      await waitFor('the router probed and up', () => new RegExp(`^target line2 ${modemAddr(2).replace(/\./g, '\\.')} up`, 'm').test(d.status()), 15_000, () => d.status());
    });

    it('renumbered (new pool and router): the rule and the nexthop follow, nothing of the old lease stays', async () => {
      unlease(routerAddr(2), 29);
      lease(POOL2.lease, POOL2.prefix, POOL2.router);
      await waitFor('nexthop via the new router', () => route().includes(`nexthop via ${POOL2.router} dev r2`), 15_000, () => `${route()}\n${d.output}`);
      expect(rules()).toContain(`202:\tfrom ${POOL2.lease} lookup 202`);
      expect(rules()).not.toContain(`from ${routerAddr(2)} `);
      expect(route()).not.toContain(modemAddr(2));
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
      expect(d.output).toMatch(/line2 lease: none .*out of the balance/);
      await waitFor('status', () => /^uplink line2 \S+ dev=r2 active=no /m.test(d.status()), 10_000, () => d.status());
    });
  });
}
