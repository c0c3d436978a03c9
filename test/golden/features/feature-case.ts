/**
 * One row of a feature table (in the manner of netplan's tests/generator and cloud-init's
 * network_configs): a profile snippet laid over FEATURE_BASE, and for each backend the files it
 * must write and the exact lines each must hold, in that order. A string with newlines is a
 * block: its lines must be consecutive. `without`: exact lines the file must not hold. ABSENT:
 * the backend must not write the file at all.
 */
import type { BackendName } from '../../../src/plan/plan.js';

export const ABSENT = 'absent' as const;

export type FileExpectation = string[] | { lines?: string[]; without: string[] } | typeof ABSENT;

export interface FeatureCase {
  feature: string;
  snippet: string;
  files: Record<BackendName, Record<string, FileExpectation>>;
}

/** the same file and lines for every backend (the parts rendered outside the backends: sysctl, firewall) */
export const everyBackend = (files: Record<string, FileExpectation>): Record<BackendName, Record<string, FileExpectation>> => ({
  ifcfg: files,
  nm: files,
  eni: files,
  networkd: files,
  netplan: files,
});

/** where the base profile's files are, per backend (eth1 is uplink wan1, eth2 wan2) */
export const FILES = {
  ifcfgEth1: '/etc/sysconfig/network-scripts/ifcfg-eth1',
  routeEth1: '/etc/sysconfig/network-scripts/route-eth1',
  /** the last uplink's rule file also holds the rules no single uplink owns */
  ruleEth2: '/etc/sysconfig/network-scripts/rule-eth2',
  ifupLocal: '/usr/sbin/ifup-local',
  nmWan1: '/etc/NetworkManager/system-connections/mpgen-feat-wan1.nmconnection',
  nmDispatcher: '/usr/lib/NetworkManager/dispatcher.d/50-mpgen-feat',
  eni: '/etc/network/interfaces.d/mpgen-feat',
  eniShared: '/usr/libexec/mpgen/feat-eni-shared',
  /** the first uplink's .network also holds the multipath route and the shared rules */
  networkdWan1: '/etc/systemd/network/10-mpgen-feat-wan1.network',
  networkdWan1Link: '/etc/systemd/network/10-mpgen-feat-wan1.link',
  netplan: '/etc/netplan/90-mpgen-feat.yaml',
  /** what netplan cannot say, for eth1: the multipath route and the shared rules */
  netplanEth1DropIn: '/etc/systemd/network/10-netplan-eth1.network.d/mpgen-feat.conf',
  sysctl: '/etc/sysctl.d/90-mpgen-feat.conf',
  rtTables: '/etc/iproute2/rt_tables.d/mpgen-feat.conf',
  nft: '/etc/mpgen/feat.nft',
  iptables: '/etc/mpgen/feat.rules',
  firewallUnit: '/usr/lib/systemd/system/mpgen-firewall-feat.service',
} as const;
