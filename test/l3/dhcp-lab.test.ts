/**
 * L3: a DHCP uplink applied by the real clients (ifupdown `inet dhcp` ->
 * isc-dhcp-client's dhclient -> Debian's /sbin/dhclient-script sourcing the
 * contract's hooks, test/l3/dhcp-lab.ts), dnsmasq in the modem as the ISP.
 * The lease's router goes into the uplink's table only, never into main, and
 * follows the server at the client's own renewal: a renumber (new range and
 * router: NAK, then a new lease), a router change (same address: ACK with the
 * new option 3), the server gone (the lease expires after 2 minutes).
 * Prints the time from each server change to the client following.
 * Runs about 4 to 5 minutes (one renewal, one renewal, one lease time).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing } from '../support/require.js';
import { RouteMonitor } from '../keepalive/lab.js';
import { DHCP_IF, DhcpLab, inPool, leftoverNamespaces, POOL_A, ROUTER_A, settled, STATIC_ADDR, STATIC_TABLE, waitFor, writeContractTree } from './dhcp-lab.js';

const skip = missing({ root: true, netns: true, commands: ['ip', 'ifup', 'ifdown', 'dhclient', 'dhclient-script', 'dnsmasq', 'unshare', 'mount', 'ping'] });

const NAME = 'lab';
const TABLE = 202;
/** one renewal of a 2 m lease is about 60 s (dhclient jitters T1 down); a NAK adds a DISCOVER */
const RENEWAL_BOUND = 150_000;
const POOL_B = { first: '198.51.100.200', last: '198.51.100.209' };
const ROUTER_B = '198.51.100.1';
const ROUTER_C = '198.51.100.254';

const secs = (ms: number) => (ms / 1000).toFixed(1);

// Skipped only outside CI, when missing() (test/support/require.ts) finds a tool or root absent; it prints why.
// Under CI=true missing() throws instead.
describe.skipIf(skip !== undefined)('L3 DHCP uplink: ifupdown + dhclient + dhclient-script in namespaces, dnsmasq as the ISP', () => {
  let lab: DhcpLab;
  let root: string;
  let mon: RouteMonitor | undefined;
  /** Date.now() when the client last took a lease the test saw */
  let boundAt = 0;
  const defaultVia = (gw: string) => new RegExp(`^default via ${gw.replace(/\./g, '\\.')} dev ${DHCP_IF} proto static\\b`);

  beforeAll(async () => {
    root = writeContractTree({ name: NAME, ifname: DHCP_IF, table: TABLE });
    lab = new DhcpLab('d1');
    lab.create();
    lab.startServer({ pool: POOL_A, router: ROUTER_A });
    mon = new RouteMonitor(lab.ns.router);
    await mon.ready(lab.ns.router);
    lab.ip(lab.ns.router, 'route', 'flush', 'table', '99');
  });

  afterAll(() => {
    mon?.stop();
    lab?.destroy();
    if (root) rmSync(root, { recursive: true, force: true });
    expect(leftoverNamespaces()).toEqual([]);
  });

  it('ifup: r2 gets a 192.0.2.10x lease, table 202 its router, main no default route', () => {
    const t0 = Date.now();
    const up = lab.applyEni(root, NAME);
    expect(up.code, up.out).toBe(0);
    console.log(`[dhcp-lab] ifup took ${secs(Date.now() - t0)} s (dhclient's first lease)`);
    boundAt = Date.now();
    // ifupdown picked dhclient, with its state in the lab's directories
    expect(up.out).toMatch(/dhclient -4 -v .*-pf \/run\/dhclient\.r2\.pid -lf \/var\/lib\/dhcp\/dhclient\.r2\.leases/);
    expect(lab.dhclientPid()).toBeDefined();
    expect(lab.clientLeases()).toContain('fixed-address 192.0.2.');
    expect(inPool(lab.leaseAddress(), POOL_A), lab.detail()).toBe(true);
    expect(lab.tableDefault(TABLE)).toMatch(defaultVia(ROUTER_A));
    expect(lab.mainDefault()).toEqual([]);
    expect(lab.reachable(lab.leaseAddress()!, TABLE)).toBe(true);
    expect(lab.reachable(STATIC_ADDR, STATIC_TABLE)).toBe(true);
    // dhclient-script ran with the contract's hooks: BOUND, new_routers cleared before it acted
    expect(lab.reasons()).toEqual(['PREINIT', 'BOUND']);
    const bound = lab.trace().filter((t) => t.reason === 'BOUND');
    expect(bound.map((t) => [t.phase, t.routers])).toEqual([['enter', ROUTER_A], ['exit', ROUTER_A]]);
    expect(bound[1]!.defaults).toMatch(/^default via 192\.0\.2\.1 table 202 proto static ;$/);
  });

  it('ifdown releases (RELEASE: route gone, client gone), ifup binds again', () => {
    const addr = lab.leaseAddress();
    let n = lab.reasons().length;
    const down = lab.ifdownEni(root, NAME);
    expect(down.code, down.out).toBe(0);
    expect(lab.dhclientPid()).toBeUndefined();
    expect(lab.addresses()).toEqual([]);
    expect(lab.tableDefault(TABLE)).toBeUndefined();
    expect(lab.serverLog()).toMatch(/DHCPRELEASE\(w2\) 192\.0\.2\.10\d/);
    expect(lab.reasons().slice(n)).toEqual(['RELEASE']);
    n = lab.reasons().length;
    const up = lab.applyEni(root, NAME);
    expect(up.code, up.out).toBe(0);
    boundAt = Date.now();
    expect(lab.leaseAddress()).toBe(addr);
    expect(lab.tableDefault(TABLE)).toMatch(defaultVia(ROUTER_A));
    expect(lab.mainDefault()).toEqual([]);
    // with its lease file left by the release, dhclient asks for the same address again
    const again = lab.reasons().slice(n);
    console.log(`[dhcp-lab] ifdown: RELEASE; ifup again: ${again.join(' ')}`);
    expect(again[0]).toBe('PREINIT');
    expect(again.slice(-1)[0]).toMatch(/^(BOUND|REBOOT)$/);
  });

  it('renumber (new range and router): within one renewal the address and table 202 follow, nothing of the old remains', async () => {
    const old = lab.leaseAddress()!;
    const n = lab.reasons().length;
    lab.renumber({ pool: POOL_B, router: ROUTER_B });
    const took = await waitFor(
      'a 198.51.100.20x lease and default via 198.51.100.1 in table 202',
      settled(() => inPool(lab.leaseAddress(), POOL_B) && defaultVia(ROUTER_B).test(lab.tableDefault(TABLE) ?? '')),
      RENEWAL_BOUND,
      () => lab.detail(),
    );
    console.log(`[dhcp-lab] renumber: followed ${secs(took)} s after the server change (${secs(Date.now() - boundAt)} s after the previous lease)`);
    boundAt = Date.now();
    expect(lab.serverLog()).toMatch(new RegExp(`DHCPNAK\\(w2\\) ${old.replace(/\./g, '\\.')}`));
    // the NAK: dhclient runs EXPIRE for the old lease (the address is flushed), then a new BOUND;
    // the kernel may hold the new lease a moment before dhclient-script's log has the reason
    await waitFor('BOUND logged', () => lab.reasons().slice(n).slice(-1)[0] === 'BOUND', 15_000, () => lab.reasons().slice(n).join(' '));
    const seq = lab.reasons().slice(n);
    console.log(`[dhcp-lab] renumber: dhclient-script reasons ${seq.join(' ')}`);
    expect(seq).toContain('EXPIRE');
    expect(seq.slice(-1)).toEqual(['BOUND']);
    expect(lab.addresses()).toEqual([lab.leaseAddress()]);
    expect(lab.routesMentioning(old)).toEqual([]);
    expect(lab.routesMentioning(ROUTER_A)).toEqual([]);
    expect(lab.routesMentioning('192.0.2.0')).toEqual([]);
    expect(lab.mainDefault()).toEqual([]);
    expect(lab.reachable(lab.leaseAddress()!, TABLE)).toBe(true);
  }, RENEWAL_BOUND + 30_000);

  it('changeRouter (same range): at the renewal table 202 follows the new router, the address stays', async () => {
    const addr = lab.leaseAddress()!;
    const n = lab.reasons().length;
    lab.changeRouter(ROUTER_C);
    const took = await waitFor(
      'default via 198.51.100.254 in table 202',
      settled(() => defaultVia(ROUTER_C).test(lab.tableDefault(TABLE) ?? '')),
      RENEWAL_BOUND,
      () => lab.detail(),
    );
    console.log(`[dhcp-lab] changeRouter: followed ${secs(took)} s after the server change (${secs(Date.now() - boundAt)} s after the previous lease)`);
    boundAt = Date.now();
    // dnsmasq's lease file kept the address: an ACK of the renewal with the new option 3
    expect(lab.serverLog()).toMatch(new RegExp(`DHCPACK\\(w2\\) ${addr.replace(/\./g, '\\.')}`));
    expect(lab.leaseAddress()).toBe(addr);
    expect(lab.reasons().slice(n)).toEqual(['RENEW']);
    expect(lab.routesMentioning(ROUTER_B)).toEqual([]);
    expect(lab.mainDefault()).toEqual([]);
    expect(lab.reachable(addr, TABLE)).toBe(true);
  }, RENEWAL_BOUND + 30_000);

  it('stopServer: the lease expires (2 min) and table 202 has no default route left', async () => {
    const addr = lab.leaseAddress()!;
    const n = lab.reasons().length;
    lab.stopServer();
    const took = await waitFor(
      'the lease expired: EXPIRE ran, no address on r2, no default route in table 202',
      settled(() => lab.reasons().slice(n).includes('EXPIRE') && lab.addresses().length === 0 && lab.tableDefault(TABLE) === undefined),
      RENEWAL_BOUND,
      () => lab.detail(),
    );
    console.log(`[dhcp-lab] stopServer: expired ${secs(took)} s after the server stopped (${secs(Date.now() - boundAt)} s after the last lease)`);
    expect(lab.routesMentioning(addr)).toEqual([]);
    expect(lab.routesMentioning(ROUTER_C)).toEqual([]);
    // the unanswered RENEW and REBIND run no script; the expiry is dhclient's EXPIRE. The kernel drops
    // the address itself at its valid_lft (the lease time, set by dhclient-script) and with it every
    // route through r2: whichever comes first, the other finds nothing left to remove.
    console.log(`[dhcp-lab] stopServer: dhclient-script reasons ${lab.reasons().slice(n).join(' ')}`);
    const expire = lab.trace().filter((t) => t.reason === 'EXPIRE' && t.at * 1000 >= lab.changedAt - 1000);
    expect(expire.map((t) => t.phase)).toEqual(['enter', 'exit']);
    console.log(`[dhcp-lab] at EXPIRE (enter) r2 still held: '${expire[0]!.addrs}', default routes: '${expire[0]!.defaults}'`);
    expect(expire[1]!.addrs).toBe('');
    expect(expire[1]!.defaults).toBe('');
    expect(lab.mainDefault()).toEqual([]);
    // the client lives on (back to DISCOVER), in the lab's namespace
    expect(lab.dhclientPid()).toBeDefined();
  }, RENEWAL_BOUND + 30_000);

  it('the main table never held a default route, not even for a moment (ip monitor route)', () => {
    const events = mon!.text.split('\n').filter(Boolean);
    expect(events.some((l) => l.includes(`table ${TABLE}`))).toBe(true);
    // main-table routes print without "table"
    expect(events.filter((l) => /^(Deleted )?default /.test(l) && !/ table /.test(l))).toEqual([]);
  });
});

// isc-dhcp-client ships /etc/dhcp/dhclient-exit-hooks.d/rfc3442-classless-routes, enabled: with
// option 121 (classless static routes) dhclient-script ignores new_routers and that hook adds
// the server's routes, a default one included, to the main table. This describe runs the host's
// stock hooks beside the contract's, as a real box has them.
describe.skipIf(skip !== undefined)('L3 DHCP uplink with the stock Debian hooks, server sending option 121 (classless routes)', () => {
  let lab: DhcpLab;
  const roots: string[] = [];
  beforeAll(() => {
    lab = new DhcpLab('d2');
    lab.create();
    lab.startServer({ pool: POOL_A, router: ROUTER_A, options: ['121,0.0.0.0/0,192.0.2.1,198.51.100.0/25,192.0.2.1'] });
  });
  afterAll(() => {
    lab?.destroy();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
    expect(leftoverNamespaces()).toEqual([]);
  });

  it('the contract hooks as written: the default route of option 121 lands in main (a gap)', () => {
    const root = writeContractTree({ name: NAME, ifname: DHCP_IF, table: TABLE });
    roots.push(root);
    const up = lab.applyEni(root, NAME, { stockHooks: true });
    expect(up.code, up.out).toBe(0);
    expect(lab.tableDefault(TABLE)).toMatch(/^default via 192\.0\.2\.1 dev r2 proto static/);
    const main = lab.mainDefault();
    console.log(`[dhcp-lab] option 121 + stock hooks, contract as written: main holds ${JSON.stringify(main)}`);
    expect(main).toEqual(['default via 192.0.2.1 dev r2 ']);
    const down = lab.ifdownEni(root, NAME, { stockHooks: true });
    expect(down.code, down.out).toBe(0);
    expect(lab.mainDefault()).toEqual([]);
  });

  it('an enter hook that also clears new_rfc3442_classless_static_routes keeps main free (proposal)', () => {
    const root = writeContractTree({ name: NAME, ifname: DHCP_IF, table: TABLE, clearClassless: true });
    roots.push(root);
    const up = lab.applyEni(root, NAME, { stockHooks: true });
    expect(up.code, up.out).toBe(0);
    expect(lab.tableDefault(TABLE)).toMatch(/^default via 192\.0\.2\.1 dev r2 proto static/);
    expect(lab.mainDefault()).toEqual([]);
    // and none of the classless routes either (they are the exit hook's to place, if wanted)
    expect(lab.routesMentioning('198.51.100.0')).toEqual([]);
  });
});
