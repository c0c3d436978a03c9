/**
 * The bundle: NAME-VERSION/{install.sh, uninstall.sh, MANIFEST, root/...} in
 * a deterministic tar.gz. MANIFEST is the one list both scripts read:
 *   package NAME
 *   file SHA256 MODE /absolute/path
 *   enable UNIT
 *   sysctl /etc/sysctl.d/FILE
 */
import type { Plan } from '../plan/plan.js';
import { renderTemplate } from '../base/templates.js';
import { gzipDeterministic } from './gzip.js';
import { type PackageMeta, type PackOptions, resolveMeta } from './meta.js';
import { writeTar, type TarEntry } from './tar.js';
import { type PackFile, parentDirs, planFiles, sha256Hex } from './tree.js';

export interface Bundle {
  fileName: string;
  bytes: Buffer;
}

export const bundleFileName = (meta: PackageMeta): string => `${meta.name}-${meta.version}.tar.gz`;
export const bundleTopDir = (meta: PackageMeta): string => `${meta.name}-${meta.version}`;

export function manifest(plan: Plan, pkg: string, files: PackFile[]): string {
  return [
    `# mpgen bundle of ${pkg}: file SHA256 MODE PATH, units to enable, sysctl files to apply`,
    `package ${pkg}`,
    ...files.map((f) => `file ${sha256Hex(f.content)} ${f.mode.toString(8).padStart(4, '0')} ${f.path}`),
    ...plan.enable.map((u) => `enable ${u}`),
    ...plan.sysctlFiles.map((s) => `sysctl ${s}`),
    '',
  ].join('\n');
}

export const installScript = (): string => renderTemplate('pack/install.sh', {});
export const uninstallScript = (): string => renderTemplate('pack/uninstall.sh', {});

export function buildBundle(plan: Plan, meta: PackageMeta, opts: PackOptions = {}): Bundle {
  const m = resolveMeta(plan, meta, opts);
  const files = planFiles(plan);
  const top = `${bundleTopDir(meta)}/`;
  const mtime = m.epoch;
  const entries: TarEntry[] = [
    { name: top, type: 'dir', mode: 0o755, mtime },
    { name: `${top}MANIFEST`, type: 'file', mode: 0o644, mtime, content: Buffer.from(manifest(plan, m.name, files)) },
    { name: `${top}install.sh`, type: 'file', mode: 0o755, mtime, content: Buffer.from(installScript()) },
    { name: `${top}root/`, type: 'dir', mode: 0o755, mtime },
    ...parentDirs(files.map((f) => f.path)).map((d): TarEntry => ({ name: `${top}root${d}/`, type: 'dir', mode: 0o755, mtime })),
    ...files.map((f): TarEntry => ({ name: `${top}root${f.path}`, type: 'file', mode: f.mode, mtime, content: f.content })),
    { name: `${top}uninstall.sh`, type: 'file', mode: 0o755, mtime, content: Buffer.from(uninstallScript()) },
  ];
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  return { fileName: bundleFileName(meta), bytes: gzipDeterministic(writeTar(entries)) };
}
