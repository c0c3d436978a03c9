/**
 * The sections and keys systemd-networkd reads, with the systemd release each
 * appeared in, from systemd.network(5), systemd.link(5) and systemd's NEWS.
 * networkd has no offline validator and ignores an unknown key with only a
 * log line, so the tests check every emitted file against this table for the
 * distro's systemd version (L1), and check the table itself against the
 * parser table compiled into the systemd-networkd binary on the test machine.
 *
 * Only the keys mpgen and netplan emit are listed. Versions that matter for
 * gating (>= 245) are exact; older ones are upper bounds, since every
 * supported distro ships systemd 245 or later.
 */
export type KeyTable = Readonly<Record<string, Readonly<Record<string, number>>>>;

export const NETWORK_KEYS: KeyTable = {
  Match: { Name: 211, MACAddress: 211, PermanentMACAddress: 245 },
  // Unmanaged=: a PPPoE uplink's pppN is pppd's (233, systemd.network(5))
  Link: { MTUBytes: 211, RequiredForOnline: 236, Unmanaged: 233 },
  Network: {
    Address: 211,
    DHCP: 211,
    ConfigureWithoutCarrier: 235,
    KeepConfiguration: 243,
    LinkLocalAddressing: 219,
    IPv4ReversePathFilter: 255,
    // netplan writes it for accept-ra (renamed from IPv6AcceptRouterAdvertisements in 231)
    IPv6AcceptRA: 231,
  },
  Address: { Address: 211, AddPrefixRoute: 245 },
  Route: {
    Destination: 211,
    Gateway: 211,
    GatewayOnLink: 243,
    PreferredSource: 227,
    Scope: 227,
    Table: 230,
    Type: 237,
    Metric: 211,
    Protocol: 234,
    MultiPathRoute: 245,
  },
  RoutingPolicyRule: { From: 235, To: 235, FirewallMark: 235, Table: 235, Priority: 235, SuppressPrefixLength: 245 },
  TrivialLinkEqualizer: { Parent: 245, Id: 245 },
};

export const LINK_KEYS: KeyTable = {
  Match: { MACAddress: 211, PermanentMACAddress: 245, OriginalName: 211 },
  Link: { Name: 211, MTUBytes: 211, WakeOnLan: 211 },
};

/** networkd.conf(5) and its networkd.conf.d drop-ins. */
export const NETWORKD_CONF_KEYS: KeyTable = {
  Network: { ManageForeignRoutes: 246, ManageForeignRoutingPolicyRules: 249 },
};

/** The table for a file name, by its extension (.network and its .network.d drop-ins, .link, networkd.conf.d). */
export function keyTableFor(path: string): KeyTable | undefined {
  if (/\/networkd\.conf\.d\/[^/]+\.conf$/.test(path)) return NETWORKD_CONF_KEYS;
  if (path.endsWith('.network') || /\.network\.d\/[^/]+\.conf$/.test(path)) return NETWORK_KEYS;
  if (path.endsWith('.link')) return LINK_KEYS;
  return undefined;
}
