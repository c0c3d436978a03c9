/**
 * L3: apply what multipathModel() implies to a real kernel in a namespace,
 * read it back with readKernel({netns}) (ip -n / tc -n, sysctls from a node
 * inside the namespace), and check it. Then break one rule and one sysctl,
 * and see exactly those checks FAIL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkKernel } from '../../src/check/check-kernel.js';
import { readKernel } from '../../src/check/read-kernel.js';
import { allPassed, formatResults } from '../../src/check/result.js';
import { missing } from '../support/require.js';
import { multipathModel } from './models.js';
import { applyMultipath, createNamespaces, deleteNamespaces, ip, sysctlIn } from './netns-apply.js';

const skip = missing({ root: true, netns: true, commands: ['ip', 'tc'] });
const ns = `mpc-${process.pid}`;
const peer = `mpc-${process.pid}-m`;

describe.skipIf(skip !== undefined)('mpgen check in a network namespace (L3)', () => {
  const model = multipathModel();

  beforeAll(() => {
    createNamespaces(ns, peer);
    applyMultipath(model, ns, peer);
  });
  afterAll(() => deleteNamespaces(ns, peer));

  it('passes every check on the applied state', () => {
    const rs = checkKernel(model, readKernel({ netns: ns, runDir: '/nonexistent' }));
    expect(formatResults(rs).split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(allPassed(rs)).toBe(true);
    expect(rs.length).toBeGreaterThanOrEqual(17);
  });

  it('sees the namespace, not the host: sysctls are read inside it', () => {
    const s = readKernel({ netns: ns, runDir: '/nonexistent' });
    expect(s.links.map((l) => l.ifname).sort()).toEqual(['eth1', 'eth2', 'lo']);
    expect(s.sysctl['net.ipv4.conf.eth2.rp_filter']).toBe('2');
    expect(s.sysctl['net.ipv4.fib_multipath_hash_policy']).toBe('1');
  });

  it('FAILs the deleted rule and the changed sysctl, and only those', () => {
    ip(ns, 'rule', 'del', 'priority', '202');
    sysctlIn(ns, 'net.ipv4.conf.all.rp_filter', '1');
    sysctlIn(ns, 'net.ipv4.conf.eth1.rp_filter', '0');
    const rs = checkKernel(model, readKernel({ netns: ns, runDir: '/nonexistent' }));
    expect(allPassed(rs)).toBe(false);
    expect(formatResults(rs).split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([
      'FAIL rule 202 from 198.51.100.1/32 lookup 202: expected from 198.51.100.1/32 lookup 202, found no rule at priority 202',
      'FAIL sysctl rp_filter on eth1 (adsl1) = 2 (loose; effective max(all, eth1)): expected 2, found 1 (all=1, eth1=0)',
    ]);
  });
});
