/**
 * L3: the ifcfg output applied to a real kernel, the way initscripts applies
 * it, in a network namespace per fixture (veth devices named like the
 * fixture's, documentation addresses only):
 *
 * 1. each device gets its address as ifup-eth adds it (`ip addr add A/P brd +`);
 *    teql mode: ifup-eth's GATEWAY default route on the bond first. The kernel
 *    here has no sch_teql, so the bond is a veth named teql0: what is tested is
 *    the route file, not the qdisc (the hook tests cover tc);
 * 2. every line of route-DEV goes to `ip route add`, then `ip route replace`
 *    when that fails, and every line of rule-DEV to `ip rule add` (ifup-routes);
 * 3. the rendered /usr/sbin/ifup-local runs under dash for each device, with
 *    the real ip and stub tc/modprobe/ifup;
 * 4. `ip -j rule` and `ip -j route show table all` must equal
 *    docs/kernel-state.md as spelled out from the model.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missing } from '../support/require.js';
import { FIXTURES, fixtureModel, type FixtureName } from '../support/fixtures.js';
import {
  commandLines,
  expectedRoutes,
  expectedRules,
  file,
  readAllRoutes,
  readRoutes,
  readRules,
  renderIfcfg,
  stubDir,
  tempDir,
} from './ifcfg-support.js';

const why = missing({ root: true, netns: true, commands: ['ip', 'dash'] });
const NSDIR = '/etc/sysconfig/network-scripts';

function ip(ns: string, args: string[]): { status: number | null; err: string } {
  const r = spawnSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
  return { status: r.status, err: r.stderr };
}

function must(ns: string, args: string[]): void {
  const r = ip(ns, args);
  if (r.status !== 0) throw new Error(`ip -n ${ns} ${args.join(' ')}: ${r.err}`);
}

describe.skipIf(why !== undefined)('ifcfg L3: route-/rule- files and ifup-local applied in a namespace', () => {
  const namespaces: string[] = [];
  const stubs = stubDir(['tc', 'modprobe', 'ifup']);
  const work = tempDir('mprh-l3-');
  afterAll(() => {
    for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(stubs, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  FIXTURES.forEach((name: FixtureName, i) => {
    it(`${name}: the kernel holds exactly the rules and routes of kernel-state.md`, () => {
      const model = fixtureModel(name);
      const c = renderIfcfg(name);
      const ns = `mprh-${process.pid}-${i}`;
      execFileSync('ip', ['netns', 'add', ns]);
      namespaces.push(ns);

      // 1. devices and addresses, in the order the network service brings them up
      const devices: { dev: string; cidr: string; mtu?: number }[] = [
        ...model.uplinks.map((u) => ({ dev: u.interface, cidr: u.address!.cidr, mtu: u.mtu })),
        ...(model.lan ? [{ dev: model.lan.interface, cidr: model.lan.address.cidr }] : []),
        ...(model.bond ? [{ dev: model.bond.interface, cidr: model.bond.address.cidr }] : []),
      ];
      devices.forEach((d, k) => {
        must(ns, ['link', 'add', d.dev, 'type', 'veth', 'peer', 'name', `mprhp${k}`]);
        if (d.mtu) must(ns, ['link', 'set', d.dev, 'mtu', String(d.mtu)]);
        must(ns, ['link', 'set', `mprhp${k}`, 'up']);
        must(ns, ['link', 'set', d.dev, 'up']);
        must(ns, ['addr', 'add', d.cidr, 'brd', '+', 'dev', d.dev]);
      });
      if (model.bond && model.routes.includes('default')) {
        // ifup-eth with GATEWAY= and GATEWAYDEV=teql0 from /etc/sysconfig/network
        must(ns, ['route', 'replace', 'default', 'via', model.bond.gateway, 'dev', model.bond.interface]);
      }

      // 2. ifup-routes: route-DEV lines (add, then replace on failure), rule-DEV lines
      let lines = 0;
      for (const d of devices) {
        const route = c.files.find((f) => f.path === `${NSDIR}/route-${d.dev}`);
        for (const line of route ? commandLines(route.content) : []) {
          const words = line.split(/\s+/);
          if (ip(ns, ['route', 'add', ...words]).status !== 0) must(ns, ['route', 'replace', ...words]);
          lines++;
        }
        const rule = c.files.find((f) => f.path === `${NSDIR}/rule-${d.dev}`);
        for (const line of rule ? commandLines(rule.content) : []) {
          must(ns, ['rule', 'add', ...line.split(/\s+/)]);
          lines++;
        }
      }
      expect(lines).toBeGreaterThan(0);

      // 3. ifup-local for every device, with the real ip
      const hook = join(work, `${name}-ifup-local`);
      writeFileSync(hook, file(c, '/usr/sbin/ifup-local').content);
      for (const d of devices) {
        const r = spawnSync('ip', ['netns', 'exec', ns, 'dash', hook, d.dev], {
          encoding: 'utf8',
          env: { PATH: `${stubs}:/usr/sbin:/usr/bin:/sbin:/bin`, MPGEN_CALLS: join(work, 'calls') },
        });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
      }

      // 4. read back
      expect(readRules(ns)).toEqual(expectedRules(model));
      const want = expectedRoutes(model);
      const have = readRoutes(ns);
      expect(Object.fromEntries(have)).toEqual(Object.fromEntries(want));
      // a balanced subnet has no connected route in main (noprefixroute)
      const all = readAllRoutes(ns);
      for (const u of model.uplinks) {
        const connected = all.some((r) => r.table === undefined && r.dst === u.address!.networkCidr && r.dev === u.interface && r.protocol === 'kernel');
        expect(connected).toBe(!u.noPrefixRoute);
      }
    });
  });
});
