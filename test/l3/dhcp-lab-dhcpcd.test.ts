/**
 * L3: the DHCP uplink with dhcpcd instead of dhclient (test/l3/dhcp-lab.ts): ifupdown prefers
 * dhclient when it is installed, so the lab hides /sbin/dhclient in the client's mount namespace
 * and ifupdown runs `dhcpcd IF`. dhcpcd reads only /etc/dhcpcd.conf (`nogateway` for IF: no
 * default route anywhere) and sources /etc/dhcpcd.exit-hook (the router into table 202); a
 * hand-made proposal, dhcpcdContractFiles(), not the renderer's contract. The stock dhcpcd hooks
 * run too, as on a real box. Same sequence as test/l3/dhcp-lab.test.ts, in its own file so each
 * stays near 5 minutes (dhcpcd follows a renumber only at the rebind, 105 s into the lease).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing } from '../support/require.js';
import { RouteMonitor } from '../keepalive/lab.js';
import { DHCP_IF, DhcpLab, inPool, leftoverNamespaces, POOL_A, ROUTER_A, settled, waitFor, writeContractTree, type ApplyOptions } from './dhcp-lab.js';

const skip = missing({ root: true, netns: true, commands: ['ip', 'ifup', 'ifdown', 'dhclient', 'dhcpcd', 'dnsmasq', 'unshare', 'mount', 'ping'] });

const NAME = 'lab';
const TABLE = 202;
const RENEWAL_BOUND = 150_000;
const POOL_B = { first: '198.51.100.200', last: '198.51.100.209' };
const ROUTER_B = '198.51.100.1';
const ROUTER_C = '198.51.100.254';
const OPTS: ApplyOptions = { client: 'dhcpcd', stockHooks: true };

const secs = (ms: number) => (ms / 1000).toFixed(1);

describe.skipIf(skip !== undefined)('L3 DHCP uplink: ifupdown + dhcpcd (nogateway, exit-hook) in namespaces, dnsmasq as the ISP', () => {
  let lab: DhcpLab;
  let root: string;
  let mon: RouteMonitor | undefined;
  let boundAt = 0;
  const defaultVia = (gw: string) => new RegExp(`^default via ${gw.replace(/\./g, '\\.')} dev ${DHCP_IF} proto static\\b`);

  beforeAll(async () => {
    root = writeContractTree({ name: NAME, ifname: DHCP_IF, table: TABLE, client: 'dhcpcd' });
    lab = new DhcpLab('p1');
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

  it('ifup runs dhcpcd: a 192.0.2.10x lease, table 202 its router, main no default route', () => {
    const t0 = Date.now();
    const up = lab.applyEni(root, NAME, OPTS);
    expect(up.code, up.out).toBe(0);
    console.log(`[dhcp-lab dhcpcd] ifup took ${secs(Date.now() - t0)} s`);
    boundAt = Date.now();
    expect(up.out).toMatch(/^dhcpcd\s+r2\s*$/m);
    expect(up.out).not.toMatch(/dhclient -4/);
    expect(lab.dhcpcdPid()).toBeDefined();
    expect(lab.dhclientPid()).toBeUndefined();
    expect(inPool(lab.leaseAddress(), POOL_A), lab.detail()).toBe(true);
    expect(lab.tableDefault(TABLE)).toMatch(defaultVia(ROUTER_A));
    expect(lab.mainDefault()).toEqual([]);
    expect(lab.reasons().slice(-1)).toEqual(['BOUND']);
    expect(lab.reachable(lab.leaseAddress()!, TABLE)).toBe(true);
  });

  it('ifdown (dhcpcd -k) releases: address and route gone (reason STOP); ifup binds again', () => {
    const addr = lab.leaseAddress();
    let n = lab.reasons().length;
    const down = lab.ifdownEni(root, NAME, OPTS);
    expect(down.code, down.out).toBe(0);
    // bounded: dhcpcd -k returns before the daemon has finished
    return waitFor('dhcpcd gone', () => lab.dhcpcdPid() === undefined, 10_000, () => lab.detail()).then(() => {
      console.log(`[dhcp-lab dhcpcd] ifdown: ${lab.reasons().slice(n).join(' ')}`);
      // dhcpcd sends its DHCPRELEASE but runs the hooks with STOP and STOPPED (no RELEASE reason)
      expect(lab.reasons().slice(n)).toEqual(['STOP', 'STOPPED']);
      expect(lab.addresses()).toEqual([]);
      expect(lab.tableDefault(TABLE)).toBeUndefined();
      expect(lab.serverLog()).toMatch(/DHCPRELEASE\(w2\) 192\.0\.2\.10\d/);
      n = lab.reasons().length;
      const up = lab.applyEni(root, NAME, OPTS);
      expect(up.code, up.out).toBe(0);
      boundAt = Date.now();
      console.log(`[dhcp-lab dhcpcd] ifup again: ${lab.reasons().slice(n).join(' ')}`);
      expect(lab.leaseAddress()).toBe(addr);
      expect(lab.tableDefault(TABLE)).toMatch(defaultVia(ROUTER_A));
      expect(lab.mainDefault()).toEqual([]);
    });
  });

  // dhcpcd 9.4.1 misses the NAK to its renewal: dnsmasq answers the unicast REQUEST with a broadcast
  // NAK (server id 192.0.2.1, `broadcast response` in its log) and dhcpcd retransmits the REQUEST
  // (about 4, 7, 16, 18 s apart) until T2 (105 s), when its broadcast REBIND's NAK is taken; removing
  // `require dhcp_server_identifier` does not change it. So it follows within one lease, not one renewal.
  it('renumber: at the rebind (not the renewal) the address and table 202 follow, nothing of the old remains', async () => {
    const old = lab.leaseAddress()!;
    const n = lab.reasons().length;
    lab.renumber({ pool: POOL_B, router: ROUTER_B });
    const took = await waitFor(
      'a 198.51.100.20x lease and default via 198.51.100.1 in table 202',
      settled(() => inPool(lab.leaseAddress(), POOL_B) && defaultVia(ROUTER_B).test(lab.tableDefault(TABLE) ?? '')),
      RENEWAL_BOUND,
      () => lab.detail(),
    );
    console.log(`[dhcp-lab dhcpcd] renumber: followed ${secs(took)} s after the server change (${secs(Date.now() - boundAt)} s after the previous lease); reasons ${lab.reasons().slice(n).join(' ')}`);
    boundAt = Date.now();
    expect(lab.reasons().slice(n)).toEqual(['NAK', 'BOUND']);
    expect(lab.addresses()).toEqual([lab.leaseAddress()]);
    expect(lab.routesMentioning(old)).toEqual([]);
    expect(lab.routesMentioning(ROUTER_A)).toEqual([]);
    expect(lab.routesMentioning('192.0.2.0')).toEqual([]);
    expect(lab.mainDefault()).toEqual([]);
    expect(lab.reachable(lab.leaseAddress()!, TABLE)).toBe(true);
  }, RENEWAL_BOUND + 30_000);

  it('changeRouter: at the renewal table 202 follows the new router, the address stays', async () => {
    const addr = lab.leaseAddress()!;
    const n = lab.reasons().length;
    lab.changeRouter(ROUTER_C);
    const took = await waitFor('default via 198.51.100.254 in table 202', settled(() => defaultVia(ROUTER_C).test(lab.tableDefault(TABLE) ?? '')), RENEWAL_BOUND, () => lab.detail());
    console.log(`[dhcp-lab dhcpcd] changeRouter: followed ${secs(took)} s after the server change (${secs(Date.now() - boundAt)} s after the previous lease); reasons ${lab.reasons().slice(n).join(' ')}`);
    boundAt = Date.now();
    expect(lab.leaseAddress()).toBe(addr);
    expect(lab.routesMentioning(ROUTER_B)).toEqual([]);
    expect(lab.mainDefault()).toEqual([]);
  }, RENEWAL_BOUND + 30_000);

  it('stopServer: the lease expires and table 202 has no default route left (no IPv4LL address either)', async () => {
    const addr = lab.leaseAddress()!;
    const n = lab.reasons().length;
    lab.stopServer();
    // the kernel may drop the address (valid_lft = the lease) a moment before dhcpcd's EXPIRE runs:
    // wait for both, and for the route
    const took = await waitFor(
      'the lease expired: EXPIRE ran, no address on r2, no default route in table 202',
      settled(() => lab.reasons().slice(n).includes('EXPIRE') && lab.addresses().length === 0 && lab.tableDefault(TABLE) === undefined),
      RENEWAL_BOUND,
      () => lab.detail(),
    );
    console.log(`[dhcp-lab dhcpcd] stopServer: expired ${secs(took)} s after the server stopped (${secs(Date.now() - boundAt)} s after the last lease); reasons ${lab.reasons().slice(n).join(' ')}`);
    const expire = lab.trace().filter((t) => t.reason === 'EXPIRE' && t.at * 1000 >= lab.changedAt - 1000);
    console.log(`[dhcp-lab dhcpcd] at EXPIRE (enter) r2 still held: '${expire[0]!.addrs}', default routes: '${expire[0]!.defaults}'`);
    expect(lab.addresses().filter((a) => a.startsWith('169.254.'))).toEqual([]);
    expect(lab.routesMentioning(addr)).toEqual([]);
    expect(lab.mainDefault()).toEqual([]);
    expect(lab.dhcpcdPid()).toBeDefined();
  }, RENEWAL_BOUND + 30_000);

  it('the main table never held a default route (ip monitor route)', () => {
    const events = mon!.text.split('\n').filter(Boolean);
    expect(events.some((l) => l.includes(`table ${TABLE}`))).toBe(true);
    expect(events.filter((l) => /^(Deleted )?default /.test(l) && !/ table /.test(l))).toEqual([]);
  });
});
