/**
 * The file system's refusals, said as one line that names the path and what to do: these are
 * the user's situation (a read-only disk, a mount point, a file where a directory should be),
 * not bugs in mpgen, and exit 1 like any other failed render.
 */
import { lstatSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Where writePlanTree was when the error came: making -o's parents, writing the new tree beside -o, moving the old tree aside, renaming the new one in. */
export type WriteStep = 'parent' | 'stage' | 'aside' | 'swap';

/** The nearest ancestor of `p` that exists and is not a directory, if any. */
function fileInTheWay(p: string): string | undefined {
  for (let d = dirname(resolve(p)); ; d = dirname(d)) {
    try {
      return lstatSync(d).isDirectory() ? undefined : d;
    } catch {
      if (dirname(d) === d) return undefined;
    }
  }
}

/** The message for an errno error of the file system, or undefined when `e` is something else. */
export function writeErrorMessage(e: unknown, out: string, step: WriteStep): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== 'string' || !err.syscall) return undefined;
  const code = err.code;
  switch (code) {
    case 'EEXIST':
    case 'ENOTDIR': {
      const file = fileInTheWay(out);
      if (file !== undefined) return `cannot create ${out}: ${file} is a file, not a directory (${code}). Choose an -o below a directory, or move ${file} away`;
      if (step === 'swap') return concurrent(out, code);
      return `cannot create ${out}: ${err.path ?? 'a part of the path'} is in the way (${code}). Choose another -o`;
    }
    case 'ENOTEMPTY':
      return concurrent(out, code);
    case 'ENAMETOOLONG':
      return `cannot write ${out}: a name in the path is longer than this file system allows (ENAMETOOLONG). Choose a shorter -o`;
    case 'EROFS':
      return `cannot write ${out}: the file system is read-only (EROFS). Choose an -o on a writable file system, or remount it read-write`;
    case 'EBUSY':
      return `cannot replace ${out}: it is a mount point or in use (EBUSY), and mpgen replaces a tree by renaming it. Render into a directory below it, e.g. -o ${out.replace(/\/+$/, '')}/tree`;
    case 'EACCES':
    case 'EPERM':
      return `cannot write ${out}: permission denied (${code}) on ${err.path ?? out}. Choose an -o you may write to`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `cannot write ${out}: no space left on the file system (${code}). Free some space or choose another -o`;
    case 'ELOOP':
      return `cannot write ${out}: too many symlinks in the path (ELOOP). Choose an -o without a symlink loop`;
    default:
      return `cannot write ${out}: ${code} from ${err.syscall}${err.path ? ` on ${err.path}` : ''}. Check the path and the file system, then run again`;
  }
}

const concurrent = (out: string, code: string): string =>
  `cannot write ${out}: it appeared while mpgen was writing it, probably from another render into the same -o (${code}); this render wrote nothing. Run it again, one render at a time`;
