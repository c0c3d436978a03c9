/**
 * checkKernel on recorded kernel state: the multipath snapshots were read
 * with readKernel from a namespace that test/check/netns-apply.ts set up for
 * multipathModel() (see recorded/README.md); each FAIL case edits one fact.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkKernel } from '../../src/check/check-kernel.js';
import { allPassed, formatResults } from '../../src/check/result.js';
import type { IpRoute, KernelSnapshot } from '../../src/check/snapshot.js';
import { cidr, multipathModel } from './models.js';

const recorded = (f: string) => JSON.parse(readFileSync(new URL(`./recorded/${f}`, import.meta.url), 'utf8'));
const snapshot = (): KernelSnapshot => recorded('multipath-ok.json') as KernelSnapshot;
const text = (s: KernelSnapshot, m = multipathModel()) => formatResults(checkKernel(m, s));
const fails = (s: KernelSnapshot, m = multipathModel()) =>
  text(s, m)
    .split('\n')
    .filter((l) => l.startsWith('FAIL'));

function table222(s: KernelSnapshot, dst: string): IpRoute {
  const r = s.routes.find((x) => x.table === '222' && x.dst === dst);
  if (!r) throw new Error(`fixture lacks ${dst} in 222`);
  return r;
}

describe('checkKernel: multipath, recorded from a namespace', () => {
  it('passes every check on the state the model implies, one ok line each', () => {
    const rs = checkKernel(multipathModel(), snapshot());
    expect(allPassed(rs)).toBe(true);
    const out = formatResults(rs);
    expect(out).toContain('ok   interface eth1 (adsl1) up\n');
    expect(out).toContain('ok   interface eth2 (adsl2) address 198.51.100.1/30\n');
    expect(out).toContain('ok   rule 200 from all lookup 254 suppress_prefixlength 0\n');
    expect(out).toContain('ok   rule 201 from 192.0.2.1/32 lookup 201\n');
    expect(out).toContain('ok   rule 222 from all lookup 222\n');
    expect(out).toContain('ok   table 202 (adsl2) default via 198.51.100.2 dev eth2 src 198.51.100.1 proto static\n');
    expect(out).toContain('ok   table 201 (adsl1) prohibit default proto static metric 1\n');
    expect(out).toContain('ok   table 201 (adsl1) 203.0.113.0/24 via 192.0.2.2 dev eth1 src 192.0.2.1 proto static\n');
    expect(out).toContain('ok   table 222 multipath default nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3\n');
    expect(out).toContain('ok   table 222 multipath 203.0.113.0/24 ');
    expect(out).toContain('ok   sysctl rp_filter on eth2 (adsl2) = 2 (loose; effective max(all, eth2))\n');
    expect(out).toContain('ok   sysctl net.ipv4.fib_multipath_use_neigh = 1\n');
    expect(out).toContain('ok   sysctl net.ipv4.conf.all.ignore_routes_with_linkdown = 1\n');
    expect(out).toContain('ok   sysctl net.ipv4.fib_multipath_hash_policy = 1 (l4)\n');
    // 2 uplinks x (up + address) + 4 rules + 2 uplinks x 2 destinations x (route + prohibit)
    // + 2 multipath destinations + 2 rp_filter + hash, use_neigh, linkdown
    expect(rs).toHaveLength(4 + 4 + 8 + 2 + 2 + 3);
  });

  it('reads symbolic ip -j output (table main, type prohibit, proto static) like the numeric -N one', () => {
    const sym = recorded('multipath-symbolic-routing.json') as Pick<KernelSnapshot, 'rules' | 'routes'>;
    expect(JSON.stringify(sym)).toContain('"table":"main"');
    const s = { ...snapshot(), rules: sym.rules, routes: sym.routes };
    expect(fails(s)).toEqual([]);
  });

  it('FAILs an interface that is down, and one without its address', () => {
    const s = snapshot();
    const eth2 = s.links.find((l) => l.ifname === 'eth2')!;
    eth2.flags = ['BROADCAST', 'MULTICAST'];
    eth2.addr_info = eth2.addr_info!.filter((a) => a.family !== 'inet');
    expect(fails(s)).toEqual([
      'FAIL interface eth2 (adsl2) up: expected up, with carrier, found down, no carrier',
      'FAIL interface eth2 (adsl2) address 198.51.100.1/30: expected 198.51.100.1/30, found no IPv4 address',
    ]);
  });

  it('FAILs a missing interface', () => {
    const s = snapshot();
    s.links = s.links.filter((l) => l.ifname !== 'eth1');
    expect(fails(s)[0]).toBe('FAIL interface eth1 (adsl1) up: expected up, with carrier, found no such interface');
  });

  it('FAILs a missing rule and a rule pointing at the wrong table', () => {
    const s = snapshot();
    s.rules = s.rules.filter((r) => r.priority !== 202);
    s.rules.find((r) => r.priority === 222)!.table = '223';
    expect(fails(s)).toEqual([
      'FAIL rule 202 from 198.51.100.1/32 lookup 202: expected from 198.51.100.1/32 lookup 202, found no rule at priority 202',
      'FAIL rule 222 from all lookup 222: expected from all lookup 222, found from all lookup 223',
    ]);
  });

  it('FAILs the main rule without suppress_prefixlength', () => {
    const s = snapshot();
    delete s.rules.find((r) => r.priority === 200)!.suppress_prefixlen;
    expect(fails(s)).toEqual([
      'FAIL rule 200 from all lookup 254 suppress_prefixlength 0: expected from all lookup 254 suppress_prefixlength 0, found from all lookup 254',
    ]);
  });

  it('FAILs a per-uplink default with the wrong gateway, and a missing prohibit fallback', () => {
    const s = snapshot();
    s.routes.find((r) => r.table === '201' && r.dst === 'default' && r.gateway)!.gateway = '192.0.2.3';
    s.routes = s.routes.filter((r) => !(r.table === '202' && r.type === '8' && r.dst === 'default'));
    expect(fails(s)).toEqual([
      'FAIL table 201 (adsl1) default via 192.0.2.2 dev eth1 src 192.0.2.1 proto static: expected default via 192.0.2.2 dev eth1 src 192.0.2.1 proto static, found default via 192.0.2.3 dev eth1 src 192.0.2.1 proto static',
      'FAIL table 202 (adsl2) prohibit default proto static metric 1: expected prohibit default proto static metric 1, found no prohibit default route in table 202',
    ]);
  });

  it('does not ask for the prohibit route when prohibit_fallback is off', () => {
    const m = multipathModel();
    m.routing.prohibitFallback = false;
    const s = snapshot();
    s.routes = s.routes.filter((r) => r.type !== '8');
    expect(fails(s, m)).toEqual([]);
    expect(text(s, m)).not.toContain('prohibit');
  });

  it('FAILs a multipath route with a wrong weight, a missing nexthop, or no route at all', () => {
    const s = snapshot();
    table222(s, 'default').nexthops![1]!.weight = 1;
    const r = table222(s, '203.0.113.0/24');
    r.nexthops = [r.nexthops![0]!];
    expect(fails(s)).toEqual([
      'FAIL table 222 multipath default nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3: expected nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3, found nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 1',
      'FAIL table 222 multipath 203.0.113.0/24 nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3: expected nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3, found nexthop via 192.0.2.2 dev eth1',
    ]);
    s.routes = s.routes.filter((x) => !(x.table === '222' && x.dst === 'default'));
    expect(fails(s)[0]).toBe(
      'FAIL table 222 multipath default nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3: expected nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3, found no default route in table 222',
    );
  });

  it('FAILs a second route to the same destination in the multipath table (it shadows the multipath route)', () => {
    const s = snapshot();
    s.routes.push({ dst: 'default', table: '222', gateway: '192.0.2.2', dev: 'eth1', protocol: 'static', metric: 100, flags: [] } as IpRoute);
    const f = fails(s);
    expect(f).toEqual([
      'FAIL table 222 multipath default nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3: expected one default route: nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3, found 2 default routes: nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3; nexthop via 192.0.2.2 dev eth1 metric 100',
    ]);
  });

  it('FAILs rp_filter by its effective value max(all, iface), not the interface value alone', () => {
    const m = multipathModel();
    m.sysctl = { ...m.sysctl, rpFilter: 'strict', rpFilterValue: 1 };
    const s = snapshot();
    s.sysctl['net.ipv4.conf.eth1.rp_filter'] = '1';
    s.sysctl['net.ipv4.conf.eth2.rp_filter'] = '1';
    expect(fails(s, m)).toEqual([]);
    s.sysctl['net.ipv4.conf.all.rp_filter'] = '2';
    expect(fails(s, m)).toEqual([
      'FAIL sysctl rp_filter on eth1 (adsl1) = 1 (strict; effective max(all, eth1)): expected 1, found 2 (all=2, eth1=1)',
      'FAIL sysctl rp_filter on eth2 (adsl2) = 1 (strict; effective max(all, eth2)): expected 1, found 2 (all=2, eth2=1)',
    ]);
  });

  it('FAILs the hash policy, and ip_forward when a lan forwards', () => {
    const m = multipathModel();
    m.lan = { interface: 'lo', address: cidr('127.0.0.1/8') };
    const s = snapshot();
    s.sysctl['net.ipv4.fib_multipath_hash_policy'] = '0';
    s.sysctl['net.ipv4.conf.lo.rp_filter'] = '1'; // the LAN is strict (docs/kernel-state.md)
    expect(fails(s, m)).toEqual([
      'FAIL sysctl net.ipv4.ip_forward = 1: expected 1, found 0',
      'FAIL sysctl net.ipv4.fib_multipath_hash_policy = 1 (l4): expected 1, found 0',
    ]);
    m.sysctl.forwarding = false;
    expect(text(s, m)).not.toContain('ip_forward');
  });
});

describe('checkKernel: keepalive', () => {
  const withKeepalive = () => {
    const m = multipathModel();
    m.keepalive.enabled = true;
    return m;
  };
  const alive = { state: 'S', cmdline: '/usr/libexec/mpgen/lab-keepalive run lab', cgroup: '0::/system.slice/mpgen-keepalive@lab.service\n' };

  it('FAILs when the status file is missing', () => {
    expect(fails(snapshot(), withKeepalive())).toEqual(['FAIL keepalive status /run/mpgen/lab.status: expected the keepalive status file, found no such file']);
  });

  it('passes with a live pid in a systemd service and every uplink up', () => {
    const s = { ...snapshot(), keepaliveStatus: { lab: 'pid=4242\nadsl1=up\nadsl2 up\n' }, processes: { '4242': alive } };
    expect(fails(s, withKeepalive())).toEqual([]);
    const out = text(s, withKeepalive());
    expect(out).toContain('ok   keepalive running (pid 4242)\n');
    expect(out).toContain('ok   keepalive unit active: mpgen-keepalive@lab.service\n');
    expect(out).toContain('ok   keepalive adsl2 (eth2) up, tier 1\n');
  });

  it('FAILs a dead pid, a pid outside any service, and an uplink the status omits', () => {
    const m = withKeepalive();
    const dead = { ...snapshot(), keepaliveStatus: { lab: '{"pid": 4242, "uplinks": {"adsl1": "up"}}' }, processes: { '4242': null } };
    expect(fails(dead, m)).toEqual([
      'FAIL keepalive running (pid 4242): expected process 4242 alive, found no such process',
      'FAIL keepalive adsl2 (eth2): expected up or down in the status file, found not listed',
    ]);
    const stray = { ...dead, processes: { '4242': { ...alive, cgroup: '0::/user.slice/session-1.scope\n' } } };
    expect(fails(stray, m)[0]).toBe('FAIL keepalive unit active: expected pid 4242 in a systemd .service, found cgroup 0::/user.slice/session-1.scope');
  });

  it('reports a line the keepalive took out as such, not as a failure', () => {
    const m = withKeepalive();
    const s = snapshot();
    for (const dst of ['default', '203.0.113.0/24']) {
      const r = table222(s, dst);
      // with one nexthop left the kernel prints a plain route, weight gone
      const eth1 = r.nexthops![0]!;
      delete r.nexthops;
      r.gateway = eth1.gateway;
      r.dev = eth1.dev;
    }
    const status = { lab: JSON.stringify({ pid: 4242, uplinks: [{ name: 'adsl1', state: 'up' }, { name: 'adsl2', interface: 'eth2', state: 'down' }] }) };
    const taken = { ...s, keepaliveStatus: status, processes: { '4242': alive } };
    expect(fails(taken, m)).toEqual([]);
    const out = text(taken, m);
    expect(out).toContain('ok   table 222 multipath default nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3 (adsl2 (eth2) taken out by the keepalive: down)\n');
    expect(out).toContain('ok   keepalive adsl2 (eth2) down, tier 1 (taken out of the balance)\n');
    // the same kernel state without the keepalive saying so is a failure
    expect(fails(s)).toEqual([
      'FAIL table 222 multipath default nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3: expected nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3, found nexthop via 192.0.2.2 dev eth1',
      'FAIL table 222 multipath 203.0.113.0/24 nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3: expected nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3, found nexthop via 192.0.2.2 dev eth1',
    ]);
  });

  it('FAILs a line the keepalive says is down but that is still in the route', () => {
    const s = { ...snapshot(), keepaliveStatus: { lab: 'pid 4242\nadsl1 up\nadsl2 down loss=100%\n' }, processes: { '4242': alive } };
    const f = fails(s, withKeepalive());
    expect(f).toHaveLength(2);
    expect(f[0]).toBe(
      'FAIL table 222 multipath default nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3: expected nexthop via 192.0.2.2 dev eth1, found nexthop via 192.0.2.2 dev eth1 weight 1 nexthop via 198.51.100.2 dev eth2 weight 3',
    );
  });
});
