/** Profile file or text -> Model, throwing ProfileError (with every diagnostic) on bad input. */
import { readFileSync, statSync } from 'node:fs';
import { ProfileError, type Diagnostic } from '../profile/diagnostics.js';
import { MAX_PROFILE_BYTES, parseProfile } from '../profile/load.js';
import type { Model } from './model.js';
import { normalize } from './normalize.js';

export interface LoadedModel {
  model: Model;
  /** warnings from validation (errors throw) */
  warnings: Diagnostic[];
}

/**
 * The last profile this process loaded. One process that runs several commands on one profile
 * (rendering it for every distro, then packaging it: `run()` called in a loop) parses and
 * validates it twice, not once per command: the first load only notes the text (a batch loads
 * each profile once, and a copy kept of every one of them was 3 % of a batch), the second keeps
 * a copy, and the later ones get copies of it. Keyed by the source name and the exact text, so
 * the result is the one a fresh parse gives; handed out as deep copies, so no caller can change
 * what the next one gets.
 */
let last: { text: string; source: string; loaded?: LoadedModel } | undefined;

export function loadModelFromText(text: string, source: string): LoadedModel {
  const again = last !== undefined && last.source === source && last.text === text;
  if (again && last!.loaded) return structuredClone(last!.loaded);
  const { profile, diagnostics } = parseProfile(text, source);
  if (!profile) throw new ProfileError(diagnostics);
  const loaded = { model: normalize(profile, source), warnings: diagnostics.filter((d) => d.severity === 'warning') };
  last = again ? { text, source, loaded: structuredClone(loaded) } : { text, source };
  return loaded;
}

/** Reads a profile file; unreadable files become located diagnostics, not stack traces. */
export function readProfileText(path: string): string {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new ProfileError([{ severity: 'error', file: path, line: 1, col: 1, path: '', message: 'is a directory', hint: 'Give the path of a YAML profile' }]);
    // A device or FIFO (/dev/zero, a pipe) could be read forever: only regular files are profiles.
    if (!st.isFile()) throw new ProfileError([{ severity: 'error', file: path, line: 1, col: 1, path: '', message: 'is not a regular file (a device, FIFO or socket)', hint: 'Give the path of a YAML profile' }]);
    size = st.size;
  } catch (e) {
    if (e instanceof ProfileError) throw e;
    throw new ProfileError([{ severity: 'error', file: path, line: 1, col: 1, path: '', message: `cannot read the profile: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, hint: 'Check the path, or run `mpgen init -o FILE`' }]);
  }
  if (size > MAX_PROFILE_BYTES)
    throw new ProfileError([{ severity: 'error', file: path, line: 1, col: 1, path: '', message: `the file is ${size} bytes; a profile is at most ${MAX_PROFILE_BYTES} bytes`, hint: 'Is this the right file?' }]);
  const buf = readFileSync(path);
  return new TextDecoder('utf-8', { fatal: false }).decode(buf);
}

export function loadModelFromFile(path: string): Model {
  return loadModelFromText(readProfileText(path), path).model;
}
