/**
 * Applies, with plain `ip` commands and /proc/sys writes, what a multipath
 * model implies, inside a namespace this test owns. Each uplink is a veth
 * whose peer sits in a second namespace (the "modems"), so the links have
 * carrier. Only documentation addresses come from the models used here.
 */
import { execFileSync } from 'node:child_process';
import type { Model } from '../../src/model/model.js';

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

export const ip = (ns: string, ...args: string[]): string => sh('ip', ['-n', ns, ...args]);

export function sysctlIn(ns: string, key: string, value: string): void {
  sh('ip', ['netns', 'exec', ns, 'sh', '-c', `echo ${value} > /proc/sys/${key.split('.').join('/')}`]);
}

export function createNamespaces(ns: string, peer: string): void {
  sh('ip', ['netns', 'add', ns]);
  sh('ip', ['netns', 'add', peer]);
  ip(ns, 'link', 'set', 'lo', 'up');
}

export function deleteNamespaces(...names: string[]): void {
  for (const n of names) {
    try {
      sh('ip', ['netns', 'del', n]);
    } catch {
      // already gone
    }
  }
}

/** Marks exist when something steers by them: pinned connections or policies, never in teql mode or without a firewall. */
export const marked = (m: Model): boolean => m.mode !== 'teql' && m.firewall !== 'none' && (m.routing.pinFlows || m.policies.length > 0);

/** docs/kernel-state.md for multipath mode, step by step with ip(8). */
export function applyMultipath(model: Model, ns: string, peer: string): void {
  for (const u of model.uplinks) {
    ip(ns, 'link', 'add', u.interface, 'type', 'veth', 'peer', 'name', `m-${u.interface}`, 'netns', peer);
    ip(peer, 'link', 'set', `m-${u.interface}`, 'up');
    ip(ns, 'addr', 'add', u.address!.cidr, 'dev', u.interface);
    ip(ns, 'link', 'set', u.interface, 'up');
  }
  for (const u of model.uplinks) {
    const via = u.gateway ? ['via', u.gateway] : [];
    for (const dst of model.routes) {
      ip(ns, 'route', 'add', dst, ...via, 'dev', u.interface, 'src', u.address!.address, 'proto', 'static', 'table', String(u.table));
      if (model.routing.prohibitFallback) ip(ns, 'route', 'add', 'prohibit', dst, 'proto', 'static', 'metric', '1', 'table', String(u.table));
    }
    ip(ns, 'rule', 'add', 'from', u.ruleFrom!, 'lookup', String(u.table), 'priority', String(u.rulePriority));
    // kernel-state.md, "Steering": connections pinned to the uplink by their mark use its table
    if (marked(model)) ip(ns, 'rule', 'add', 'fwmark', `0x${((u.index + 1) << 8).toString(16)}/0x3f00`, 'lookup', String(u.table), 'priority', String(u.rulePriority));
  }
  ip(ns, 'rule', 'add', 'lookup', 'main', 'suppress_prefixlength', '0', 'priority', String(model.routing.mainRulePriority));
  ip(ns, 'rule', 'add', 'lookup', String(model.routing.multipathTable), 'priority', String(model.routing.multipathRulePriority));
  for (const dst of model.routes) {
    // the balance at boot: tier 1
    const hops = model.uplinks.filter((u) => u.tier === 1).flatMap((u) => ['nexthop', ...(u.gateway ? ['via', u.gateway] : []), 'dev', u.interface, 'weight', String(u.weight)]);
    ip(ns, 'route', 'replace', dst, 'table', String(model.routing.multipathTable), 'proto', 'static', ...hops);
  }
  sysctlIn(ns, 'net.ipv4.conf.all.rp_filter', '0');
  for (const u of model.uplinks) sysctlIn(ns, `net.ipv4.conf.${u.interface}.rp_filter`, String(model.sysctl.rpFilterValue));
  sysctlIn(ns, 'net.ipv4.fib_multipath_hash_policy', String(model.routing.hashPolicy));
  sysctlIn(ns, 'net.ipv4.fib_multipath_use_neigh', '1');
  sysctlIn(ns, 'net.ipv4.conf.all.ignore_routes_with_linkdown', '1');
  if (model.lan && model.sysctl.forwarding) sysctlIn(ns, 'net.ipv4.ip_forward', '1');
}
