/**
 * L3 for tiers and marks: a pinned model (firewall, pin_flows) with adsl2 as a tier-2 backup,
 * applied to a real kernel in a namespace (netns-apply.ts: fwmark rules, tier-1 multipath route),
 * read back with readKernel (real `ip -j rule` fwmark/fwmask fields), and checked. Then the
 * keepalive's view moves the balance to tier 2 (a status file in a private run dir, the route
 * replaced as the keepalive would), and the check follows it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkKernel } from '../../src/check/check-kernel.js';
import { readKernel } from '../../src/check/read-kernel.js';
import { formatResults } from '../../src/check/result.js';
import type { Model } from '../../src/model/model.js';
import { missing } from '../support/require.js';
import { multipathModel } from './models.js';
import { applyMultipath, createNamespaces, deleteNamespaces, ip } from './netns-apply.js';

const skip = missing({ root: true, netns: true, commands: ['ip', 'tc'] });
const ns = `mpt-${process.pid}`;
const peer = `mpt-${process.pid}-m`;

function pinnedTiered(): Model {
  const m = multipathModel();
  m.firewall = 'nftables';
  m.routing.pinFlows = true;
  m.uplinks[1]!.tier = 2;
  return m;
}

describe.skipIf(skip !== undefined)('mpgen check: tiers and fwmark rules in a network namespace (L3)', () => {
  const model = pinnedTiered();
  const run = mkdtempSync(join(tmpdir(), 'mpgen-run-'));
  const lines = (rs: ReturnType<typeof checkKernel>) => formatResults(rs).split('\n');

  beforeAll(() => {
    createNamespaces(ns, peer);
    applyMultipath(model, ns, peer);
  });
  afterAll(() => {
    deleteNamespaces(ns, peer);
    rmSync(run, { recursive: true, force: true });
  });

  it('the kernel holds the fwmark rules (ip -j rule fwmark/fwmask) and tier 1 only in the multipath route', () => {
    const rs = checkKernel(model, readKernel({ netns: ns, runDir: '/nonexistent' }));
    expect(lines(rs).filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(lines(rs)).toContain('ok   rule 201 from all fwmark 0x100/0x3f00 lookup 201');
    expect(lines(rs)).toContain('ok   rule 202 from all fwmark 0x200/0x3f00 lookup 202');
    expect(lines(rs)).toContain('ok   table 222 multipath default nexthop via 192.0.2.2 dev eth1 weight 1');
  });

  it('a wrong mask in the kernel is a FAIL', () => {
    ip(ns, 'rule', 'del', 'priority', '202', 'fwmark', '0x200/0x3f00');
    ip(ns, 'rule', 'add', 'priority', '202', 'fwmark', '0x200/0xff00', 'lookup', '202');
    const rs = checkKernel(model, readKernel({ netns: ns, runDir: '/nonexistent' }));
    expect(lines(rs).filter((l) => l.startsWith('FAIL'))).toEqual([
      'FAIL rule 202 from all fwmark 0x200/0x3f00 lookup 202: expected from all fwmark 0x200/0x3f00 lookup 202, found from 198.51.100.1/32 lookup 202; from all fwmark 0x200/0xff00 lookup 202',
    ]);
    ip(ns, 'rule', 'del', 'priority', '202', 'fwmark', '0x200/0xff00');
    ip(ns, 'rule', 'add', 'priority', '202', 'fwmark', '0x200/0x3f00', 'lookup', '202');
  });

  it('with tier 1 down the keepalive puts tier 2 in the balance, and the check follows its status', () => {
    const m = { ...model, keepalive: { ...model.keepalive, enabled: true } };
    // the check reads the status file and this process's own /proc entry as the keepalive's
    writeFileSync(
      join(run, 'lab.status'),
      [
        'name=lab',
        `pid=${process.pid}`,
        'uplink adsl1 down dev=eth1 active=no targets_up=0/1 quorum=1 monitored=yes transitions=1 since=0 tier=1',
        'uplink adsl2 up dev=eth2 active=yes targets_up=1/1 quorum=1 monitored=yes transitions=0 since=0 tier=2',
        '',
      ].join('\n'),
    );
    for (const dst of ['default', '203.0.113.0/24']) ip(ns, 'route', 'replace', dst, 'table', '222', 'proto', 'static', 'nexthop', 'via', '198.51.100.2', 'dev', 'eth2', 'weight', '3');
    const out = lines(checkKernel(m, readKernel({ netns: ns, runDir: run })));
    // this test process runs in no systemd service: that one line may fail, nothing else
    expect(out.filter((l) => l.startsWith('FAIL') && !l.startsWith('FAIL keepalive unit active'))).toEqual([]);
    expect(out).toContain('ok   keepalive adsl2 (eth2) up, tier 2, in the balance');
    expect(out.find((l) => l.startsWith('ok   table 222 multipath default '))).toContain('adsl2 (eth2, tier 2) in the balance: no live uplink of a lower tier');
  });
});
