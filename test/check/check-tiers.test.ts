/**
 * checkKernel with tiers, fwmark rules and policies, on the recorded multipath snapshot
 * (test/check/recorded/multipath-ok.json, uplinks adsl1 on eth1 and adsl2 on eth2) edited per
 * case, and the keepalive status file in the keepalive's own line format.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkKernel } from '../../src/check/check-kernel.js';
import { parseKeepaliveStatus } from '../../src/check/keepalive-status.js';
import { formatResults } from '../../src/check/result.js';
import type { KernelSnapshot } from '../../src/check/snapshot.js';
import type { Model } from '../../src/model/model.js';
import { multipathModel, teqlModel } from './models.js';

const snapshot = (): KernelSnapshot => JSON.parse(readFileSync(new URL('./recorded/multipath-ok.json', import.meta.url), 'utf8')) as KernelSnapshot;
const text = (s: KernelSnapshot, m: Model) => formatResults(checkKernel(m, s));
const fails = (s: KernelSnapshot, m: Model) =>
  text(s, m)
    .split('\n')
    .filter((l) => l.startsWith('FAIL'));
const alive = { state: 'S', cmdline: '/usr/libexec/mpgen/lab-keepalive run lab', cgroup: '0::/system.slice/mpgen-keepalive-lab.service\n' };

/** adsl2 is a tier-2 backup. */
function tiered(keepalive = false): Model {
  const m = multipathModel();
  m.uplinks[1]!.tier = 2;
  m.keepalive.enabled = keepalive;
  return m;
}

/** Leave one nexthop (by device) in table 222: the kernel then prints a plain route. */
function onlyNexthop(s: KernelSnapshot, dev: string): KernelSnapshot {
  for (const r of s.routes.filter((x) => x.table === '222')) {
    const n = r.nexthops!.find((x) => x.dev === dev)!;
    delete r.nexthops;
    r.gateway = n.gateway;
    r.dev = n.dev;
  }
  return s;
}

const line = (name: string, dev: string, st: string, active: string, tier: number) =>
  `uplink ${name} ${st} dev=${dev} active=${active} targets_up=1/1 quorum=1 monitored=yes transitions=0 since=0 tier=${tier}`;
const withStatus = (s: KernelSnapshot, lines: string[]): KernelSnapshot => ({ ...s, keepaliveStatus: { lab: ['name=lab', 'pid=4242', 'state=running', ...lines, ''].join('\n') }, processes: { '4242': alive } });

describe('checkKernel: tiers', () => {
  it('without a keepalive the multipath route holds tier 1 only: the tier-2 nexthop there is a FAIL', () => {
    const m = tiered();
    expect(fails(onlyNexthop(snapshot(), 'eth1'), m)).toEqual([]);
    expect(text(onlyNexthop(snapshot(), 'eth1'), m)).toContain('ok   table 222 multipath default nexthop via 192.0.2.2 dev eth1 weight 1\n');
    expect(fails(snapshot(), m)).toEqual([
      'FAIL table 222 multipath default nexthop via 192.0.2.2 dev eth1 weight 1: expected nexthop via 192.0.2.2 dev eth1, found nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3',
      'FAIL table 222 multipath 203.0.113.0/24 nexthop via 192.0.2.2 dev eth1 weight 1: expected nexthop via 192.0.2.2 dev eth1, found nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3',
    ]);
  });

  it('a tier-2 uplink up but out of the balance while tier 1 is live is ok (standby), with its tier shown', () => {
    const s = withStatus(onlyNexthop(snapshot(), 'eth1'), [line('adsl1', 'eth1', 'up', 'yes', 1), line('adsl2', 'eth2', 'up', 'no', 2)]);
    expect(fails(s, tiered(true))).toEqual([]);
    const out = text(s, tiered(true));
    expect(out).toContain('ok   keepalive adsl1 (eth1) up, tier 1, in the balance\n');
    expect(out).toContain('ok   keepalive adsl2 (eth2) up, tier 2, out of the balance (standby: tier 1 is live)\n');
  });

  it('tier 1 down: the tier-2 uplink the keepalive put in the balance is expected in the route, and only it', () => {
    const m = tiered(true);
    const s = withStatus(onlyNexthop(snapshot(), 'eth2'), [line('adsl1', 'eth1', 'down', 'no', 1), line('adsl2', 'eth2', 'up', 'yes', 2)]);
    expect(fails(s, m)).toEqual([]);
    expect(text(s, m)).toContain(
      'ok   table 222 multipath default nexthop via 192.0.2.2 dev eth1 weight 1 (adsl1 (eth1) taken out by the keepalive: down; adsl2 (eth2, tier 2) in the balance: no live uplink of a lower tier)\n',
    );
    // the kernel still on tier 1 disagrees with the keepalive
    const stale = withStatus(onlyNexthop(snapshot(), 'eth1'), [line('adsl1', 'eth1', 'down', 'no', 1), line('adsl2', 'eth2', 'up', 'yes', 2)]);
    expect(fails(stale, m)[0]).toBe('FAIL table 222 multipath default nexthop via 192.0.2.2 dev eth1 weight 1: expected nexthop via 198.51.100.2 dev eth2, found nexthop via 192.0.2.2 dev eth1');
  });

  it('FAILs an uplink of the live tier left out of the balance, a wrong tier, and a dead uplink kept in', () => {
    const m = multipathModel();
    m.keepalive.enabled = true;
    const out = withStatus(onlyNexthop(snapshot(), 'eth1'), [line('adsl1', 'eth1', 'up', 'yes', 1), line('adsl2', 'eth2', 'up', 'no', 1)]);
    expect(fails(out, m)).toEqual(['FAIL keepalive adsl2 (eth2) up, tier 1, out of the balance: expected in the balance (tier 1 is the live tier), found out of the balance']);
    const wrongTier = withStatus(snapshot(), [line('adsl1', 'eth1', 'up', 'yes', 1), line('adsl2', 'eth2', 'up', 'yes', 2)]);
    expect(fails(wrongTier, m)).toEqual(['FAIL keepalive adsl2 (eth2) up, tier 1: expected tier=1, found tier=2']);
    const deadIn = withStatus(snapshot(), [line('adsl1', 'eth1', 'up', 'yes', 1), line('adsl2', 'eth2', 'down', 'yes', 1)]);
    expect(fails(deadIn, m)).toEqual(['FAIL keepalive adsl2 (eth2) down, tier 1, in the balance: expected out of the balance while down, found in the balance']);
    // every line down: the keepalive fails open to tier 1, which is no failure
    const open = withStatus(snapshot(), [line('adsl1', 'eth1', 'down', 'yes', 1), line('adsl2', 'eth2', 'down', 'yes', 1)]);
    expect(fails(open, m)).toEqual([]);
  });

  it('teql: a tier-2 slave has no qdisc at boot, and one the keepalive put in the balance must have it', () => {
    const m = teqlModel();
    m.uplinks[1]!.tier = 2;
    const qdisc = (dev: string) => ({ kind: 'teql0', handle: '0:', dev, root: true });
    const teql: KernelSnapshot = { links: [], rules: [], routes: [], qdiscs: [qdisc('eth0')], sysctl: {} };
    const q = (s: KernelSnapshot, mm: Model) => text(s, mm).split('\n').filter((l) => l.includes('teql qdisc'));
    expect(q(teql, m)).toEqual(['ok   teql qdisc teql0 on eth0 (adsl1)', 'ok   no teql qdisc teql0 on eth1 (adsl2, tier 2: out of the balance)']);
    // attached at boot without the keepalive: nothing would ever take it out
    expect(q({ ...teql, qdiscs: [qdisc('eth0'), qdisc('eth1')] }, m)[1]).toBe(
      'FAIL no teql qdisc teql0 on eth1 (adsl2, tier 2: out of the balance): expected no teql root qdisc, found root qdisc teql0',
    );
    m.keepalive.enabled = true;
    const failed = withStatus(teql, [line('adsl1', 'eth0', 'down', 'no', 1), line('adsl2', 'eth1', 'up', 'yes', 2)]);
    expect(q(failed, m)).toEqual([
      'FAIL teql qdisc teql0 on eth0 (adsl1): expected detached while the keepalive reports adsl1 down, found root qdisc teql0',
      'FAIL teql qdisc teql0 on eth1 (adsl2): expected root qdisc teql0, found no root qdisc',
    ]);
    const moved = withStatus({ ...teql, qdiscs: [qdisc('eth1')] }, [line('adsl1', 'eth0', 'down', 'no', 1), line('adsl2', 'eth1', 'up', 'yes', 2)]);
    expect(q(moved, m)).toEqual(['ok   teql qdisc teql0 on eth0 (adsl1) (adsl1 taken out by the keepalive: down)', 'ok   teql qdisc teql0 on eth1 (adsl2)']);
  });
});

describe('checkKernel: fwmark rules', () => {
  const pinned = (): Model => {
    const m = multipathModel();
    m.firewall = 'nftables';
    m.routing.pinFlows = true;
    return m;
  };
  const markRule = (priority: number, mark: string, mask = '0x3f00') => ({ priority, src: 'all', fwmark: mark, fwmask: mask, table: String(priority) });

  it('expects one fwmark rule per uplink at its rule priority, and reads ip -j rule fwmark/fwmask', () => {
    const s = snapshot();
    expect(fails(s, pinned())).toEqual([
      'FAIL rule 201 from all fwmark 0x100/0x3f00 lookup 201: expected from all fwmark 0x100/0x3f00 lookup 201, found from 192.0.2.1/32 lookup 201',
      'FAIL rule 202 from all fwmark 0x200/0x3f00 lookup 202: expected from all fwmark 0x200/0x3f00 lookup 202, found from 198.51.100.1/32 lookup 202',
    ]);
    s.rules.push(markRule(201, '0x100'), markRule(202, '0x200'));
    expect(fails(s, pinned())).toEqual([]);
    expect(text(s, pinned())).toContain('ok   rule 202 from all fwmark 0x200/0x3f00 lookup 202\n');
    // without firewall there are no marks, and nothing more is asked
    expect(fails(snapshot(), multipathModel())).toEqual([]);
  });

  it('FAILs a mark rule with the wrong mask or mark', () => {
    const s = snapshot();
    s.rules.push(markRule(201, '0x100', '0xff00'), markRule(202, '0x300'));
    expect(fails(s, pinned())).toEqual([
      'FAIL rule 201 from all fwmark 0x100/0x3f00 lookup 201: expected from all fwmark 0x100/0x3f00 lookup 201, found from 192.0.2.1/32 lookup 201; from all fwmark 0x100/0xff00 lookup 201',
      'FAIL rule 202 from all fwmark 0x200/0x3f00 lookup 202: expected from all fwmark 0x200/0x3f00 lookup 202, found from 198.51.100.1/32 lookup 202; from all fwmark 0x300/0x3f00 lookup 202',
    ]);
  });
});

describe('checkKernel: policies', () => {
  const steered = (): Model => {
    const m = multipathModel();
    m.firewall = 'nftables';
    m.keepalive.enabled = true;
    m.policies = [
      { name: 'voip', index: 0, protocol: 'udp', dport: [{ from: 5060, to: 5060 }], sport: [], src: [], dst: [], uplinks: ['adsl2', 'adsl1'], fallback: 'balance' },
      { name: 'bank', index: 1, protocol: 'tcp', dport: [{ from: 443, to: 443 }], sport: [], src: [], dst: ['203.0.113.0/24'], uplinks: ['adsl1'], fallback: 'none' },
    ];
    return m;
  };
  const marks = (s: KernelSnapshot) => {
    s.rules.push({ priority: 201, src: 'all', fwmark: '0x100', fwmask: '0x3f00', table: '201' }, { priority: 202, src: 'all', fwmark: '0x200', fwmask: '0x3f00', table: '202' });
    return s;
  };
  const ups = [line('adsl1', 'eth1', 'up', 'yes', 1), line('adsl2', 'eth2', 'up', 'yes', 1)];

  it('shows each policy on the first of its uplinks that is up', () => {
    const s = withStatus(marks(snapshot()), [...ups, 'policy voip adsl2', 'policy bank adsl1']);
    expect(fails(s, steered())).toEqual([]);
    const out = text(s, steered());
    expect(out).toContain('ok   keepalive policy voip: adsl2 (first of adsl2, adsl1 that is up)\n');
    expect(out).toContain('ok   keepalive policy bank: adsl1 (first of adsl1 that is up)\n');
  });

  it('FAILs a policy left on a dead uplink, one missing from the status, and accepts the fallback when none is up', () => {
    const down = [line('adsl1', 'eth1', 'down', 'no', 1), line('adsl2', 'eth2', 'up', 'yes', 1)];
    const s = withStatus(onlyNexthop(marks(snapshot()), 'eth2'), [...down, 'policy voip adsl1']);
    expect(fails(s, steered())).toEqual([
      'FAIL keepalive policy voip: adsl1: expected adsl2 (first of adsl2, adsl1 that is up), found adsl1',
      'FAIL keepalive policy bank: expected a "policy bank" line in the status file, found not listed',
    ]);
    const fallback = withStatus(onlyNexthop(marks(snapshot()), 'eth2'), [...down, 'policy voip adsl2', 'policy bank reject']);
    expect(fails(fallback, steered())).toEqual([]);
    expect(text(fallback, steered())).toContain('ok   keepalive policy bank: reject (none of adsl1 is up: fallback none)\n');
  });

  it('parses the keepalive lines: tier, active and policy targets, by name and by device', () => {
    const st = parseKeepaliveStatus(['pid=7', line('lte', 'wwan0', 'up', 'no', 2), 'policy voip balance', ''].join('\n'));
    expect(st).toEqual({ pid: 7, lines: { lte: 'up' }, active: { lte: false, wwan0: false }, tiers: { lte: 2, wwan0: 2 }, policies: { voip: 'balance' } });
  });
});

