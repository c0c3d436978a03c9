/**
 * `mpgen install --root DIR`: the semantics of the bundle's install.sh, in
 * TypeScript, writing the same state under DIR/var/lib/mpgen/PACKAGE so the
 * uninstall.sh copied there removes either install.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../base/user-error.js';
import type { Plan } from '../plan/plan.js';
import { manifest, uninstallScript } from './bundle.js';
import type { PackageMeta } from './meta.js';
import { planFiles } from './tree.js';

export interface InstallOptions {
  root: string;
  /** installing onto the running system needs an explicit yes */
  allowLiveRoot?: boolean;
  /** systemctl to enable units with; null skips enabling (default: found on PATH) */
  systemctl?: string | null;
}

export interface InstallReport {
  root: string;
  installed: string[];
  backedUp: string[];
  enabled: string[];
  /** things the user must do by hand */
  warnings: string[];
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function findSystemctl(): string | null {
  for (const d of (process.env.PATH ?? '').split(':')) {
    if (d && existsSync(join(d, 'systemctl'))) return join(d, 'systemctl');
  }
  return null;
}

function dirsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [dir];
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...dirsUnder(join(dir, e.name)));
  return out;
}

/** Keep the original inode (bytes, mode, owner, times); copy only across file systems. */
function moveAside(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    execFileSync('cp', ['-p', from, to]);
  }
}

/** The real root directory; `live` when it is the running system's / (also through a symlink). */
export function resolveRoot(dir: string): { root: string; live: boolean } {
  const root = realpathSync(resolve(dir));
  return { root, live: root === '/' };
}

export function installPlan(plan: Plan, meta: PackageMeta, opts: InstallOptions): InstallReport {
  if (!existsSync(opts.root) || !statSync(opts.root).isDirectory()) throw new UserError(`--root ${opts.root}: not a directory. Mount the image first, or create the directory.`);
  const { root, live } = resolveRoot(opts.root);
  if (live && !opts.allowLiveRoot) {
    throw new UserError('--root /: refusing to install onto the running system. Pass --allow-live-root if you mean it, or use the .deb/.rpm.');
  }
  const R = live ? '' : root;
  const files = planFiles(plan);
  const pkg = meta.name;
  const state = `${R}/var/lib/mpgen/${pkg}`;
  const report: InstallReport = { root, installed: [], backedUp: [], enabled: [], warnings: [] };

  const newDirs: string[] = [];
  const ensureDir = (d: string): void => {
    if (d === '/' || existsSync(`${R}${d}`)) return;
    ensureDir(dirname(d));
    mkdirSync(`${R}${d}`, { mode: 0o755 });
    chmodSync(`${R}${d}`, 0o755);
    newDirs.push(d);
  };
  ensureDir(`/var/lib/mpgen/${pkg}`);
  mkdirSync(`${state}/backup`, { recursive: true });
  for (const f of ['created', 'dirs']) if (!existsSync(`${state}/${f}`)) writeFileSync(`${state}/${f}`, '');
  const created = new Set(readFileSync(`${state}/created`, 'utf8').split('\n').filter(Boolean));

  for (const f of files) {
    const target = `${R}${f.path}`;
    const backup = `${state}/backup${f.path}`;
    ensureDir(dirname(f.path));
    if (created.has(f.path) || exists(backup)) {
      // installed by us before: the original is already safe
    } else if (exists(target)) {
      mkdirSync(dirname(backup), { recursive: true });
      moveAside(target, backup);
      report.backedUp.push(f.path);
    } else {
      created.add(f.path);
    }
    writeFileSync(`${target}.mpgen-new`, f.content, { mode: f.mode });
    chmodSync(`${target}.mpgen-new`, f.mode);
    renameSync(`${target}.mpgen-new`, target);
    report.installed.push(f.path);
  }
  writeFileSync(`${state}/created`, [...created].map((p) => `${p}\n`).join(''));
  writeFileSync(`${state}/manifest`, manifest(plan, pkg, files));
  writeFileSync(`${state}/uninstall.sh`, uninstallScript(), { mode: 0o755 });
  chmodSync(`${state}/uninstall.sh`, 0o755);

  const systemctl = opts.systemctl === undefined ? findSystemctl() : opts.systemctl;
  if (plan.enable.length > 0) {
    if (systemctl) {
      const before = new Set(dirsUnder(`${R}/etc`));
      for (const unit of plan.enable) {
        execFileSync(systemctl, live ? ['enable', unit] : ['--root', root, 'enable', unit], { stdio: ['ignore', 'ignore', 'pipe'] });
        report.enabled.push(unit);
      }
      for (const d of dirsUnder(`${R}/etc`)) if (!before.has(d)) newDirs.push(d.slice(R.length));
    } else {
      report.warnings.push(`systemctl not found: enable ${plan.enable.join(' ')} in the image yourself`);
    }
  }
  writeFileSync(`${state}/dirs`, readFileSync(`${state}/dirs`, 'utf8') + newDirs.map((d) => `${d}\n`).join(''));

  if (live) {
    for (const s of plan.sysctlFiles) {
      if (existsSync('/usr/lib/systemd/systemd-sysctl')) execFileSync('/usr/lib/systemd/systemd-sysctl', [s], { stdio: 'inherit' });
      else execFileSync('sysctl', ['-q', '-p', s], { stdio: 'inherit' });
    }
    if (systemctl && existsSync('/run/systemd/system')) {
      execFileSync(systemctl, ['daemon-reload'], { stdio: 'inherit' });
      for (const unit of plan.enable) execFileSync(systemctl, ['restart', unit], { stdio: 'inherit' });
    }
  }
  return report;
}
