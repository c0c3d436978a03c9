/**
 * L3: a DHCP uplink under the real systemd-networkd (its own DHCP client, `[DHCPv4] RouteTable=`)
 * in the lab's router namespace, dnsmasq in the modem as the ISP (test/l3/dhcp-lab.ts), and the
 * rendered keepalive following the lease: the rule from the leased address, the nexthop through
 * the lease's router, no default route in main; after the client's own renewal a renumbering
 * (new pool and router) and, separately, a new router alone; the server gone, the lease expires
 * and the line leaves the balance. `mpgen check` passes against the lease it reads. Prints the
 * time from each server change to the client's lease and to the kernel following. About 4 to 5
 * minutes: two renewals and one lease time.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../src/model/model.js';
import { missing } from '../support/require.js';
import { NETWORKD, startNetworkd, type NetworkdProcess } from '../support/networkd/run-networkd.js';
import type { Daemon, Installed } from '../keepalive/lab.js';
import { cleanupDir } from '../keepalive/lab.js';
import { DHCP_TABLE, checkResults, follows, kernelView, model, renderRoot, startKeepalive } from './dhcp-follow.js';
import { DHCP_IF, DhcpLab, POOL_A, ROUTER_A, STATIC_IF, leftoverNamespaces, waitFor } from './dhcp-lab.js';

const skip = missing({ root: true, netns: true, commands: ['ip', NETWORKD, 'dnsmasq', 'ping', 'dash'] });

const RENEWAL_BOUND = 150_000;
const POOL_B = { first: '198.51.100.200', last: '198.51.100.209' };
const ROUTER_B = '198.51.100.1';
const ROUTER_C = '198.51.100.254';
const secs = (ms: number) => (ms / 1000).toFixed(1);
const safe = (f: () => boolean) => () => {
  try {
    return f();
  } catch {
    return false;
  }
};

describe.skipIf(skip !== undefined)('L3 DHCP uplink: systemd-networkd in a namespace, dnsmasq as the ISP, the keepalive following', () => {
  let lab: DhcpLab;
  let root: string;
  let m: Model;
  let nd: NetworkdProcess | undefined;
  let ka: { inst: Installed; daemon: Daemon } | undefined;
  const mp = () => kernelView(lab, m.routing.multipathTable);

  beforeAll(() => {
    m = model();
    lab = new DhcpLab('nd');
    lab.create();
    lab.startServer({ pool: POOL_A, router: ROUTER_A });
    root = renderRoot(m, 'debian', 'networkd').root;
    nd = startNetworkd(lab.ns.router, root, { timeoutS: 600 });
    ka = startKeepalive(lab, m);
  });

  afterAll(async () => {
    await ka?.daemon.stop();
    nd?.stop();
    lab?.destroy();
    if (root) rmSync(root, { recursive: true, force: true });
    if (ka) cleanupDir(ka.inst.dir);
    expect(leftoverNamespaces()).toEqual([]);
  });

  it('the lease: table 202 gets its router (networkd), the keepalive its rule and nexthop; main no default; mpgen check passes', async () => {
    await waitFor('a lease from pool A', safe(() => (lab.leaseAddress() ?? '').startsWith('192.0.2.10')), 60_000, () => `${lab.detail()}\n${nd!.log()}`);
    const addr = lab.leaseAddress()!;
    await waitFor('the keepalive follows', safe(() => follows(mp(), addr, ROUTER_A)), 20_000, () => `${JSON.stringify(mp())}\n${ka!.daemon.output}`);
    expect(lab.tableDefault(DHCP_TABLE)).toMatch(new RegExp(`^default via ${ROUTER_A.replace(/\./g, '\\.')} dev ${DHCP_IF} proto dhcp`));
    expect(lab.mainDefault()).toEqual([]);
    await waitFor('check passes', () => checkResults(m, lab, ka!.inst).every((r) => r.ok), 15_000, () => JSON.stringify(checkResults(m, lab, ka!.inst).filter((r) => !r.ok), null, 1));
    const lease = checkResults(m, lab, ka!.inst).find((r) => r.area === 'lease')!;
    expect(lease.what).toBe(`cable (${DHCP_IF}) DHCP lease: ${addr}/24 via ${ROUTER_A} (table ${DHCP_TABLE})`);
    expect(lab.reachable(addr, DHCP_TABLE)).toBe(true);
  });

  it('renumbered: after the renewal the rule, the nexthop and the probes follow; nothing of the old lease stays', async () => {
    const old = lab.leaseAddress()!;
    lab.renumber({ pool: POOL_B, router: ROUTER_B });
    const t0 = lab.changedAt;
    await waitFor('a lease from pool B', safe(() => (lab.leaseAddress() ?? '').startsWith('198.51.100.20')), RENEWAL_BOUND, () => `${lab.detail()}\n${nd!.log()}`);
    const leased = Date.now();
    const addr = lab.leaseAddress()!;
    await waitFor('the keepalive follows', safe(() => follows(mp(), addr, ROUTER_B)), 20_000, () => `${JSON.stringify(mp())}\n${ka!.daemon.output}`);
    console.log(`[dhcp-networkd] renumber: client ${secs(leased - t0)} s after the server change, kernel ${secs(Date.now() - leased)} s after the client`);
    const v = mp();
    expect(v.rules).not.toContain(`from ${old} `);
    expect(lab.routesMentioning(old)).toEqual([]);
    expect(lab.routesMentioning(ROUTER_A)).toEqual([]);
    expect(lab.mainDefault()).toEqual([]);
    await waitFor('the new router probed', () => new RegExp(`^target cable ${ROUTER_B.replace(/\./g, '\\.')} up`, 'm').test(ka!.daemon.status()), 15_000, () => ka!.daemon.status());
    await waitFor('check passes', () => checkResults(m, lab, ka!.inst).every((r) => r.ok), 15_000, () => JSON.stringify(checkResults(m, lab, ka!.inst).filter((r) => !r.ok), null, 1));
  });

  it('a renewal that changes only the router: the nexthop follows', async () => {
    const addr = lab.leaseAddress()!;
    lab.changeRouter(ROUTER_C);
    const t0 = lab.changedAt;
    await waitFor('table 202 via the new router', safe(() => (lab.tableDefault(DHCP_TABLE) ?? '').startsWith(`default via ${ROUTER_C} `)), RENEWAL_BOUND, () => `${lab.detail()}\n${nd!.log()}`);
    const renewed = Date.now();
    await waitFor('the keepalive follows', safe(() => follows(mp(), addr, ROUTER_C)), 20_000, () => `${JSON.stringify(mp())}\n${ka!.daemon.output}`);
    console.log(`[dhcp-networkd] router change: client ${secs(renewed - t0)} s after the server change, kernel ${secs(Date.now() - renewed)} s after the client`);
    expect(lab.leaseAddress()).toBe(addr);
    expect(mp().multipath).not.toContain(ROUTER_B);
  });

  it('the server gone: the lease expires, the line leaves the balance and its rule goes', async () => {
    const addr = lab.leaseAddress()!;
    lab.stopServer();
    const t0 = lab.changedAt;
    await waitFor('the lease gone', safe(() => lab.leaseAddress() === undefined), 200_000, () => `${lab.detail()}\n${nd!.log()}`);
    const gone = Date.now();
    await waitFor('out of the balance', safe(() => !mp().multipath.includes(`dev ${DHCP_IF}`) && mp().multipath.includes(`dev ${STATIC_IF}`)), 20_000, () => `${JSON.stringify(mp())}\n${ka!.daemon.output}`);
    console.log(`[dhcp-networkd] expiry: lease gone ${secs(gone - t0)} s after the server stopped, out of the balance ${secs(Date.now() - gone)} s later`);
    expect(mp().rules).not.toContain(`from ${addr} `);
    expect(ka!.daemon.output).toMatch(/cable lease: none .*out of the balance/);
    const lease = checkResults(m, lab, ka!.inst).find((r) => r.area === 'lease')!;
    expect(lease.ok).toBe(false);
    expect(lease.found).toMatch(/must be out of the balance/);
  });
});
