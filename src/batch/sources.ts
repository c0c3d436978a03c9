/**
 * DIR_OR_GLOB -> the profile files of a batch, sorted. A directory gives its
 * *.yaml and *.yml files (not recursive, dotfiles skipped); a pattern may use
 * `*`, `?`, `[...]` within a segment and `**` for any depth; a plain file is a
 * batch of one. Node 20 has no fs.glob, and a batch needs nothing more.
 * A batch directory may come from elsewhere (customers' uploads): a symlink is
 * followed only to a place inside it, and a symlink loop is walked once.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

export class BatchInputError extends Error {}

const GLOB_CHARS = /[*?[]/;
// [^] rather than ".": a file name may hold a newline
const PROFILE_FILE = /^[^.][^]*\.ya?ml$/;

function segmentRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = seg.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // a wildcard does not match a leading dot, as in the shell
  return new RegExp(`^${seg.startsWith('.') ? '' : '(?!\\.)'}${re}$`);
}

/** One walk of a batch: the root it may not leave, the real directories and files seen so far. */
interface Walk {
  /** the real path of the batch directory (or of the fixed start of the pattern) */
  root: string;
  /** the spelling of the root for messages */
  shownRoot: string;
  /** "dev:ino:segments left" of every directory walked, so a symlink loop is walked once */
  dirs: Set<string>;
  /** "dev:ino" of every file taken -> the path it was taken under */
  files: Map<string, string>;
  out: string[];
  skipped: SkippedSource[];
}

/** A path the batch leaves out, and why; the summary says so, once per path. */
export interface SkippedSource {
  path: string;
  reason: string;
  /** true for a symlink out of the batch (the run exits 1); false for a second path to a file already read */
  refused: boolean;
}

const inside = (root: string, real: string): boolean => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);

/** What `p` is, following a symlink only to a place inside the root: undefined when it is missing or of another type. */
function kind(w: Walk, p: string): { type: 'dir' | 'file'; id: string } | undefined {
  let st;
  try {
    st = lstatSync(p);
    if (st.isSymbolicLink()) {
      const real = realpathSync.native(p);
      st = statSync(real);
      if (!inside(w.root, real)) {
        if ((st.isFile() || st.isDirectory()) && !w.skipped.some((s) => s.path === p))
          w.skipped.push({ path: p, reason: `a symlink to a ${st.isFile() ? 'file' : 'directory'} outside ${w.shownRoot}; refused, not read`, refused: true });
        return undefined;
      }
    }
  } catch {
    return undefined; // missing, dangling, or a loop of links
  }
  const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
  return type && { type, id: `${st.dev}:${st.ino}` };
}

function addFile(w: Walk, p: string): void {
  const k = kind(w, p);
  if (k?.type !== 'file') return;
  const first = w.files.get(k.id);
  if (first !== undefined) {
    if (first !== p) w.skipped.push({ path: p, reason: `the same file as ${first}; read once`, refused: false });
    return;
  }
  w.files.set(k.id, p);
  w.out.push(p);
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function walk(w: Walk, base: string, segs: string[]): void {
  if (segs.length === 0) return addFile(w, base);
  const k = kind(w, base);
  if (k?.type !== 'dir') return;
  const key = `${k.id}:${segs.length}`;
  if (w.dirs.has(key)) return;
  w.dirs.add(key);
  const [seg, ...rest] = segs as [string, ...string[]];
  if (seg === '**') {
    walk(w, base, rest);
    for (const e of entries(base)) if (!e.startsWith('.')) walk(w, join(base, e), segs);
    return;
  }
  if (!GLOB_CHARS.test(seg)) return walk(w, join(base, seg), rest);
  const re = segmentRegExp(seg);
  for (const e of entries(base)) if (re.test(e)) walk(w, join(base, e), rest);
}

function newWalk(root: string): Walk {
  let real = root;
  try {
    real = realpathSync.native(root);
  } catch {
    // a missing root matches nothing
  }
  return { root: real, shownRoot: root, dirs: new Set(), files: new Map(), out: [], skipped: [] };
}

/**
 * The profile files named by a directory, a glob pattern or a file, and the paths left out:
 * a symlink is followed only to a place inside the batch directory (for a pattern, its fixed
 * start), each real directory is walked once (a link to `.` is no loop), and each file is read
 * once. Throws BatchInputError when there are no files.
 */
export function expandBatchSources(spec: string): { files: string[]; skipped: SkippedSource[] } {
  if (spec === '') throw new BatchInputError('--batch needs a directory or a glob pattern');
  if (!GLOB_CHARS.test(spec)) {
    let st;
    try {
      st = statSync(spec);
    } catch {
      throw new BatchInputError(`--batch ${spec}: no such file or directory`);
    }
    // a file named on the command line is a batch of one, wherever a symlink leads
    if (st.isFile()) return { files: [spec], skipped: [] };
    if (!st.isDirectory()) throw new BatchInputError(`--batch ${spec}: no such file or directory`);
    const w = newWalk(spec);
    for (const e of entries(spec)) if (PROFILE_FILE.test(e)) addFile(w, join(spec, e));
    if (w.out.length === 0) throw new BatchInputError(`--batch ${spec}: the directory holds no *.yaml or *.yml file${w.skipped.length ? ` (${w.skipped.length} refused: ${w.skipped[0]!.path}: ${w.skipped[0]!.reason})` : ''}`);
    return { files: w.out, skipped: w.skipped };
  }
  const absolute = spec.startsWith('/');
  const segs = spec.split('/').filter((s, i) => s !== '' || i === 0);
  const all = absolute ? segs.slice(1) : segs;
  const fixed = all.findIndex((s) => GLOB_CHARS.test(s));
  const start = join(absolute ? '/' : '.', ...all.slice(0, fixed));
  const w = newWalk(start);
  walk(w, start, all.slice(fixed));
  const files = [...w.out].sort();
  if (files.length === 0) throw new BatchInputError(`--batch ${spec}: the pattern matches no file`);
  return { files, skipped: w.skipped };
}

/** The profile files of expandBatchSources, without the paths it left out. */
export function expandBatchInput(spec: string): string[] {
  return expandBatchSources(spec).files;
}
