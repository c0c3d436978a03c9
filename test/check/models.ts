/**
 * Hand-built models for the check tests, independent of the profile loader:
 * the check must agree with model.ts, not with one loader's defaults.
 * Only documentation addresses.
 */
import type { Cidr, Model, Uplink } from '../../src/model/model.js';

export function cidr(c: string): Cidr {
  const [address, p] = c.split('/') as [string, string];
  const prefix = Number(p);
  const n = address.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const net = (n & mask) >>> 0;
  const q = (x: number) => [24, 16, 8, 0].map((s) => (x >>> s) & 255).join('.');
  const out: Cidr = { cidr: c, address, prefix, netmask: q(mask), network: q(net), networkCidr: `${q(net)}/${prefix}` };
  if (prefix < 31) out.broadcast = q((net | ~mask) >>> 0);
  return out;
}

function uplink(index: number, name: string, iface: string, addr: string, gateway: string | undefined, weight: number): Uplink {
  return {
    index,
    name,
    interface: iface,
    addressing: 'static',
    device: iface,
    probeGateway: false,
    address: cidr(addr),
    gateway,
    onlink: false,
    weight,
    table: 201 + index,
    rulePriority: 201 + index,
    ruleFrom: `${addr.split('/')[0]}/32`,
    noPrefixRoute: false,
    nat: 'none',
    probe: gateway ? [gateway] : [],
    far: [],
    tier: 1,
  };
}

function base(): Omit<Model, 'mode' | 'uplinks'> {
  return {
    name: 'lab',
    source: 'test/check/models.ts',
    routes: ['default', '203.0.113.0/24'],
    routing: {
      multipathTable: 222,
      rulePriorityBase: 200,
      mainRulePriority: 200,
      multipathRulePriority: 222,
      prohibitFallback: true,
      hash: 'l4',
      hashPolicy: 1,
      pinFlows: false,
    },
    policies: [],
    nat: 'none',
    firewall: 'none',
    sysctl: { rpFilter: 'loose', rpFilterValue: 2, forwarding: true },
    keepalive: { enabled: false, method: 'ping', intervalMs: 500, timeoutMs: 1000, down: 3, up: 10, targets: [] },
    package: { name: 'mpgen-lab', version: '0.1.0', release: '1', maintainer: 'Lab <lab@example.net>', defaultEpoch: 0 },
    warnings: [],
  };
}

/** Two uplinks, weights 1:3, as applied in test/check/recorded/multipath-*.json and by the L3 test. */
export function multipathModel(): Model {
  return {
    ...base(),
    mode: 'multipath',
    uplinks: [uplink(0, 'adsl1', 'eth1', '192.0.2.1/30', '192.0.2.2', 1), uplink(1, 'adsl2', 'eth2', '198.51.100.1/30', '198.51.100.2', 3)],
  };
}

/** Two teql slaves eth0/eth1 under teql0 holding 203.0.113.1/29. */
export function teqlModel(): Model {
  return {
    ...base(),
    mode: 'teql',
    routes: ['default'],
    uplinks: [uplink(0, 'adsl1', 'eth0', '192.0.2.1/30', '192.0.2.2', 1), uplink(1, 'adsl2', 'eth1', '198.51.100.1/30', '198.51.100.2', 1)],
    bond: { interface: 'teql0', index: 0, address: cidr('203.0.113.1/29'), gateway: '203.0.113.6', nat: 'none' },
  };
}
