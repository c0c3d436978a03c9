/**
 * L3, a second backend in the same lab: the multipath output of the
 * systemd-networkd backend (arch) for seed001 (MultiPathRoute=,
 * [RoutingPolicyRule], Type=prohibit), turned into the
 * netlink requests networkd makes (networkd-apply.ts) and applied to a
 * namespace built like the eni lab. The kernel must then hold exactly the
 * same state expected.ts derives from the model for the eni backend.
 *
 * seed000 and seed004 are not here: networkd drops onlink from MultiPathRoute=
 * nexthops and has no nexthop without a gateway, so their multipath route
 * comes from a hook unit (mpgen-routes-NAME.service), not from .network keys.
 * test/backends/networkd-netns.test.ts runs the real networkd on those.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKernel } from '../../src/check/read-kernel.js';
import { renderPlan } from '../../src/plan/render.js';
import { fixtureModel, type FixtureName } from '../support/fixtures.js';
import { missing } from '../support/require.js';
import { writeTree } from './eni-files.js';
import { expectedState, observedState } from './expected.js';
import { Lab } from './lab.js';
import { networkdCommands } from './networkd-apply.js';

const skip = missing({ root: true, netns: true, commands: ['ip', 'sysctl'] });

const CASES: { name: FixtureName; tag: string }[] = [
  { name: 'seed001-multipath', tag: 'nd001' },
];

for (const { name, tag } of CASES) {
  // Skipped only outside CI, when missing() (test/support/require.ts) finds a tool or root absent; it prints why.
  // Under CI=true missing() throws instead, and .ci/run also fails on any skipped test.
  describe.skipIf(skip !== undefined)(`L3 networkd ${name}: the .network routes and rules applied to a kernel`, () => {
    const model = fixtureModel(name);
    const plan = renderPlan(model, 'arch', 'networkd');
    const lab = new Lab(tag);
    const networks = plan.files.filter((f) => f.path.startsWith('/etc/systemd/network/') && f.path.endsWith('.network'));
    const want = expectedState(model);

    beforeAll(() => lab.build(model));
    const roots: string[] = [];
    afterAll(() => {
      lab.destroy();
      for (const r of roots) rmSync(r, { recursive: true, force: true });
    });

    it('MultiPathRoute= and the policy rules give exactly the model state', () => {
      expect(networks.length).toBe(model.uplinks.length + (model.lan ? 1 : 0));
      const cmds = networks.map(networkdCommands);
      const root = writeTree(plan.files, `mpl3-root-${tag}-`);
      roots.push(root);
      const sysctlFile = plan.files.find((f) => f.path.startsWith('/etc/sysctl.d/'))!.path;
      const s = lab.exec(['sysctl', '-q', '-p', `${root}${sysctlFile}`]);
      expect(s.code, s.out).toBe(0);
      // networkd: addresses and link up first, then routes once every link of a multipath route is configured, then rules
      for (const c of cmds) {
        for (const a of c.addresses) lab.ip(lab.router, ...a);
        lab.ip(lab.router, 'link', 'set', c.iface, 'up');
      }
      const multipath = (r: string[]) => r.includes('nexthop');
      for (const c of cmds) for (const r of c.routes.filter((x) => !multipath(x))) lab.ip(lab.router, ...r);
      for (const c of cmds) for (const r of c.routes.filter(multipath)) lab.ip(lab.router, ...r);
      for (const c of cmds) for (const r of c.rules) lab.ip(lab.router, ...r);
      expect(cmds.flatMap((c) => c.routes).filter(multipath)).toHaveLength(model.routes.length);

      const got = observedState(readKernel({ netns: lab.router, runDir: '/nonexistent' }), Object.keys(want.sysctl));
      expect(got.rules).toEqual(want.rules);
      expect(got.routes).toEqual(want.routes);
      expect(got.sysctl).toEqual(want.sysctl);
    });
  });
}
