/**
 * The backend registry: every backend once, with what the CLI says of it and
 * what it needs from the rest of the render. The distro schema's enums, the
 * `--backend` help text and `mpgen distros` derive from this list.
 */
import type { Backend } from './backend.js';
import { eni } from './eni.js';
import { ifcfg } from './ifcfg.js';
import { netplan } from './netplan.js';
import { networkd } from './networkd.js';
import { nm } from './nm.js';

export interface BackendEntry {
  name: string;
  description: string;
  /** configures links before anything could run `modprobe` for them: needs modules-load.d for teql */
  loadsModulesEarly: boolean;
  render: Backend;
}

export const BACKEND_REGISTRY = [
  { name: 'ifcfg', description: 'RedHat ifcfg files, route-/rule- files and ifup-local hooks (network-scripts)', loadsModulesEarly: false, render: ifcfg },
  { name: 'nm', description: 'NetworkManager keyfiles and a dispatcher script', loadsModulesEarly: true, render: nm },
  { name: 'eni', description: 'Debian /etc/network/interfaces.d with pre-up/post-up/pre-down lines (ifupdown)', loadsModulesEarly: false, render: eni },
  { name: 'networkd', description: 'systemd-networkd .network and .netdev files', loadsModulesEarly: true, render: networkd },
  { name: 'netplan', description: 'netplan YAML plus systemd-networkd drop-ins for what netplan cannot express', loadsModulesEarly: true, render: netplan },
] as const satisfies readonly BackendEntry[];

export type BackendName = (typeof BACKEND_REGISTRY)[number]['name'];

export const BACKEND_NAMES = BACKEND_REGISTRY.map((b) => b.name) as [BackendName, ...BackendName[]];

export function backendEntry(name: BackendName): BackendEntry {
  return BACKEND_REGISTRY.find((b) => b.name === name)!;
}
