/**
 * A tier-2 uplink in every backend: its table, its address rule and its fwmark rule are there
 * from boot (the keepalive probes through its table, pinned connections use it), but it is no
 * nexthop of the multipath route and, in teql mode, its qdisc is not attached at boot: the balance
 * at boot is tier 1, with or without a keepalive (kernel-state.md; the keepalive adds a later tier
 * only while no tier-1 uplink is live). Real consumers read the files where they are installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderContext, type Contribution } from '../../src/backends/backend.js';
import { eni } from '../../src/backends/eni.js';
import { ifcfg } from '../../src/backends/ifcfg.js';
import { netplan } from '../../src/backends/netplan.js';
import { networkd } from '../../src/backends/networkd.js';
import { nm } from '../../src/backends/nm.js';
import { getDistro } from '../../src/distros/registry.js';
import type { Model } from '../../src/model/model.js';
import { expectedObjects, objectsOfFiles, whitelistViolations } from '../support/networkd/networkd-readback.js';
import { missing } from '../support/require.js';
import { TIERED_TEQL_YAML, tieredModel } from '../support/tiered.js';
import { writeFilesUnder } from '../support/tree.js';

const body = (c: Contribution, path: string): string => {
  const f = c.files.find((x) => x.path === path || x.path.endsWith(path));
  if (!f) throw new Error(`not rendered: ${path}; have ${c.files.map((x) => x.path).join(', ')}`);
  return f.content;
};
const noKeepalive = (m: Model): Model => ({ ...m, keepalive: { ...m.keepalive, enabled: false } });
const ctx = (m: Model, distro: string) => renderContext(m, getDistro(distro));

// multipath: dsl1 (eth1) and dsl2 (eth2) tier 1, lte (eth3, table 203, mark 0x300) tier 2
for (const [label, model] of [
  ['with the keepalive', () => tieredModel()],
  ['without the keepalive', () => noKeepalive(tieredModel())],
] as const) {
  describe(`a tier-2 uplink, multipath, ${label}`, () => {
    it('ifcfg: route-eth3 and rule-eth3 (address and fwmark rules); the multipath function has no eth3 nexthop', () => {
      const c = ifcfg(ctx(model(), 'rhel8'));
      expect(body(c, '/route-eth3')).toContain('default via 203.0.113.1 dev eth3 src 203.0.113.2 table 203 proto static\n');
      expect(body(c, '/rule-eth3')).toContain('from 203.0.113.2/32 table 203 priority 203\npriority 203 fwmark 0x300/0x3f00 table 203\n');
      const hook = body(c, '/ifup-local');
      expect(hook).toMatch(/nexthop via 192\.0\.2\.1 dev eth1 weight 1/);
      expect(hook).not.toMatch(/nexthop via 203\.0\.113\.1/);
    });

    it('eni: the eth3 stanza adds its table and both rules; the shared helper has no eth3 nexthop', () => {
      const c = eni(ctx(model(), 'debian'));
      const ifs = body(c, '/etc/network/interfaces.d/mpgen-tiered');
      const eth3 = ifs.slice(ifs.indexOf('iface eth3'));
      expect(eth3).toContain('post-up ip route replace default via 203.0.113.1 dev eth3 src 203.0.113.2 proto static table 203\n');
      expect(eth3).toContain('post-up ip rule add priority 203 from 203.0.113.2/32 lookup 203\n');
      expect(eth3).toContain('post-up ip rule add priority 203 fwmark 0x300/0x3f00 lookup 203\n');
      expect(eth3).toContain('pre-down ip rule del priority 203 fwmark 0x300/0x3f00 lookup 203 2>/dev/null || true\n');
      const helper = body(c, 'tiered-eni-shared');
      expect(helper).toContain('set -- "$@" nexthop via 192.0.2.9 dev eth2 weight 1\n');
      expect(helper).not.toContain('203.0.113.1 dev eth3');
      // eth3 up alone still counts for the shared rules, but installs no empty route
      expect(helper).toMatch(/if uplink_up eth3 203\.0\.113\.2\/32; then\n {2}n=\$\(\(n \+ 1\)\)\nfi/);
      expect(helper).toContain('if [ "$n" -gt 0 ] && [ "$#" -eq 0 ]; then');
    });

    for (const distro of ['debian', 'arch']) {
      it(`networkd (${distro}): read back, the files are kernel-state.md with lte out of the multipath route`, () => {
        const x = ctx(model(), distro);
        const c = networkd(x);
        expect(objectsOfFiles(c.files)).toEqual(expectedObjects(x.model));
        const objs = objectsOfFiles(c.files);
        expect(objs).toContain('rule 203 from all fwmark 0x300/0x3f00 table 203');
        expect(objs).toContain('route table 203 0.0.0.0/0 via 203.0.113.1 dev eth3 src 203.0.113.2');
        expect(objs).toContain('multipath table 222 0.0.0.0/0 via 192.0.2.1 dev eth1 weight 1 / via 192.0.2.9 dev eth2 weight 1');
        expect(whitelistViolations(c.files, x.distro.versions.systemd)).toEqual([]);
        const conf = c.files.find((f) => f.path === '/etc/systemd/networkd.conf.d/mpgen-tiered.conf');
        if (x.model.keepalive.enabled) expect(conf?.content).toMatch(/^\[Network\]\nManageForeignRoutes=no\nManageForeignRoutingPolicyRules=no\n$/m);
        else expect(conf).toBeUndefined();
      });
    }

    it('netplan: the yaml has lte\'s table and address rule, its drop-in the fwmark rule (routing-policy mark has no mask)', () => {
      const x = ctx(model(), 'ubuntu');
      const c = netplan(x);
      const y = body(c, '/etc/netplan/90-mpgen-tiered.yaml');
      expect(y).toMatch(/ {4}eth3:[\s\S]*- to: 0\.0\.0\.0\/0\n {10}via: 203\.0\.113\.1\n {10}from: 203\.0\.113\.2\n {10}table: 203\n[\s\S]*- from: 203\.0\.113\.2\/32\n {10}table: 203\n {10}priority: 203\n/);
      expect(y).not.toMatch(/^ +mark:/m);
      expect(body(c, '/etc/systemd/network/10-netplan-eth3.network.d/mpgen-tiered.conf')).toContain('[RoutingPolicyRule]\nFirewallMark=0x300/0x3f00\nTable=203\nPriority=203\n');
      const first = body(c, '/etc/systemd/network/10-netplan-eth1.network.d/mpgen-tiered.conf');
      expect(first).toContain('MultiPathRoute=192.0.2.1@eth1 1\nMultiPathRoute=192.0.2.9@eth2 1\nProtocol=static');
      expect(first).not.toContain('@eth3');
    });

    it('nm: lte\'s keyfile has its table and both rules; the dispatcher installs no eth3 nexthop', () => {
      const c = nm(ctx(model(), 'rhel'));
      const k = body(c, '/mpgen-tiered-lte.nmconnection');
      expect(k).toContain('route1=0.0.0.0/0,203.0.113.1,0\nroute1_options=src=203.0.113.2,table=203\n');
      expect(k).toContain('routing-rule1=priority 203 from 203.0.113.2/32 table 203\nrouting-rule2=priority 203 from 0.0.0.0/0 fwmark 0x300/0x3f00 table 203\n');
      const d = body(c, '/50-mpgen-tiered');
      expect(d).toMatch(/nexthop via 192\.0\.2\.9 dev eth2 weight 1/);
      expect(d).not.toMatch(/nexthop via 203\.0\.113\.1/);
    });
  });
}

describe('a tier-2 teql slave: no qdisc attached at boot', () => {
  const model = () => tieredModel(TIERED_TEQL_YAML);
  it('ifcfg: ifup-local attaches eth2 and eth3, not eth4 (ifdown-local still detaches every slave)', () => {
    const c = ifcfg(ctx(model(), 'rhel8'));
    expect(body(c, '/ifup-local')).toMatch(/case \$dev in\n\teth2 \| eth3\)\n\t\t# idempotent/);
    expect(body(c, '/ifdown-local')).toMatch(/case \$dev in\n\teth2 \| eth3 \| eth4\)\n\t\ttc qdisc del/);
  });
  it('eni: no tc qdisc in the eth4 stanza', () => {
    const ifs = body(eni(ctx(model(), 'debian')), '/etc/network/interfaces.d/mpgen-tteql');
    expect(ifs).toContain('post-up tc qdisc replace dev eth3 root teql0');
    expect(ifs).not.toContain('dev eth4 root teql0');
  });
  it('networkd and netplan: [TrivialLinkEqualizer] on the tier-1 slaves only', () => {
    const nd = networkd(ctx(model(), 'arch'));
    expect(body(nd, '10-mpgen-tteql-adsl2.network')).toContain('[TrivialLinkEqualizer]');
    expect(body(nd, '10-mpgen-tteql-backup.network')).not.toContain('[TrivialLinkEqualizer]');
    const np = netplan(ctx(model(), 'ubuntu'));
    expect(body(np, '10-netplan-eth3.network.d/mpgen-tteql.conf')).toContain('[TrivialLinkEqualizer]');
    expect(body(np, '10-netplan-eth4.network.d/mpgen-tteql.conf')).not.toContain('[TrivialLinkEqualizer]');
    // before [TrivialLinkEqualizer] the hook unit attaches them: tier 1 too
    const old = { ...getDistro('debian'), versions: { ...getDistro('debian').versions, systemd: 244 } };
    const hook = body(networkd(renderContext(model(), old)), '.service');
    expect(hook).toContain('ExecStart=tc qdisc replace dev eth3 root teql0');
    expect(hook).not.toContain('dev eth4 root');
  });
  it('nm: the dispatcher attaches eth2 and eth3 on up, detaches every slave on down', () => {
    const d = body(nm(ctx(model(), 'rhel')), '/50-mpgen-tteql');
    expect(d).toMatch(/\t\t\teth2 \| eth3\)\n\t\t\t\t# tier-1 slaves only/);
    expect(d).toContain('eth2 | eth3 | eth4) tc qdisc del dev "$dev" root');
  });
});

const noConsumers = missing({ commands: ['netplan', 'nmcli', 'ifup'] });
describe.skipIf(noConsumers !== undefined)('the tiered files are accepted by their real consumers', () => {
  it('netplan generate, nmcli --offline (rules intact) and ifup --no-act', () => {
    const m = tieredModel();
    const root = mkdtempSync(join(tmpdir(), 'mpgen-tiers-'));
    try {
      writeFilesUnder(root, netplan(ctx(m, 'ubuntu')).files.filter((f) => f.path.startsWith('/etc/netplan/')));
      const g = spawnSync('netplan', ['generate', '--root-dir', root], { encoding: 'utf8', timeout: 60_000 });
      expect(g.stderr).toBe('');
      expect(g.status).toBe(0);
      const k = body(nm(ctx(m, 'rhel')), '/mpgen-tiered-lte.nmconnection');
      const r = spawnSync('nmcli', ['--offline', 'connection', 'modify', 'connection.autoconnect', 'yes'], { input: k, encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('routing-rule2=priority 203 from 0.0.0.0/0 fwmark 0x300/0x3f00 table 203\n');
      writeFilesUnder(root, eni(ctx(m, 'debian')).files);
      const i = spawnSync('ifup', ['--no-act', '-i', join(root, 'etc/network/interfaces.d/mpgen-tiered'), '--state-dir', root, '-a'], { encoding: 'utf8', timeout: 30_000 });
      expect(i.status, i.stderr).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
