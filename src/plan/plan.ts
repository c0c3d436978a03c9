/**
 * A render plan: the sorted list of files for one (model, distro, backend).
 * render, --dry-run, bundle, package and install all consume the same plan;
 * only src/write and src/pack touch the file system.
 */
import type { BackendName } from '../backends/catalog.js';
import type { PlannedFile } from '../base/planned-file.js';

export { FILE_MODE, planFile, sortFiles, type PlannedFile } from '../base/planned-file.js';
export type { BackendName } from '../backends/catalog.js';

/** A systemd unit the install step should enable (by unit file name). */
export interface UnitToEnable {
  unit: string;
}

export interface Plan {
  /** the profile name */
  name: string;
  distro: string;
  backend: BackendName;
  files: PlannedFile[];
  /** units to enable with systemctl (--root) at install time */
  enable: string[];
  /** sysctl.d files to apply at install time when the root is / */
  sysctlFiles: string[];
  /** commands the package runs on its final removal, before its files go (undoing edits of files it does not own) */
  onRemove: string[];
  /** packages the output needs, per packaging family */
  depends: { deb: string[]; rpm: string[] };
  /** messages for the user (stderr at render time, docs in packages) */
  notes: string[];
}
