/**
 * L3 for networkd (and for netplan's output): the real systemd-networkd of
 * this machine (Debian 12, systemd 252) runs inside a network namespace this
 * test creates, reads the rendered files, and configures the kernel; then
 * `mpgen check`'s own reader and comparison (readKernel + checkKernel) read
 * the state back. Each uplink is a veth whose peer sits in a second
 * namespace, so links have carrier; only documentation addresses are used.
 *
 * networkd runs in a private mount namespace: /run/systemd is a tmpfs, the
 * rendered files are bind-mounted over /etc/systemd/network, and /sys is
 * read-only so networkd does not wait for udev (as in a container). It needs
 * no D-Bus for this (it logs that the bus is unavailable and carries on).
 *
 * sysctl and the keepalive are other parts' business and are not checked.
 * teql cannot be exercised: this kernel has no sch_teql.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderContext, type RenderContext } from '../../src/backends/backend.js';
import { netplan } from '../../src/backends/netplan.js';
import { networkd } from '../../src/backends/networkd.js';
import { checkKernel } from '../../src/check/check-kernel.js';
import { readKernel } from '../../src/check/read-kernel.js';
import type { CheckResult } from '../../src/check/result.js';
import { getDistro } from '../../src/distros/registry.js';
import type { Model } from '../../src/model/model.js';
import type { PlannedFile } from '../../src/plan/plan.js';
import { fixtureModel, type FixtureName } from '../support/fixtures.js';
import { tieredModel } from '../support/tiered.js';
import { missing } from '../support/require.js';
import { writeFilesUnder } from '../support/tree.js';
import { NETWORKD, startNetworkd as runNetworkd, type NetworkdProcess } from '../support/networkd/run-networkd.js';

const why = missing({ commands: ['ip', 'netplan', NETWORKD], root: true, netns: true });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });

let seq = 0;
const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {
      // best effort
    }
  }
});

interface Lab {
  ns: string;
  peer: string;
  root: string;
}

function lab(model: Model): Lab {
  const ns = `mpgnd${process.pid}x${seq++}`;
  const peer = `${ns}m`;
  const root = mkdtempSync(join(tmpdir(), 'mpgen-nd-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  for (const n of [ns, peer]) {
    sh('ip', ['netns', 'add', n]);
    cleanups.push(() => sh('ip', ['netns', 'del', n]));
  }
  sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const ifaces = [...new Set([...model.uplinks.map((u) => u.interface), ...(model.lan ? [model.lan.interface] : [])])];
  ifaces.forEach((i, k) => {
    sh('ip', ['-n', ns, 'link', 'add', i, 'type', 'veth', 'peer', 'name', `p${k}`, 'netns', peer]);
    sh('ip', ['-n', peer, 'link', 'set', `p${k}`, 'up']);
  });
  return { ns, peer, root };
}

/** Starts networkd in the lab namespace (test/support/networkd/run-networkd.ts). */
function startNetworkd(l: Lab, withRun: boolean): NetworkdProcess {
  const nd = runNetworkd(l.ns, l.root, { withRun });
  cleanups.push(nd.stop);
  return nd;
}

function stop(nd: NetworkdProcess): void {
  nd.stop();
}

const AREAS = new Set(['interface', 'rule', 'table', 'multipath']);
const failures = (model: Model, ns: string): CheckResult[] =>
  checkKernel(model, readKernel({ netns: ns, runDir: '/nonexistent' })).filter((r) => AREAS.has(r.area) && !r.ok);

/** Polls (bounded) until the check passes for the areas networkd owns. */
async function settle(model: Model, ns: string, ms = 30_000): Promise<CheckResult[]> {
  const until = Date.now() + ms;
  let bad = failures(model, ns);
  while (bad.length && Date.now() < until) {
    await sleep(500);
    bad = failures(model, ns);
  }
  return bad;
}

/**
 * Stands in for systemd running the hook unit: waits (bounded) for the
 * uplink addresses networkd configures, then runs each ExecStart= in the lab.
 */
async function runHook(ctx: RenderContext, l: Lab, files: PlannedFile[]): Promise<number> {
  const unit = files.find((f) => f.path.endsWith('.service'));
  if (!unit) return 0;
  const until = Date.now() + 30_000;
  const ready = (): boolean => {
    const out = sh('ip', ['-n', l.ns, '-4', '-o', 'addr', 'show']);
    return ctx.model.uplinks.every((u) => out.includes(` ${u.interface} `) && out.includes(u.address!.cidr));
  };
  while (!ready() && Date.now() < until) await sleep(300);
  const cmds = unit.content.split('\n').filter((x) => x.startsWith('ExecStart=')).map((x) => x.slice('ExecStart='.length).split(' '));
  for (const c of cmds) {
    expect(c[0]).toBe('ip');
    sh('ip', ['-n', l.ns, ...c.slice(1)]);
  }
  return cmds.length;
}

function ctxFor(fx: FixtureName | 'tiered'): RenderContext {
  const d = getDistro('debian'); // systemd 252, as installed here
  return renderContext(fx === 'tiered' ? tieredModel() : fixtureModel(fx), d);
}

describe.skipIf(why !== undefined)('systemd-networkd 252 applies the rendered files in a network namespace (L3)', () => {
  // tiered: a tier-2 uplink (its table and rules, no nexthop), fwmark rules with a mask, a policy
  for (const fx of ['seed001-multipath', 'seed004-weights', 'tiered'] as const) {
    it(`${fx}: networkd backend`, async () => {
      const ctx = ctxFor(fx);
      const l = lab(ctx.model);
      writeFilesUnder(l.root, networkd(ctx).files);
      const nd = startNetworkd(l, false);
      await runHook(ctx, l, networkd(ctx).files);
      const bad = await settle(ctx.model, l.ns);
      stop(nd);
      expect(bad).toEqual([]);
      const checked = checkKernel(ctx.model, readKernel({ netns: l.ns, runDir: '/nonexistent' })).filter((r) => AREAS.has(r.area));
      expect(checked.filter((r) => r.area === 'multipath').length).toBeGreaterThan(0);
      expect(checked.filter((r) => r.area === 'rule').length).toBe(ctx.state.rules.length);
      if (ctx.state.marks.length > 0) expect(checked.filter((r) => r.area === 'rule' && r.what.includes(' fwmark 0x')).length).toBe(ctx.model.uplinks.length);
    });

    it(`${fx}: netplan backend (netplan generate, then networkd with mpgen's drop-ins)`, async () => {
      const ctx = ctxFor(fx);
      const l = lab(ctx.model);
      writeFilesUnder(l.root, netplan(ctx).files);
      mkdirSync(join(l.root, 'etc/systemd/network'), { recursive: true });
      const g = spawnSync('netplan', ['generate', '--root-dir', l.root], { encoding: 'utf8', timeout: 60_000 });
      expect(g.stderr).toBe('');
      expect(g.status).toBe(0);
      const nd = startNetworkd(l, true);
      await runHook(ctx, l, netplan(ctx).files);
      const bad = await settle(ctx.model, l.ns);
      stop(nd);
      expect(bad).toEqual([]);
    });
  }

  it('seed000 (direct links): networkd, then the hook unit\'s ExecStart commands', async () => {
    const ctx = ctxFor('seed000-equalize');
    const l = lab(ctx.model);
    const files = networkd(ctx).files;
    writeFilesUnder(l.root, files);
    const nd = startNetworkd(l, false);
    expect(await runHook(ctx, l, files)).toBe(1);
    const bad = await settle(ctx.model, l.ns);
    stop(nd);
    expect(bad).toEqual([]);
    expect(sh('ip', ['-n', l.ns, '-4', 'route', 'show', 'table', 'main'])).not.toMatch(/192\.0\.2\.0\/24/);
  });

  it('systemd 252 holds the multipath route back while one uplink has no carrier (the note on debian), and installs it once it has', async () => {
    const ctx = ctxFor('seed001-multipath');
    const l = lab(ctx.model);
    writeFilesUnder(l.root, networkd(ctx).files);
    // eth2's peer is p1 (uplinks first, in order): take its carrier away
    sh('ip', ['-n', l.peer, 'link', 'set', 'p1', 'down']);
    const nd = startNetworkd(l, false);
    const table = (t: number): string => {
      const r = spawnSync('ip', ['-n', l.ns, '-4', 'route', 'show', 'table', String(t)], { encoding: 'utf8', timeout: 10_000 });
      return r.status === 0 ? r.stdout : ''; // a table that does not exist yet
    };
    const until = Date.now() + 30_000;
    while (!(table(201).includes('via 192.0.2.1') && table(202).includes('via 192.0.2.9')) && Date.now() < until) await sleep(500);
    expect(table(202)).toContain('default via 192.0.2.9 dev eth2'); // ConfigureWithoutCarrier=yes did its part
    await sleep(3_000);
    expect(table(222)).toBe('');
    sh('ip', ['-n', l.peer, 'link', 'set', 'p1', 'up']);
    const bad = await settle(ctx.model, l.ns);
    stop(nd);
    expect(bad).toEqual([]);
    expect(table(222)).toMatch(/nexthop via 192\.0\.2\.1 dev eth1 weight 1[\s\S]*nexthop via 192\.0\.2\.9 dev eth2 weight 1/);
  });
});
