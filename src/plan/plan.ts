/**
 * A render plan: the sorted list of files for one (model, distro, backend).
 * render, --dry-run, bundle, package and install all consume the same plan;
 * only src/write and src/pack touch the file system.
 */

export interface PlannedFile {
  /** absolute path on the target system, e.g. "/etc/sysctl.d/90-mpgen-office.conf" */
  path: string;
  /** numeric mode, e.g. 0o644, 0o600, 0o755 */
  mode: number;
  content: string;
  /** true for files under /etc: conffiles in .deb, %config(noreplace) in .rpm */
  config: boolean;
}

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
  /** packages the output needs, per packaging family */
  depends: { deb: string[]; rpm: string[] };
  /** messages for the user (stderr at render time, docs in packages) */
  notes: string[];
}

export type BackendName = 'ifcfg' | 'nm' | 'eni' | 'networkd' | 'netplan';

export const FILE_MODE = {
  regular: 0o644,
  secret: 0o600,
  executable: 0o755,
} as const;

/** Sort by path, bytewise, so every consumer sees the same order. */
export function sortFiles(files: PlannedFile[]): PlannedFile[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function planFile(path: string, content: string, mode: number = FILE_MODE.regular): PlannedFile {
  return { path, mode, content, config: path.startsWith('/etc/') };
}
