/**
 * Writes a plan as a root-shaped tree under an output directory, atomically:
 * everything is written into a fresh sibling directory first, then swapped in
 * with renames. On any error the output directory is left as it was.
 * Output paths never escape the directory, and no symlink is followed.
 * A tree that already holds exactly the plan (same files, bytes, modes and
 * marker) is left as it is, as projen skips unchanged files: nothing to swap,
 * nothing to delete.
 */
import { closeSync, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Plan } from '../plan/plan.js';
import { MAX_TREE_NAME_BYTES, removeTree, stagingNames } from './interrupted.js';
import { writeErrorMessage, type WriteStep } from './write-errors.js';

/** The output cannot be written as asked: a refused path, or a write error of the file system. One line, no stack. */
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
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    const message = writeErrorMessage(e, dir, 'aside');
    throw message === undefined ? e : new OutputPathError(message);
  }
  return entries.length === 0 || entries.includes(TREE_MARKER);
}

export interface WriteResult {
  outDir: string;
  written: Array<{ path: string; mode: number; bytes: number }>;
  /** true when the directory already held exactly this plan and was left untouched */
  unchanged: boolean;
  /** plan-style paths ("/etc/x") that the replaced tree held and no plan wrote (added by hand): they are gone now */
  removed: string[];
}

export interface WriteOptions {
  /** the tree must be a direct child of this directory (a batch's -o) */
  within?: string;
}

/**
 * The marker: the plan's name, distro and backend, then the path of every file it wrote, one a
 * line, so the next render can tell a file added by hand from one an earlier plan wrote.
 */
const markerText = (plan: Plan): string => `${plan.name} ${plan.distro} ${plan.backend}\n${plan.files.map((f) => `${f.path}\n`).join('')}`;

/** The paths an earlier render wrote, read from its marker; undefined for a marker of an older mpgen (one line). */
function earlierPlan(out: string): Set<string> | undefined {
  try {
    const lines = readFileSync(join(out, TREE_MARKER), 'utf8').split('\n').slice(1, -1);
    return lines.length > 0 ? new Set(lines) : undefined;
  } catch {
    return undefined;
  }
}

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

/**
 * What a rewrite of the tree at `out` removes that no plan of mpgen wrote: every file the plan
 * does not hold and the earlier plan did not write (added by hand), and every empty directory
 * outside the plan. With a marker of an older mpgen, every file outside the plan.
 */
function addedByHand(out: string, plan: Plan): string[] {
  const planned = new Set(plan.files.map((f) => f.path));
  const earlier = earlierPlan(out);
  const found: string[] = [];
  const walk = (dir: string, rel: string): boolean => {
    let keeps = false;
    const entries = readdirSync(dir, { withFileTypes: true });
    for (const e of entries) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (walk(join(dir, e.name), r)) keeps = true;
        else if (readdirSync(join(dir, e.name)).length === 0) found.push(`${r}/`);
      } else if (r === `/${TREE_MARKER}` || planned.has(r)) keeps = true;
      else if (!earlier?.has(r)) found.push(r);
    }
    return keeps;
  };
  try {
    walk(out, '');
  } catch {
    // unreadable: the swap below fails too, or removes it whole
  }
  return found.sort();
}

export function writePlanTree(plan: Plan, outDir: string, opts: WriteOptions = {}): WriteResult {
  const out = resolve(outDir);
  if (out === resolve('/')) throw new OutputPathError('refusing to render into /; use `mpgen install --root /` to install on this machine');
  const treeName = basename(out);
  if (opts.within !== undefined && (dirname(out) !== resolve(opts.within) || treeName === '.' || treeName === '..'))
    throw new OutputPathError(`refusing to write ${outDir}: each tree of a batch goes directly under ${opts.within}`);
  if (Buffer.byteLength(treeName) > MAX_TREE_NAME_BYTES)
    throw new OutputPathError(
      `${outDir}: the last part of the path is ${Buffer.byteLength(treeName)} bytes; mpgen writes the tree beside it first under a name up to ${255 - MAX_TREE_NAME_BYTES} bytes longer, and a file name has at most 255. Choose an -o whose last part is at most ${MAX_TREE_NAME_BYTES} bytes`,
    );
  const kind = exists(out);
  if (kind === 'other') throw new OutputPathError(`${outDir} exists and is not a directory (or is a symlink); refusing to replace it`);
  if (kind === 'dir' && !replaceable(out))
    throw new OutputPathError(`${outDir} is not empty and was not written by mpgen (no ${TREE_MARKER} in it); refusing to replace it. Choose an empty or new directory with -o`);
  if (kind === 'dir' && holdsExactly(out, plan))
    return { outDir: out, written: plan.files.map((f) => ({ path: f.path, mode: f.mode, bytes: Buffer.byteLength(f.content, 'utf8') })), unchanged: true, removed: [] };
  const listing: WriteResult['written'] = [];
  const removed = kind === 'dir' ? addedByHand(out, plan) : [];
  const parent = dirname(out);
  let step: WriteStep = 'parent';
  const names = stagingNames(treeName);
  const staging = join(parent, names.staging);
  const old = join(parent, names.old);
  try {
    if (kind === undefined) mkdirSync(parent, { recursive: true });
    step = 'stage';
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
    // From here to the second rename, `out` is missing: a kill in between leaves the earlier
    // tree whole under `old`, which the next run renames back (interrupted.ts).
    step = 'aside';
    if (kind === 'dir') renameSync(out, old);
    step = 'swap';
    try {
      renameSync(staging, out);
    } catch (e) {
      if (kind === 'dir') renameSync(old, out);
      throw e;
    }
    if (kind === 'dir') removeTree(old);
  } catch (e) {
    if (step !== 'parent') rmSync(staging, { recursive: true, force: true });
    const message = writeErrorMessage(e, outDir, step);
    throw message === undefined ? e : new OutputPathError(message);
  }
  return { outDir: out, written: listing, unchanged: false, removed };
}
