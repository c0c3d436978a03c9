/**
 * What a killed render leaves beside its trees, and how the next run puts it right.
 *
 * A tree X is replaced with two renames: X -> `.X.mpgen-old-PID-RAND`, then the finished
 * `.X.mpgen-new-PID-RAND` -> X. Linux cannot rename a directory over a non-empty one, and
 * renameat2(RENAME_EXCHANGE) has no Node binding, so between the two renames X is missing.
 * A kill there (SIGKILL, power loss) leaves the earlier tree complete under its -old- name;
 * a kill while staging or while removing the replaced tree leaves a partial -new- or -old-.
 *
 * Every render and batch run therefore starts with recoverInterrupted(): for each name of
 * exactly that shape whose process is gone, an -old- tree whose X is missing is renamed back
 * to X (the earlier tree, as it was), and every other one is removed. Names of a live process
 * (a concurrent render into the same -o) and anything not of that exact shape are left alone.
 */
import { lstatSync, readdirSync, renameSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/** `.X.mpgen-new-PID-RAND` / `.X.mpgen-old-PID-RAND`; RAND is 8 of [0-9a-z] (earlier versions wrote Date.now() in base 36, also 8). */
const STAGING_NAME = /^\.(.+)\.mpgen-(new|old)-(\d{1,10})-([0-9a-z]{8})$/;

/** Bytes a staging name adds to the tree's own name: "." + ".mpgen-new-" + pid (at most 10 digits) + "-" + 8. */
export const STAGING_OVERHEAD = 1 + 11 + 10 + 1 + 8;

/** The longest tree name (bytes) whose staging names still fit in a 255-byte file name. */
export const MAX_TREE_NAME_BYTES = 255 - STAGING_OVERHEAD;

export function stagingNames(treeName: string): { staging: string; old: string } {
  const rand = Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return { staging: `.${treeName}.mpgen-new-${process.pid}-${rand}`, old: `.${treeName}.mpgen-old-${process.pid}-${rand}` };
}

/**
 * True unless the process is known to be gone. This process counts as gone: a run calls
 * recoverInterrupted() before it writes anything, so a name with its pid was left by an
 * earlier process that had the same pid (containers start every run with the same small pid).
 */
function processGone(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Removes a directory tree without following any symlink in it. */
export function removeTree(dir: string): void {
  try {
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else unlinkSync(p);
      }
      rmdirSync(d);
    };
    walk(dir);
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Recovery {
  /** trees that were missing and are back as they were before the interrupted render */
  restored: string[];
  /** leftover staging directories removed */
  removed: string[];
}

const isDir = (p: string): boolean | undefined => {
  try {
    const st = lstatSync(p);
    return st.isDirectory();
  } catch {
    return undefined;
  }
};

/**
 * Restores and cleans what interrupted renders left in `parent` (only for the tree `only`,
 * when given). Call it before this process writes into `parent`. Never throws: a directory
 * that cannot be read or changed is left for a later run.
 */
export function recoverInterrupted(parent: string, only?: string): Recovery {
  const res: Recovery = { restored: [], removed: [] };
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return res;
  }
  const stale: Array<{ name: string; tree: string; kind: string }> = [];
  for (const name of names) {
    const m = STAGING_NAME.exec(name);
    if (!m || (only !== undefined && m[1] !== only) || !processGone(Number(m[3]))) continue;
    if (isDir(join(parent, name)) !== true) continue;
    stale.push({ name, tree: m[1]!, kind: m[2]! });
  }
  // an -old- tree whose X is missing was X until a kill between the two renames: put it back
  // (if several, the one moved aside last: its ctime is the rename)
  const olds = stale.filter((s) => s.kind === 'old').sort((a, b) => ctime(join(parent, b.name)) - ctime(join(parent, a.name)));
  for (const s of olds) {
    const tree = join(parent, s.tree);
    if (isDir(tree) !== undefined) continue;
    try {
      renameSync(join(parent, s.name), tree);
      res.restored.push(tree);
    } catch {
      // left for a later run
    }
  }
  for (const s of stale) {
    const p = join(parent, s.name);
    if (isDir(p) !== true) continue; // restored above, or gone
    removeTree(p);
    if (isDir(p) === undefined) res.removed.push(p);
  }
  return res;
}

/** `.NAME.PID.RAND.tmp`: a package being written by package --batch (job.ts writeAtomically). */
const PACKAGE_TEMP = /^\.(.+)\.(\d{1,10})\.([0-9a-z]{1,16})\.tmp$/;

/** Removes the half-written package files that killed runs left in `dir`; returns their paths. Never throws. */
export function removeStalePackageTemps(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = PACKAGE_TEMP.exec(name);
    if (!m || !processGone(Number(m[2]))) continue;
    const p = join(dir, name);
    try {
      if (!lstatSync(p).isFile()) continue;
      unlinkSync(p);
      removed.push(p);
    } catch {
      // left for a later run
    }
  }
  return removed;
}

function ctime(p: string): number {
  try {
    return lstatSync(p).ctimeMs;
  } catch {
    return 0;
  }
}
