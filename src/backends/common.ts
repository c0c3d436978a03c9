/**
 * Files every distro gets, whatever the backend: sysctl.d, modprobe.d,
 * modules-load.d and rt_tables.d (docs/kernel-state.md, "All modes" and "teql").
 */
import { planFile, type PlannedFile } from '../base/planned-file.js';
import { renderTemplate } from '../base/templates.js';
import { sysctlKey } from '../state/query.js';
import { marker, type Backend, type Contribution } from './backend.js';

/** `loadsModulesEarly`: the backend configures links before anything could run `modprobe` for them. */
export const common = (backend: { loadsModulesEarly: boolean }): Backend => (ctx): Contribution => {
  const { model: m, state: s } = ctx;
  // a PPP device's sysctls are its ip-up hook's: sysctl.d runs before any session exists
  const entries = s.sysctls.filter((x) => !x.atLinkUp).map((x) => ({ key: sysctlKey(x.path), value: x.value, why: x.why }));
  const files: PlannedFile[] = [planFile(s.names.files.sysctl, renderTemplate('common/sysctl.conf', { marker: marker(m), entries }))];

  if (s.bond) {
    files.push(planFile(s.names.files.modprobe, renderTemplate('common/modprobe.conf', { marker: marker(m), bond: s.bond.interface, equalizers: s.bond.index + 1 })));
    if (backend.loadsModulesEarly) files.push(planFile(s.names.files.modulesLoad, renderTemplate('common/modules-load.conf', { marker: marker(m) })));
  }
  files.push(planFile(s.names.files.rtTables, renderTemplate('common/rt_tables.conf', { marker: marker(m), tables: s.names.tables })));

  return {
    files,
    sysctlFiles: [s.names.files.sysctl],
    depends: { deb: ['iproute2', 'procps', ...(s.bond ? ['kmod'] : [])], rpm: ['iproute', 'procps-ng', ...(s.bond ? ['kmod', 'iproute-tc'] : [])] },
    notes: [...m.warnings],
  };
};
