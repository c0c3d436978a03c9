/**
 * The render function of every backend of the catalog (src/backends/catalog.ts).
 * `satisfies Record<BackendName, Backend>` makes a name without a render, or a
 * render without a name, a compile error.
 */
import type { Backend } from './backend.js';
import { BACKEND_CATALOG, type BackendName, type CatalogEntry } from './catalog.js';
import { eni } from './eni.js';
import { ifcfg } from './ifcfg.js';
import { netplan } from './netplan.js';
import { networkd } from './networkd.js';
import { nm } from './nm.js';

export type { BackendName } from './catalog.js';

const RENDER = { ifcfg, nm, eni, networkd, netplan } satisfies Record<BackendName, Backend>;

export interface BackendEntry {
  name: BackendName;
  description: string;
  loadsModulesEarly: boolean;
  dynamic: readonly ('dhcp' | 'pppoe')[];
  render: Backend;
}

export function backendEntry(name: BackendName): BackendEntry {
  const c = BACKEND_CATALOG.find((b) => b.name === name) as CatalogEntry;
  return { ...c, render: RENDER[name] };
}
