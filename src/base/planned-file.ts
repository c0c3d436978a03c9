/**
 * One file of a render: what the backends produce and the plan, the writer and
 * the packers consume. Below everything, so that a backend can make a file
 * without knowing the plan that collects it.
 */

export interface PlannedFile {
  /** absolute path on the target system, e.g. "/etc/sysctl.d/90-mpgen-office.conf" */
  path: string;
  /** numeric mode, e.g. 0o644, 0o600, 0o755 */
  mode: number;
  content: string;
  /** true for files under /etc: conffiles in .deb, %config(noreplace) in .rpm */
  config: boolean;
  /**
   * The system fixes this name (initscripts reads ifcfg-DEV, /etc/sysconfig/network,
   * /usr/sbin/ifup-local): every profile writes the same path, so no profile's package may own
   * it. The .rpm ships it under /usr/share/mpgen/NAME/root and its scriptlets put it in place.
   */
  fixedName?: true;
}

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
