/** The backend registry: one module per backend, by name. */
import type { BackendName } from '../plan/plan.js';
import type { Backend } from './backend.js';
import { eni } from './eni.js';
import { ifcfg } from './ifcfg.js';
import { netplan } from './netplan.js';
import { networkd } from './networkd.js';
import { nm } from './nm.js';

export const BACKENDS: Record<BackendName, Backend> = { ifcfg, nm, eni, networkd, netplan };

export const BACKEND_NAMES = Object.keys(BACKENDS) as BackendName[];

export const BACKEND_DESCRIPTIONS: Record<BackendName, string> = {
  ifcfg: 'RedHat ifcfg files, route-/rule- files and ifup-local hooks (network-scripts)',
  nm: 'NetworkManager keyfiles and a dispatcher script',
  eni: 'Debian /etc/network/interfaces.d with pre-up/post-up/pre-down lines (ifupdown)',
  networkd: 'systemd-networkd .network and .netdev files',
  netplan: 'netplan YAML plus systemd-networkd drop-ins for what netplan cannot express',
};
