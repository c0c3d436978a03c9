/** The embedded default: the four-ADSL teql office (`mpgen init` writes it). */
export const DEFAULT_PROFILE_NAME = '<embedded default profile>';

export const DEFAULT_PROFILE_YAML = `# mpgen profile: four ADSL routers bonded per packet with teql.
# Edit the addresses and interfaces, then: mpgen validate -p mpgen.yaml
version: 1
name: office
description: Four ADSL lines bonded per packet

mode: teql                  # teql | multipath | equalize

lan:
  interface: eth0
  address: 10.0.0.1/24

uplinks:                    # one per router; the /30s are management addresses
  - name: adsl1
    interface: eth2
    address: 172.16.8.1/30
    gateway: 172.16.8.2
  - name: adsl2
    interface: eth3
    address: 172.16.8.5/30
    gateway: 172.16.8.6
  - name: adsl3
    interface: eth4
    address: 172.16.8.9/30
    gateway: 172.16.8.10
  - name: adsl4
    interface: eth5
    address: 172.16.8.13/30
    gateway: 172.16.8.14

bond:
  interface: teql0
  address: 81.187.191.129/29  # the public address carried by the equalizer
  gateway: 81.187.191.134     # the address common to every router

sysctl:
  rp_filter: loose          # replies arrive on the slaves while the route points at teql0
  forwarding: true

firewall: nftables

keepalive:                  # detects a dead line in interval * (down + timeout/interval) = 2.75 s
  enabled: true
  interval: 250ms
  timeout: 750ms
  down: 8
  up: 20
`;
