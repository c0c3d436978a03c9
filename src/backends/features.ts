/**
 * The backend features that depend on the version of a daemon the distro
 * ships: one row per feature, with the release that brought it. The gates
 * (capabilitiesOf), their messages ("needs 245") and `mpgen distros` all read
 * this table; add a row here, not a number in a backend.
 */

/** The versions of what a distro ships, as distros/*.yaml gives them. */
export interface Versions {
  systemd: number;
  iproute2: string;
  networkmanager?: string;
  netplan?: string;
  /** initscripts network-scripts, when the release still ships them */
  networkScripts?: string;
}

type Component = 'systemd' | 'networkmanager';

export const FEATURES = {
  /** systemd-networkd [Route] MultiPathRoute= */
  networkdMultipath: { component: 'systemd', since: '245', what: 'MultiPathRoute=' },
  /** systemd-networkd [TrivialLinkEqualizer] */
  networkdTeql: { component: 'systemd', since: '245', what: '[TrivialLinkEqualizer]' },
  /** systemd-networkd IPv4ReversePathFilter= */
  networkdRpFilter: { component: 'systemd', since: '255', what: 'IPv4ReversePathFilter=' },
  /**
   * networkd installs a MultiPathRoute= before every nexthop link has carrier. Before this,
   * observed with systemd 252 in a network namespace (test/backends/networkd-netns), it waits
   * whatever ConfigureWithoutCarrier= says; current upstream (networkd-route-nexthop.c) asks
   * carrier only of links it does not manage. The exact release of that change was not verified
   * here; 256 is where the nexthop code was reworked.
   */
  networkdMultipathWithoutCarrier: { component: 'systemd', since: '256', what: 'MultiPathRoute= without carrier on every nexthop' },
  /**
   * [RoutingPolicyRule] FirewallMark=MARK/MASK. The key is "Added in version 235" in
   * systemd.network(5); its parser (parse_fwmark_fwmask in networkd-routing-policy-rule.c) takes
   * the "/MASK" suffix in every release seen here, and systemd 252 installs `fwmark 0x100/0x3f00`
   * in test/backends/networkd-netns.test.ts.
   */
  networkdFirewallMark: { component: 'systemd', since: '235', what: 'FirewallMark= with a mask' },
  /** networkd.conf [Network] ManageForeignRoutes= ("Added in version 246", networkd.conf(5)) */
  networkdManageForeignRoutes: { component: 'systemd', since: '246', what: 'ManageForeignRoutes=' },
  /**
   * networkd.conf [Network] ManageForeignRoutingPolicyRules= ("Added in version 249", networkd.conf(5);
   * systemd pull request 19287, closing issue 19106). networkd removes every foreign rule but proto
   * kernel ones since 248 (commit 0b81225): on 248 nothing keeps them, and a note says so.
   */
  networkdManageForeignRules: { component: 'systemd', since: '249', what: 'ManageForeignRoutingPolicyRules=' },
  /** NetworkManager route type=prohibit */
  nmProhibitRoute: { component: 'networkmanager', since: '1.36', what: 'route type=prohibit' },
} as const satisfies Record<string, { component: Component; since: string; what: string }>;

export type Feature = keyof typeof FEATURES;
export type Capabilities = Record<Feature, boolean>;

export function versionAtLeast(have: string | number | undefined, want: string): boolean {
  if (have === undefined) return false;
  const a = String(have).split('.').map((n) => parseInt(n, 10) || 0);
  const b = want.split('.').map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

export function capabilitiesOf(v: Versions): Capabilities {
  const out = {} as Capabilities;
  for (const [f, row] of Object.entries(FEATURES) as [Feature, (typeof FEATURES)[Feature]][]) out[f] = versionAtLeast(v[row.component], row.since);
  return out;
}

/** "needs 245": the tail of every message about a missing feature. */
export const needs = (f: Feature): string => `needs ${FEATURES[f].since}`;
/** The release a feature arrived in. */
export const since = (f: Feature): string => FEATURES[f].since;
