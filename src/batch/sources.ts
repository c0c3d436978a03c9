/**
 * DIR_OR_GLOB -> the profile files of a batch, sorted. A directory gives its
 * *.yaml and *.yml files (not recursive, dotfiles skipped); a pattern may use
 * `*`, `?`, `[...]` within a segment and `**` for any depth; a plain file is a
 * batch of one. Node 20 has no fs.glob, and a batch needs nothing more.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export class BatchInputError extends Error {}

const GLOB_CHARS = /[*?[]/;
const PROFILE_FILE = /^[^.].*\.ya?ml$/;

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

function kind(p: string): 'dir' | 'file' | undefined {
  try {
    const st = statSync(p);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function walk(base: string, segs: string[], out: Set<string>): void {
  if (segs.length === 0) {
    if (kind(base) === 'file') out.add(base);
    return;
  }
  const [seg, ...rest] = segs as [string, ...string[]];
  if (seg === '**') {
    walk(base, rest, out);
    for (const e of entries(base)) if (!e.startsWith('.') && kind(join(base, e)) === 'dir') walk(join(base, e), segs, out);
    return;
  }
  if (!GLOB_CHARS.test(seg)) {
    walk(join(base, seg), rest, out);
    return;
  }
  const re = segmentRegExp(seg);
  for (const e of entries(base)) if (re.test(e)) walk(join(base, e), rest, out);
}

/** The profile files named by a directory, a glob pattern or a file. Throws BatchInputError when there are none. */
export function expandBatchInput(spec: string): string[] {
  if (spec === '') throw new BatchInputError('--batch needs a directory or a glob pattern');
  if (!GLOB_CHARS.test(spec)) {
    const k = kind(spec);
    if (k === 'file') return [spec];
    if (k !== 'dir') throw new BatchInputError(`--batch ${spec}: no such file or directory`);
    const files = entries(spec)
      .filter((e) => PROFILE_FILE.test(e))
      .map((e) => join(spec, e))
      .filter((p) => kind(p) === 'file');
    if (files.length === 0) throw new BatchInputError(`--batch ${spec}: the directory holds no *.yaml or *.yml file`);
    return files;
  }
  const absolute = spec.startsWith('/');
  const segs = spec.split('/').filter((s, i) => s !== '' || i === 0);
  const out = new Set<string>();
  walk(absolute ? '/' : '.', absolute ? segs.slice(1) : segs, out);
  const files = [...out].sort();
  if (files.length === 0) throw new BatchInputError(`--batch ${spec}: the pattern matches no file`);
  return files;
}
