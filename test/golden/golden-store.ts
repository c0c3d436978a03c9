/**
 * Reading and writing golden trees. A tree is a directory of files at their target paths plus
 * MODES (git keeps no 0600): one "0644 /path" line per file, in plan order. Writing a tree
 * replaces the directory, so a file the plan no longer has does not stay behind.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { PlannedFile } from '../../src/plan/plan.js';

export const UPDATE = process.env.MPGEN_UPDATE_GOLDEN === '1';
export const UPDATE_HINT = 'run npm run golden:update and review the diff';

/** the files stored under dir, as absolute target paths, sorted; MODES and ABSENT are not files of the plan */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(`/${relative(dir, p)}`);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.filter((p) => p !== '/MODES' && p !== '/ABSENT').sort();
}

export const modesOf = (files: Array<Pick<PlannedFile, 'path' | 'mode'>>): string => files.map((f) => `0${f.mode.toString(8)} ${f.path}`).join('\n') + '\n';

export const readStored = (dir: string, path: string): string => readFileSync(join(dir, path), 'utf8');

/**
 * Replaces dir with these files and MODES (`modes`: the files whose modes it lists, default the
 * stored files). `absent`: paths listed in ABSENT (files another tree has and this one has not).
 */
export function writeTree(dir: string, files: PlannedFile[], modes: Array<Pick<PlannedFile, 'path' | 'mode'>> = files, absent: string[] = []): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of files) {
    const p = join(dir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content);
  }
  writeFileSync(join(dir, 'MODES'), modesOf(modes));
  if (absent.length > 0) writeFileSync(join(dir, 'ABSENT'), absent.join('\n') + '\n');
}

/**
 * The directories `depth` levels below root that are not in `expected` (paths relative to root,
 * "a/b"), and any file above that depth: what an update deletes and a check refuses.
 */
export function strayEntries(root: string, depth: number, expected: Set<string>): string[] {
  const stray: string[] = [];
  const walk = (rel: string, level: number) => {
    for (const e of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${e}` : e;
      if (!statSync(join(root, r)).isDirectory()) stray.push(r);
      else if (level + 1 === depth) {
        if (!expected.has(r)) stray.push(r);
      } else if (![...expected].some((x) => x.startsWith(`${r}/`))) stray.push(r);
      else walk(r, level + 1);
    }
  };
  if (existsSync(root)) walk('', 0);
  return stray;
}

/** In an update, deletes what strayEntries found; otherwise there must be none. */
export function pruneOrRefuse(root: string, stray: string[]): string[] {
  if (UPDATE) for (const s of stray) rmSync(join(root, s), { recursive: true, force: true });
  return UPDATE ? [] : stray;
}
