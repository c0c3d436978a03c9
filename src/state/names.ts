/**
 * Every name a render gives to something: routing tables, connection ids,
 * units, netfilter tables and chains, and the files the backends write
 * (directories that differ per distro are the backend's; the file names are
 * here). Derived from the profile and uplink names only, so the same profile
 * gets the same names in every backend.
 */
import type { Model } from '../model/model.js';

export interface Names {
  /** rt_tables.d entries: `T mpgen-NAME-U`, `MT mpgen-NAME-mp` */
  tables: { id: number; name: string }[];
  /** connection (NM keyfile, ifcfg NAME=) per uplink name */
  uplinkConnection: Map<string, string>;
  lanConnection: string | null;
  bondConnection: string;
  /** NM: the Ethernet under a PPPoE uplink (`mpgen-NAME-U.parent`: no uplink name holds a ".") */
  parentConnection: Map<string, string>;
  files: {
    sysctl: string;
    modprobe: string;
    modulesLoad: string;
    rtTables: string;
    /** /etc/mpgen/NAME.nft or NAME.rules, by firewall */
    nft: string;
    iptables: string;
    /** /etc/network/interfaces.d/mpgen-NAME (ifupdown) */
    eniInterfaces: string;
    /** basename of the ifupdown shared-state helper, under the distro's libexec */
    eniHelper: string;
    /** dhclient-script's hooks (isc-dhcp-client) for DHCP uplinks: routers out of main, into the uplink's table */
    dhclientEnter: string;
    dhclientExit: string;
    /** RedHat's dhclient-script (dhcp-client): /etc/dhcp/dhclient.d/STEM.sh, which defines STEM_config and STEM_restore */
    dhclientD: { path: string; stem: string };
    /** /etc/netplan/90-mpgen-NAME.yaml */
    netplan: string;
    /** basename of the NM dispatcher script */
    nmDispatcher: string;
    /** NM conf.d drop-in that leaves the teql bond unmanaged */
    nmUnmanaged: string;
    /** /etc/mpgen/NAME.conf, the keepalive daemon's configuration */
    keepaliveConf: string;
    /** basename of the keepalive daemon, under the distro's libexec; per profile, like every file a profile ships */
    keepaliveScript: string;
    /** the loader of one profile's firewall rules */
    firewallHelper: string;
    /** systemd-networkd: .network (and .link for a pinned NIC) per uplink name, the LAN's and the bond's */
    networkdUplink: Map<string, string>;
    networkdLink: Map<string, string>;
    networkdLan: string;
    networkdBond: string;
    /** networkd.conf.d drop-in: networkd leaves the keepalive's routes and rules alone */
    networkdConf: string;
    /** netplan: mpgen's drop-in beside the .network netplan writes for an interface */
    netplanDropin: (iface: string) => string;
    /**
     * systemd-networkd (networkd and netplan backends): the .network that leaves a PPPoE uplink's
     * pppN to pppd (Unmanaged=yes); 09-: networkd takes the first matching file by name, and this
     * one sorts before mpgen's and netplan's 10- files and the usual catch-alls (80-, 99-)
     */
    networkdPpp: Map<string, string>;
    /** pppd: the options file per PPPoE uplink (`pppd call mpgen-NAME-U`) */
    pppPeer: Map<string, string>;
    /** basename of the helper that keeps the profile's lines in chap-secrets and pap-secrets, under the distro's libexec */
    pppSecretsHelper: string;
    /** pppd's ip-up.d and ip-down.d hooks (Debian's ip-up runs them; run-parts names) */
    pppIpUp: string;
    pppIpDown: string;
    /** NM: where the PPPoE keyfiles without their password (password_file) wait for the helper; NM reads no keyfile there */
    nmPppoeDir: string;
    /** basename of the helper that writes them, password added, into /run/NetworkManager/system-connections (under the distro's libexec) */
    nmSecretsHelper: string;
  };
  /** keepalive: one unit per profile, not a template instance (deb-systemd-helper and rpm presets enable it as it is) */
  units: { firewall: string; routesHook: string; keepalive: string; ppp: Map<string, string>; nmSecrets: string };
  /** steering chains (connection marks): prerouting, output (type route), postrouting, one per policy in order */
  nft: { table: string; prerouting: string; output: string; postrouting: string; policies: string[] };
  /** iptables: `reject` is the filter chain that refuses the reject mark; policies by 1-based index (the loader derives them the same way) */
  iptables: { keepState: string; nat: string; prerouting: string; output: string; postrouting: string; reject: string; policies: string[] };
}

/** nft identifiers: letters, digits and underscores. */
const nftIdent = (name: string): string => `mpgen_${name.replace(/-/g, '_')}`;
/** iptables chain names are at most 28 characters. */
const iptChain = (name: string, what: string): string => `mpgen-${what}-${name}`.slice(0, 28);

const NETWORKD_DIR = '/etc/systemd/network';

export const connectionId = (profile: string, what: string): string => `mpgen-${profile}-${what}`;

export function namesOf(m: Model): Names {
  const n = m.name;
  const pppoe = m.uplinks.filter((u) => u.addressing === 'pppoe');
  const uplinkConnection = new Map(m.uplinks.map((u) => [u.name, connectionId(n, u.name)]));
  let lanConnection: string | null = null;
  if (m.lan) {
    lanConnection = connectionId(n, 'lan');
    // an uplink may well be called "lan"
    if ([...uplinkConnection.values()].includes(lanConnection)) lanConnection = connectionId(n, `lan-${m.lan.interface}`);
  }
  const tables = m.uplinks.map((u) => ({ id: u.table, name: connectionId(n, u.name) }));
  // An uplink may be called "mp": the multipath table then becomes `mpgen-NAME.mp`, a name no uplink
  // table can have (names hold no "."), and every other profile keeps its names.
  if (m.mode !== 'teql')
    tables.push({ id: m.routing.multipathTable, name: m.uplinks.some((u) => u.name === 'mp') ? `mpgen-${n}.mp` : connectionId(n, 'mp') });
  return {
    tables,
    uplinkConnection,
    lanConnection,
    bondConnection: connectionId(n, 'bond'),
    parentConnection: new Map(pppoe.map((u) => [u.name, connectionId(n, `${u.name}.parent`)])),
    files: {
      sysctl: `/etc/sysctl.d/90-mpgen-${n}.conf`,
      modprobe: `/etc/modprobe.d/mpgen-${n}.conf`,
      modulesLoad: `/etc/modules-load.d/mpgen-${n}.conf`,
      // one file per profile: two profiles' packages must not own one path (ids may repeat across profiles)
      rtTables: `/etc/iproute2/rt_tables.d/mpgen-${n}.conf`,
      nft: `/etc/mpgen/${n}.nft`,
      iptables: `/etc/mpgen/${n}.rules`,
      eniInterfaces: `/etc/network/interfaces.d/mpgen-${n}`,
      eniHelper: `${n}-eni-shared`,
      // run-parts --list names: [A-Za-z0-9_-] only, which a profile name is
      dhclientEnter: `/etc/dhcp/dhclient-enter-hooks.d/mpgen-${n}`,
      dhclientExit: `/etc/dhcp/dhclient-exit-hooks.d/mpgen-${n}`,
      // the stem names shell functions: `-` is no identifier character, and a profile name holds no `_`
      dhclientD: { path: `/etc/dhcp/dhclient.d/mpgen_${n.replace(/-/g, '_')}.sh`, stem: `mpgen_${n.replace(/-/g, '_')}` },
      netplan: `/etc/netplan/90-mpgen-${n}.yaml`,
      nmDispatcher: `50-mpgen-${n}`,
      nmUnmanaged: `/etc/NetworkManager/conf.d/90-mpgen-${n}.conf`,
      keepaliveConf: `/etc/mpgen/${n}.conf`,
      keepaliveScript: `${n}-keepalive`,
      firewallHelper: `/usr/libexec/mpgen/${n}-firewall`,
      networkdUplink: new Map(m.uplinks.map((u) => [u.name, `${NETWORKD_DIR}/10-mpgen-${n}-${u.name}.network`])),
      networkdLink: new Map(m.uplinks.map((u) => [u.name, `${NETWORKD_DIR}/10-mpgen-${n}-${u.name}.link`])),
      // Own prefixes for the LAN and the bond: an uplink may well be called "lan".
      networkdLan: `${NETWORKD_DIR}/11-mpgen-${n}-lan.network`,
      networkdBond: `${NETWORKD_DIR}/12-mpgen-${n}-bond.network`,
      networkdConf: `/etc/systemd/networkd.conf.d/mpgen-${n}.conf`,
      // netplan (0.106 and 1.0) writes /run/systemd/network/10-netplan-ID.network; the ethernets ID
      // is the interface name here, and networkd reads drop-ins for it from /etc/systemd/network.
      netplanDropin: (iface) => `${NETWORKD_DIR}/10-netplan-${iface}.network.d/mpgen-${n}.conf`,
      networkdPpp: new Map(pppoe.map((u) => [u.name, `${NETWORKD_DIR}/09-mpgen-${n}-${u.name}-ppp.network`])),
      pppPeer: new Map(pppoe.map((u) => [u.name, `/etc/ppp/peers/${connectionId(n, u.name)}`])),
      pppSecretsHelper: `${n}-ppp-secrets`,
      pppIpUp: `/etc/ppp/ip-up.d/mpgen-${n}`,
      pppIpDown: `/etc/ppp/ip-down.d/mpgen-${n}`,
      nmPppoeDir: `/etc/mpgen/nm/${n}`,
      nmSecretsHelper: `${n}-nm-secrets`,
    },
    units: {
      firewall: `mpgen-firewall-${n}.service`,
      routesHook: `mpgen-routes-${n}.service`,
      keepalive: `mpgen-keepalive-${n}.service`,
      ppp: new Map(pppoe.map((u) => [u.name, `mpgen-ppp-${n}-${u.name}.service`])),
      nmSecrets: `mpgen-nm-secrets-${n}.service`,
    },
    nft: { table: nftIdent(n), prerouting: 'steer_prerouting', output: 'steer_output', postrouting: 'steer_postrouting', policies: m.policies.map((p) => `policy_${p.name}`) },
    iptables: {
      keepState: iptChain(n, 'ks'),
      nat: iptChain(n, 'nat'),
      prerouting: iptChain(n, 'pre'),
      output: iptChain(n, 'out'),
      postrouting: iptChain(n, 'post'),
      reject: iptChain(n, 'rj'),
      policies: m.policies.map((_, i) => iptChain(n, `p${i + 1}`)),
    },
  };
}
