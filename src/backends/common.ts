/**
 * Files every distro gets, whatever the backend: sysctl.d, modprobe.d,
 * modules-load.d and rt_tables.d (docs/kernel-state.md, "All modes" and "teql").
 */
import { planFile, type PlannedFile } from '../plan/plan.js';
import { renderTemplate } from '../plan/templates.js';
import { marker, type Backend, type Contribution } from './backend.js';

/** sysctl.d(5): a key whose interface name contains a dot is written with / separators. */
export function sysctlKey(iface: string, leaf: string): string {
  return iface.includes('.') ? `net/ipv4/conf/${iface}/${leaf}` : `net.ipv4.conf.${iface}.${leaf}`;
}

export const sysctlPath = (name: string): string => `/etc/sysctl.d/90-mpgen-${name}.conf`;

/** Backends that configure links before anything could run `modprobe` for them. */
const NEEDS_MODULES_LOAD = new Set(['networkd', 'netplan', 'nm']);

export const common = (backendName: string): Backend => (ctx): Contribution => {
  const m = ctx.model;
  const v = m.sysctl.rpFilterValue;
  const entries: Array<{ key: string; value: number; why?: string }> = [
    { key: 'net.ipv4.conf.all.rp_filter', value: 0, why: 'effective rp_filter is max(all, iface): 0 here lets each interface below govern itself' },
    ...m.uplinks.map((u) => ({ key: sysctlKey(u.interface, 'rp_filter'), value: v, why: `uplink ${u.name}` })),
  ];
  if (m.bond) entries.push({ key: sysctlKey(m.bond.interface, 'rp_filter'), value: v, why: 'teql bond: replies arrive on the slaves' });
  if (m.lan) entries.push({ key: sysctlKey(m.lan.interface, 'rp_filter'), value: 1, why: 'lan: strict, against spoofed inside sources' });
  if (m.lan && m.sysctl.forwarding) entries.push({ key: 'net.ipv4.ip_forward', value: 1, why: 'route for the lan' });
  if (m.mode !== 'teql') {
    entries.push(
      { key: 'net.ipv4.fib_multipath_hash_policy', value: m.routing.hashPolicy, why: `${m.routing.hash} hash of new flows over the nexthops` },
      { key: 'net.ipv4.fib_multipath_use_neigh', value: 1, why: 'skip nexthops whose gateway has no valid neighbour entry' },
      { key: 'net.ipv4.conf.all.ignore_routes_with_linkdown', value: 1, why: 'skip nexthops on links without carrier' },
    );
  }
  const files: PlannedFile[] = [planFile(sysctlPath(m.name), renderTemplate('common/sysctl.conf', { marker: marker(m), entries }))];

  if (m.bond) {
    files.push(
      planFile(
        `/etc/modprobe.d/mpgen-${m.name}.conf`,
        renderTemplate('common/modprobe.conf', { marker: marker(m), bond: m.bond.interface, equalizers: m.bond.index + 1 }),
      ),
    );
    if (NEEDS_MODULES_LOAD.has(backendName))
      files.push(planFile(`/etc/modules-load.d/mpgen-${m.name}.conf`, renderTemplate('common/modules-load.conf', { marker: marker(m) })));
  }

  const tables = m.uplinks.map((u) => ({ id: u.table, name: `mpgen-${m.name}-${u.name}` }));
  if (m.mode !== 'teql') tables.push({ id: m.routing.multipathTable, name: `mpgen-${m.name}-mp` });
  // One file per profile: two profiles' packages must not own the same path. The names carry the
  // profile; the ids may repeat across profiles (the same box runs one profile: only while moving
  // from A to B are both files there, and a name still resolves to its own id).
  files.push(planFile(`/etc/iproute2/rt_tables.d/mpgen-${m.name}.conf`, renderTemplate('common/rt_tables.conf', { marker: marker(m), tables })));

  return {
    files,
    sysctlFiles: [sysctlPath(m.name)],
    depends: { deb: ['iproute2', 'procps', ...(m.bond ? ['kmod'] : [])], rpm: ['iproute', 'procps-ng', ...(m.bond ? ['kmod', 'iproute-tc'] : [])] },
    notes: [...m.warnings],
  };
};
