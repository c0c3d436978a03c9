/**
 * Writes a plan as a root-shaped tree under an output directory, atomically:
 * everything is written into a fresh sibling directory first, then swapped in
 * with renames. On any error the output directory is left as it was.
 * Output paths never escape the directory, and no symlink is followed.
 * A tree that already holds exactly the plan (same files, bytes, modes and
 * marker) is left as it is, as projen skips unchanged files: nothing to swap,
 * nothing to delete.
 */
import { closeSync, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { Plan } from '../plan/plan.js';

export class OutputPathError extends Error {}

/** Maps a plan path ("/etc/x") to a path inside root, refusing anything that would escape it. */
export function safeJoin(root: string, planPath: string): string {
  const rel = planPath.replace(/^\/+/, '');
  if (rel === '' || rel.split('/').some((seg) => seg === '..' || seg === '.' || seg === ''))
    throw new OutputPathError(`refusing to write "${planPath}": not a clean absolute path`);
  const full = resolve(root, rel);
  if (!full.startsWith(resolve(root) + sep)) throw new OutputPathError(`refusing to write "${planPath}": it escapes ${root}`);
  return full;
}

function exists(p: string): 'dir' | 'other' | undefined {
  try {
    const st = lstatSync(p);
    return st.isDirectory() ? 'dir' : 'other';
  } catch {
    return undefined;
  }
}

/** Marks a directory as an mpgen output tree, which a later render may replace. */
export const TREE_MARKER = '.mpgen-tree';

function replaceable(dir: string): boolean {
  const entries = readdirSync(dir);
  return entries.length === 0 || entries.includes(TREE_MARKER);
}

/**
 * Removes a tree this process has just moved aside. One readdir per directory (its entries come
 * typed, so no lstat per entry) and one unlink or rmdir per entry; symlinks are unlinked, never
 * followed. Anything unexpected (a concurrent change, an odd file type) falls back to rmSync.
 */
function removeTree(dir: string): void {
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

export interface WriteResult {
  outDir: string;
  written: Array<{ path: string; mode: number; bytes: number }>;
  /** true when the directory already held exactly this plan and was left untouched */
  unchanged: boolean;
}

const markerText = (plan: Plan): string => `${plan.name} ${plan.distro} ${plan.backend}\n`;

/**
 * True when `out` holds exactly the plan: the marker, every planned file with its bytes and
 * mode, and nothing else. Any symlink, odd file type or read error answers false (rewrite).
 */
function holdsExactly(out: string, plan: Plan): boolean {
  try {
    if (readFileSync(join(out, TREE_MARKER), 'utf8') !== markerText(plan)) return false;
    const want = new Map(plan.files.map((f) => [f.path, f]));
    let seen = 0;
    const walk = (dir: string, rel: string): boolean => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        const r = `${rel}/${e.name}`;
        if (e.isDirectory()) {
          if (!walk(p, r)) return false;
          continue;
        }
        if (r === `/${TREE_MARKER}`) continue;
        const f = want.get(r);
        if (!f || !e.isFile() || (lstatSync(p).mode & 0o7777) !== f.mode || readFileSync(p, 'utf8') !== f.content) return false;
        seen++;
      }
      return true;
    };
    return walk(out, '') && seen === want.size;
  } catch {
    return false;
  }
}

/**
 * Creates a new file (never an existing one: O_EXCL, and no symlink is followed) with these bytes
 * and exactly this mode. The mode given to open() loses the bits the umask clears (or a default
 * ACL changes it), so the file's mode is read back from the descriptor and set only when it
 * differs: most files need no chmod.
 */
function writeNew(path: string, bytes: Uint8Array, length: number, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    for (let off = 0; off < length; ) off += writeSync(fd, bytes, off, length - off);
    if ((fstatSync(fd).mode & 0o7777) !== mode) fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

export function writePlanTree(plan: Plan, outDir: string): WriteResult {
  const out = resolve(outDir);
  const kind = exists(out);
  if (out === resolve('/')) throw new OutputPathError('refusing to render into /; use `mpgen install --root /` to install on this machine');
  if (kind === 'other') throw new OutputPathError(`${outDir} exists and is not a directory (or is a symlink); refusing to replace it`);
  if (kind === 'dir' && !replaceable(out))
    throw new OutputPathError(`${outDir} is not empty and was not written by mpgen (no ${TREE_MARKER} in it); refusing to replace it. Choose an empty or new directory with -o`);
  if (kind === 'dir' && holdsExactly(out, plan))
    return { outDir: out, written: plan.files.map((f) => ({ path: f.path, mode: f.mode, bytes: Buffer.byteLength(f.content, 'utf8') })), unchanged: true };
  const listing: WriteResult['written'] = [];
  const parent = dirname(out);
  if (kind === undefined) mkdirSync(parent, { recursive: true });
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const staging = join(parent, `.${out.split(sep).pop()}.mpgen-new-${stamp}`);
  const old = join(parent, `.${out.split(sep).pop()}.mpgen-old-${stamp}`);
  try {
    mkdirSync(staging, { mode: 0o755 });
    writeFileSync(join(staging, TREE_MARKER), markerText(plan));
    // staging starts empty: each directory is made once, parents first, so no mkdir fails
    const made = new Set<string>([staging]);
    const makeDir = (dir: string): void => {
      if (made.has(dir)) return;
      makeDir(dirname(dir));
      mkdirSync(dir, { mode: 0o755 });
      made.add(dir);
    };
    for (const f of plan.files) {
      const target = safeJoin(staging, f.path);
      makeDir(dirname(target));
      const bytes = Buffer.from(f.content, 'utf8');
      writeNew(target, bytes, bytes.length, f.mode);
      listing.push({ path: f.path, mode: f.mode, bytes: bytes.length });
    }
    if (kind === 'dir') renameSync(out, old);
    try {
      renameSync(staging, out);
    } catch (e) {
      if (kind === 'dir') renameSync(old, out);
      throw e;
    }
    if (kind === 'dir') removeTree(old);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return { outDir: out, written: listing, unchanged: false };
}
