/**
 * What the L3 tests of a DHCP uplink share: the profile (one static line, one DHCP line), its
 * render written under a root, the keepalive run in the lab's router namespace with the
 * rendered configuration, and the readers that say whether the kernel follows the lease.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkKernel } from '../../src/check/check-kernel.js';
import { readKernel } from '../../src/check/read-kernel.js';
import type { CheckResult } from '../../src/check/result.js';
import { loadModelFromText } from '../../src/model/load.js';
import type { Model } from '../../src/model/model.js';
import { renderPlan } from '../../src/plan/render.js';
import { writeFilesUnder } from '../support/tree.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, cleanupDir, install, type Installed, type Lab } from '../keepalive/lab.js';
import { DHCP_IF, DhcpLab, POOL_A, ROUTER_A, STATIC_ADDR, STATIC_GW, STATIC_IF, STATIC_TABLE, TARGET, leftoverNamespaces, waitFor } from './dhcp-lab.js';

export const NAME = 'lab';
export const DHCP_TABLE = 202;

/** One static uplink (the lab's r1) and one DHCP uplink (r2); the keepalive probes far at TARGET. */
export const PROFILE = `version: 1
name: ${NAME}
mode: multipath
uplinks:
  - {name: line1, interface: ${STATIC_IF}, address: ${STATIC_ADDR}/29, gateway: ${STATIC_GW}}
  - {name: cable, interface: ${DHCP_IF}, address: dhcp}
nat: masquerade
firewall: nftables
keepalive: {interval: 100ms, timeout: 300ms, down: 4, up: 6, targets: [${TARGET}]}
`;

export const model = (): Model => loadModelFromText(PROFILE, 'dhcp-follow.yaml').model;

/** The render for a distro and backend, written under a fresh root. */
export function renderRoot(m: Model, distro: string, backend: string): { root: string; paths: string[] } {
  const plan = renderPlan(m, distro, backend);
  const root = mkdtempSync(join(tmpdir(), `mpgen-dhcp-${backend}-`));
  writeFilesUnder(root, plan.files);
  return { root, paths: plan.files.map((f) => f.path) };
}

/** The rendered keepalive in the lab's router namespace (its configuration is the render's). */
export function startKeepalive(lab: DhcpLab, m: Model): { inst: Installed; daemon: Daemon } {
  const inst = install(m);
  const daemon = new Daemon({ ns: { router: lab.ns.router } } as unknown as Lab, inst, NAME, ['dash']);
  daemon.start();
  return { inst, daemon };
}

export interface Follow {
  rules: string;
  multipath: string;
}

/** The rules and the multipath route of the router, as ip prints them. */
export function kernelView(lab: DhcpLab, table: number): Follow {
  return { rules: lab.ip(lab.ns.router, '-4', 'rule', 'show'), multipath: lab.ip(lab.ns.router, '-o', '-4', 'route', 'show', 'table', String(table)) };
}

/** The rule from ADDR to the DHCP uplink's table, and the nexthop through ROUTER, are in place. */
export function follows(v: Follow, addr: string, router: string): boolean {
  return v.rules.includes(`from ${addr} lookup ${DHCP_TABLE}`) && v.multipath.includes(`nexthop via ${router} dev ${DHCP_IF} `) && v.multipath.includes(`dev ${STATIC_IF} `);
}

/**
 * `mpgen check`'s comparison, read from the lab (keepalive status included), for what concerns the
 * DHCP uplink: its lease, its table and rules, the balance (the lab sets up the static line itself).
 */
export function checkResults(m: Model, lab: DhcpLab, inst: Installed): CheckResult[] {
  const ours = (r: CheckResult) =>
    r.area === 'lease' || r.area === 'multipath' || (['rule', 'table'].includes(r.area) && (r.what.includes('(cable') || r.what.includes(`lookup ${DHCP_TABLE}`) || r.what.includes(`dev ${DHCP_IF}`)));
  return checkKernel(m, readKernel({ netns: lab.ns.router, runDir: inst.run })).filter(ours);
}

/** The lease's default route in the uplink's table (the prohibit fallback beside it left out), or undefined. */
export function leaseRoute(lab: DhcpLab): string | undefined {
  return lab
    .ip(lab.ns.router, '-o', '-4', 'route', 'show', 'default', 'table', String(DHCP_TABLE))
    .split('\n')
    .find((l) => l.startsWith('default via '))
    ?.trim();
}

/**
 * Takes the lab's own setup of the static line away, for a backend whose daemon configures it
 * from the render (networkd 252 loops on an address that differs from its own only in the
 * broadcast, until its request queue overflows with ERANGE and takes the other links down too).
 */
export function dropStaticSetup(lab: DhcpLab): void {
  lab.ip(lab.ns.router, 'rule', 'del', 'from', `${STATIC_ADDR}/32`, 'lookup', String(STATIC_TABLE));
  lab.ip(lab.ns.router, 'route', 'flush', 'table', String(STATIC_TABLE));
  lab.ip(lab.ns.router, 'addr', 'flush', 'dev', STATIC_IF);
}

/** The DHCP client of a backend, running in the lab's router namespace. */
export interface Client {
  log: () => string;
  stop: () => void;
}

export interface FollowClient {
  /** the lab's namespace tag */
  tag: string;
  backend: 'eni' | 'networkd' | 'netplan';
  /** why this client cannot run here (test/support/require.ts), or undefined */
  skip: string | undefined;
  /** the protocol the client gives the lease's route in the uplink's table */
  proto: string;
  /** starts the client on the rendered root; returns once it runs (not necessarily bound) */
  start: (lab: DhcpLab, root: string) => Client;
}

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

/** One client's lab, render, client and keepalive. */
interface Run {
  o: FollowClient;
  m: Model;
  lab: DhcpLab;
  root: string;
  client: Client;
  ka: { inst: Installed; daemon: Daemon };
}

const mp = (r: Run) => kernelView(r.lab, r.m.routing.multipathTable);
const detail = (r: Run) => `${r.lab.detail()}\n${r.client.log()}`;
const kaDetail = (r: Run) => `${JSON.stringify(mp(r))}\n${r.ka.daemon.output}`;
const checkPasses = (r: Run) =>
  waitFor(`${r.o.backend}: check passes`, () => checkResults(r.m, r.lab, r.ka.inst).every((x) => x.ok), 15_000, () => JSON.stringify(checkResults(r.m, r.lab, r.ka.inst).filter((x) => !x.ok), null, 1));

/** Runs a step for every client at once (their renewals overlap); a failure names its backend. */
async function each(runs: Run[], step: (r: Run) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(runs.map((r) => step(r)));
  const bad = results.flatMap((x, i) => (x.status === 'rejected' ? [`${runs[i]!.o.backend}: ${String((x.reason as Error)?.stack ?? x.reason)}`] : []));
  if (bad.length > 0) throw new Error(bad.join('\n\n'));
}

/**
 * The scenario every client goes through at the same time, each in its own lab with the rendered
 * keepalive following: the lease, a renumbering and a new router alone at the client's own
 * renewals, the lease's expiry.
 */
export function dhcpFollowSuite(title: string, clients: FollowClient[]): void {
  const skip = clients.map((c) => c.skip).find((x) => x !== undefined);
  describe.skipIf(skip !== undefined)(title, () => {
    const runs: Run[] = [];

    beforeAll(async () => {
      for (const o of clients) {
        const m = model();
        const lab = new DhcpLab(o.tag);
        lab.create();
        lab.startServer({ pool: POOL_A, router: ROUTER_A });
        const root = renderRoot(m, 'debian', o.backend).root;
        // a partial run still gets cleaned up
        const run = { o, m, lab, root } as Run;
        runs.push(run);
        run.client = o.start(lab, root);
        run.ka = startKeepalive(lab, m);
      }
    });

    afterAll(async () => {
      for (const r of runs) {
        await r.ka?.daemon.stop();
        r.client?.stop();
        r.lab.destroy();
        rmSync(r.root, { recursive: true, force: true });
        if (r.ka) cleanupDir(r.ka.inst.dir);
      }
      expect(leftoverNamespaces()).toEqual([]);
    });

    it('the lease: table 202 gets its router (the client), the keepalive its rule and nexthop; main no default; mpgen check passes', async () => {
      await each(runs, async (r) => {
        const { lab } = r;
        await waitFor(`${r.o.backend}: a lease from pool A`, safe(() => (lab.leaseAddress() ?? '').startsWith('192.0.2.10')), 90_000, () => detail(r));
        const addr = lab.leaseAddress()!;
        await waitFor(`${r.o.backend}: the keepalive follows`, safe(() => follows(mp(r), addr, ROUTER_A)), 20_000, () => kaDetail(r));
        expect(leaseRoute(lab)).toMatch(new RegExp(`^default via ${ROUTER_A.replace(/\./g, '\\.')} dev ${DHCP_IF} proto ${r.o.proto}`));
        expect(lab.mainDefault()).toEqual([]);
        await checkPasses(r);
        const lease = checkResults(r.m, lab, r.ka.inst).find((x) => x.area === 'lease')!;
        expect(lease.what).toBe(`cable (${DHCP_IF}) DHCP lease: ${addr}/24 via ${ROUTER_A} (table ${DHCP_TABLE})`);
        expect(lab.reachable(addr, DHCP_TABLE)).toBe(true);
      });
    }, 150_000);

    it('renumbered: after the renewal the rule, the nexthop and the probes follow; nothing of the old lease stays', async () => {
      await each(runs, async (r) => {
        const { lab } = r;
        const old = lab.leaseAddress()!;
        lab.renumber({ pool: POOL_B, router: ROUTER_B });
        const t0 = lab.changedAt;
        await waitFor(`${r.o.backend}: a lease from pool B`, safe(() => (lab.leaseAddress() ?? '').startsWith('198.51.100.20')), RENEWAL_BOUND, () => detail(r));
        const leased = Date.now();
        const addr = lab.leaseAddress()!;
        await waitFor(`${r.o.backend}: the keepalive follows`, safe(() => follows(mp(r), addr, ROUTER_B)), 20_000, () => kaDetail(r));
        console.log(`[dhcp-${r.o.backend}] renumber: client ${secs(leased - t0)} s after the server change, kernel ${secs(Date.now() - leased)} s after the client`);
        expect(mp(r).rules).not.toContain(`from ${old} `);
        expect(lab.routesMentioning(old)).toEqual([]);
        expect(lab.routesMentioning(ROUTER_A)).toEqual([]);
        expect(lab.mainDefault()).toEqual([]);
        await waitFor(`${r.o.backend}: the new router probed`, () => new RegExp(`^target cable ${ROUTER_B.replace(/\./g, '\\.')} up`, 'm').test(r.ka.daemon.status()), 15_000, () => r.ka.daemon.status());
        await checkPasses(r);
      });
    }, RENEWAL_BOUND + 60_000);

    it('a renewal that changes only the router: the nexthop follows', async () => {
      await each(runs, async (r) => {
        const { lab } = r;
        const addr = lab.leaseAddress()!;
        lab.changeRouter(ROUTER_C);
        const t0 = lab.changedAt;
        await waitFor(`${r.o.backend}: table 202 via the new router`, safe(() => (leaseRoute(lab) ?? '').startsWith(`default via ${ROUTER_C} `)), RENEWAL_BOUND, () => detail(r));
        const renewed = Date.now();
        await waitFor(`${r.o.backend}: the keepalive follows`, safe(() => follows(mp(r), addr, ROUTER_C)), 20_000, () => kaDetail(r));
        console.log(`[dhcp-${r.o.backend}] router change: client ${secs(renewed - t0)} s after the server change, kernel ${secs(Date.now() - renewed)} s after the client`);
        expect(lab.leaseAddress()).toBe(addr);
        expect(mp(r).multipath).not.toContain(ROUTER_B);
      });
    }, RENEWAL_BOUND + 60_000);

    it('the server gone: the lease expires, the line leaves the balance and its rule goes', async () => {
      await each(runs, async (r) => {
        const { lab } = r;
        const addr = lab.leaseAddress()!;
        lab.stopServer();
        const t0 = lab.changedAt;
        await waitFor(`${r.o.backend}: the lease gone`, safe(() => lab.leaseAddress() === undefined), 200_000, () => detail(r));
        const gone = Date.now();
        await waitFor(`${r.o.backend}: out of the balance`, safe(() => !mp(r).multipath.includes(`dev ${DHCP_IF}`) && mp(r).multipath.includes(`dev ${STATIC_IF}`)), 20_000, () => kaDetail(r));
        console.log(`[dhcp-${r.o.backend}] expiry: lease gone ${secs(gone - t0)} s after the server stopped, out of the balance ${secs(Date.now() - gone)} s later`);
        expect(mp(r).rules).not.toContain(`from ${addr} `);
        await waitFor(`${r.o.backend}: logged`, () => /cable lease: none .*out of the balance/.test(r.ka.daemon.output), 10_000, () => r.ka.daemon.output);
        const lease = checkResults(r.m, lab, r.ka.inst).find((x) => x.area === 'lease')!;
        expect(lease.ok).toBe(false);
        expect(lease.found).toMatch(/must be out of the balance/);
      });
    }, 260_000);
  });
}
