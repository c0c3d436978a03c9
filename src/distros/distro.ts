import type { BackendName } from '../plan/plan.js';
import type { PackageFormat } from '../pack/formats.js';

/** A distro definition as loaded from distros/*.yaml, after family inheritance. */
export interface Distro {
  name: string;
  /** the family this distro inherits from (rocky -> rhel); its own name for a root */
  family: string;
  release: string;
  description: string;
  defaultBackend: BackendName;
  /** backends this distro can run */
  backends: BackendName[];
  packageFormat: PackageFormat;
  versions: {
    systemd: number;
    iproute2: string;
    networkmanager?: string;
    netplan?: string;
    /** initscripts network-scripts, when the release still ships them */
    networkScripts?: string;
  };
  paths: {
    /** where ifup-local and friends live (merged /usr: /usr/sbin) */
    hooks: string;
    networkScripts: string;
    /** where the keepalive script lives */
    libexec: string;
    units: string;
  };
}

/** Features gated on the versions a distro ships. */
export interface Capabilities {
  /** systemd-networkd [Route] MultiPathRoute= (v245) */
  networkdMultipath: boolean;
  /** systemd-networkd [TrivialLinkEqualizer] (v245) */
  networkdTeql: boolean;
  /** systemd-networkd [NextHop] Group= (v249) */
  networkdNexthopGroup: boolean;
  /** systemd-networkd IPv4ReversePathFilter= (v255) */
  networkdRpFilter: boolean;
  /** NetworkManager route type=prohibit (1.36) */
  nmProhibitRoute: boolean;
  /** netplan's NM renderer honours routing-policy (netplan >= 1.2) */
  netplanNmRoutingPolicy: boolean;
  /** iproute2 reads /etc/iproute2/rt_tables.d/*.conf (long-standing; >= 4.x) */
  rtTablesD: boolean;
  /** systemd-analyze security --offline (v250) and hardening keys used by the keepalive unit */
  systemdHardening: boolean;
}

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

export function capabilitiesOf(d: Distro): Capabilities {
  const sd = d.versions.systemd;
  return {
    networkdMultipath: sd >= 245,
    networkdTeql: sd >= 245,
    networkdNexthopGroup: sd >= 249,
    networkdRpFilter: sd >= 255,
    nmProhibitRoute: versionAtLeast(d.versions.networkmanager, '1.36'),
    netplanNmRoutingPolicy: versionAtLeast(d.versions.netplan, '1.2'),
    rtTablesD: versionAtLeast(d.versions.iproute2, '4.0'),
    systemdHardening: sd >= 250,
  };
}
