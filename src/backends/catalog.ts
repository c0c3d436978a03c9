/**
 * The backends mpgen has: every one listed once, as data (no code is loaded
 * with it, so the CLI can build its help text from it at start-up). The
 * distro schema's enums, the `--backend` help text and `mpgen distros` derive
 * from this list; src/backends/registry.ts pairs each name with its render
 * function, and the compiler holds the two to the same names.
 */

export const BACKEND_CATALOG = [
  { name: 'ifcfg', description: 'RedHat ifcfg files, route-/rule- files and ifup-local hooks (network-scripts)', loadsModulesEarly: false, dynamic: ['dhcp'] },
  { name: 'nm', description: 'NetworkManager keyfiles and a dispatcher script', loadsModulesEarly: true, dynamic: ['dhcp', 'pppoe'] },
  { name: 'eni', description: 'Debian /etc/network/interfaces.d with pre-up/post-up/pre-down lines (ifupdown)', loadsModulesEarly: false, dynamic: ['dhcp', 'pppoe'] },
  { name: 'networkd', description: 'systemd-networkd .network and .link files, and a hook unit for what networkd cannot say', loadsModulesEarly: true, dynamic: ['dhcp', 'pppoe'] },
  { name: 'netplan', description: 'netplan YAML plus systemd-networkd drop-ins for what netplan cannot express', loadsModulesEarly: true, dynamic: ['dhcp', 'pppoe'] },
] as const satisfies readonly {
  name: string;
  description: string;
  /** configures links before anything could run `modprobe` for them: needs modules-load.d for teql */
  loadsModulesEarly: boolean;
  /** the dynamic addressings (address: dhcp, pppoe) the backend renders so far */
  dynamic: readonly ('dhcp' | 'pppoe')[];
}[];

export type BackendName = (typeof BACKEND_CATALOG)[number]['name'];
export type CatalogEntry = (typeof BACKEND_CATALOG)[number];

export const BACKEND_NAMES = BACKEND_CATALOG.map((b) => b.name) as [BackendName, ...BackendName[]];

/** "ifcfg, nm, eni, networkd, netplan", for help texts. */
export const backendList = (): string => BACKEND_NAMES.join(', ');
