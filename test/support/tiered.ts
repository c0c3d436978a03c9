/**
 * A multipath profile with a tier-2 backup uplink, a firewall (so flows are pinned: one fwmark
 * rule per uplink) and a policy; and a teql one with a tier-2 slave. Documentation addresses only,
 * keepalive targets included.
 */
import { loadModelFromText } from '../../src/model/load.js';
import type { Model } from '../../src/model/model.js';

export const TIERED_YAML = `version: 1
name: tiered
mode: multipath
lan:
  interface: eth0
  address: 198.51.100.1/24
uplinks:
  - name: dsl1
    interface: eth1
    address: 192.0.2.2/29
    gateway: 192.0.2.1
  - name: dsl2
    interface: eth2
    address: 192.0.2.10/29
    gateway: 192.0.2.9
  - name: lte
    interface: eth3
    address: 203.0.113.2/29
    gateway: 203.0.113.1
    tier: 2
policies:
  - name: voip
    match: { protocol: udp, dport: [5060] }
    uplinks: [dsl2, dsl1]
firewall: nftables
keepalive:
  targets: [203.0.113.100]
`;

export const TIERED_TEQL_YAML = `version: 1
name: tteql
mode: teql
uplinks:
  - name: adsl1
    interface: eth2
    address: 192.0.2.1/30
    gateway: 192.0.2.2
  - name: adsl2
    interface: eth3
    address: 192.0.2.5/30
    gateway: 192.0.2.6
  - name: backup
    interface: eth4
    address: 192.0.2.9/30
    gateway: 192.0.2.10
    tier: 2
bond:
  interface: teql0
  address: 203.0.113.1/29
  gateway: 203.0.113.6
firewall: nftables
keepalive:
  targets: []
`;

export const tieredModel = (yaml = TIERED_YAML): Model => loadModelFromText(yaml, 'test/support/tiered.ts').model;
