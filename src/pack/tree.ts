/**
 * The packable view of a plan: validated absolute paths, bytes, modes, and
 * every parent directory, in one sorted order shared by the deb, rpm and
 * bundle writers.
 */
import { createHash } from 'node:crypto';
import type { Plan } from '../plan/plan.js';

export interface PackFile {
  /** absolute target path, "/etc/netplan/90-mpgen-office.yaml" */
  path: string;
  /** permission bits, 0o644 / 0o600 / 0o755 */
  mode: number;
  content: Buffer;
  /** conffile (.deb) / %config(noreplace) (.rpm) */
  config: boolean;
  /** PlannedFile.fixedName: the .rpm stages it and its scriptlets put it in place */
  fixedName?: boolean;
}

/**
 * Characters allowed in a target path. Plan paths are built from validated
 * profile names; this is the packer's own guard, because these paths reach
 * shell scripts (install.sh reads them from MANIFEST) and archive headers.
 */
const SAFE_PATH = /^(\/[A-Za-z0-9@_+:][A-Za-z0-9@._+:-]*)+$/;
/** systemd unit names the maintainer scripts may name. */
const SAFE_UNIT = /^[A-Za-z0-9@_:-][A-Za-z0-9@._:-]*\.(service|timer|socket|path|target)$/;

export function assertSafePath(path: string, what = 'path'): void {
  if (!SAFE_PATH.test(path) || path.split('/').some((c) => c === '.' || c === '..')) {
    throw new Error(`pack: ${what} "${path}" is not a plain absolute path`);
  }
  if (/^\/(bin|sbin|lib|lib32|lib64|libx32)(\/|$)/.test(path)) {
    throw new Error(`pack: ${path} is in an aliased location; merged /usr needs /usr${path}`);
  }
}

export function assertSafeUnit(unit: string): void {
  if (!SAFE_UNIT.test(unit)) throw new Error(`pack: unit name "${unit}" is not a plain systemd unit name`);
}

/** Plan files as bytes, validated and sorted bytewise by path. */
export function planFiles(plan: Plan): PackFile[] {
  const seen = new Set<string>();
  const out = plan.files.map((f) => {
    assertSafePath(f.path);
    if (seen.has(f.path)) throw new Error(`pack: ${f.path} is planned twice`);
    seen.add(f.path);
    if ((f.mode & ~0o7777) !== 0) throw new Error(`pack: ${f.path}: mode ${f.mode.toString(8)} is not a permission mode`);
    const out: PackFile = { path: f.path, mode: f.mode, content: Buffer.from(f.content, 'utf8'), config: f.path.startsWith('/etc/') };
    if (f.fixedName) out.fixedName = true;
    return out;
  });
  for (const u of plan.enable) assertSafeUnit(u);
  for (const s of plan.sysctlFiles) {
    assertSafePath(s, 'sysctl file');
    if (!seen.has(s)) throw new Error(`pack: sysctl file ${s} is not in the plan`);
  }
  return sortByPath(out);
}

export function sortByPath<T extends { path: string }>(xs: T[]): T[] {
  return [...xs].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/** Every ancestor directory of the given absolute paths ("/etc", "/etc/netplan"), sorted, without "/". */
export function parentDirs(paths: string[]): string[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) dirs.add(`/${parts.slice(0, i).join('/')}`);
  }
  return [...dirs].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

export const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
export const md5Hex = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

/** "Thu, 01 Jan 2024 00:00:00 +0000", in UTC whatever TZ says. */
export function rfc2822(epoch: number): string {
  const d = new Date(epoch * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p2(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}
