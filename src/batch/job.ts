/**
 * One profile of a batch, start to finish: read, validate, render, then write
 * its tree (render) or its package (package). Failures come back as values,
 * never as exceptions, so one bad profile cannot stop the others. Runs in the
 * main thread or in a worker (worker.ts); the result is plain data.
 */
import { basename, join } from 'node:path';
import { packageFileName, writePackage } from '../app/package-profile.js';
import { getDistro } from '../distros/registry.js';
import { loadModelFromText, readProfileText } from '../model/load.js';
import type { PackageFormat } from '../base/package-formats.js';
import { renderPlan } from '../plan/render.js';
import { ProfileError, type Diagnostic } from '../profile/diagnostics.js';
import { claimName, type ClaimTable } from './claims.js';
import { OutputPathError, writePlanTree } from '../write/write-tree.js';

export interface BatchJob {
  kind: 'render' | 'package';
  distro: string;
  backend?: string;
  /** render: the parent of one directory per profile; package: where the packages go */
  out: string;
  /** render: name each directory after the profile name (default) or the file stem */
  nameBy: 'name' | 'stem';
  /** package only */
  format?: PackageFormat;
  /** every profile of the run, in order: items are their indexes */
  files: string[];
  /** the output names claimed so far in this run, shared by the worker threads (claims.ts) */
  claims: ClaimTable;
}

/** What the caller gives; runBatch adds the file list and the claim table. */
export type BatchJobOptions = Omit<BatchJob, 'files' | 'claims'>;

export interface ItemResult {
  file: string;
  ok: boolean;
  /** what was written: the tree directory, or the package (and its rpmlintrc) */
  outputs: string[];
  /** profile errors with their locations (failures), or warnings (successes) */
  diagnostics: Diagnostic[];
  /** a failure that has no place in the profile (output path, name clash, internal error) */
  message?: string;
  notes: string[];
  /** files added by hand to the replaced tree, which the rewrite removed (the first MAX_REMOVED), and how many in all */
  removed: string[];
  removedCount: number;
}

/** Removed files listed per profile; the rest are counted. */
const MAX_REMOVED = 10;

/**
 * An output directory name of a batch: a letter, digit or "_" first (so never ".", ".." or an
 * option), then letters, digits and "._+-"; no "/", nothing a shell or a terminal reads
 * specially. Profile names always fit; file stems may not.
 */
const OUTPUT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,127}$/;

function outputNameProblem(name: string, nameBy: 'name' | 'stem'): string | undefined {
  if (OUTPUT_NAME.test(name)) return undefined;
  const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
  return nameBy === 'stem'
    ? `the file stem ${shown} cannot name an output directory: a stem must start with a letter, digit or "_", then up to 127 of [A-Za-z0-9._+-]. Rename the file, or use --name-by name`
    : `the profile name ${shown} cannot name an output directory`;
}

const stem = (file: string): string => basename(file).replace(/\.ya?ml$/, '');

/** Claims an output name for this run; returns the file that already holds it, if any. */
function claim(job: BatchJob, outName: string, index: number): string | undefined {
  const holder = claimName(job.claims, outName, index);
  return holder === undefined ? undefined : job.files[holder];
}

export function runJobItem(job: BatchJob, index: number): ItemResult {
  const file = job.files[index]!;
  const res: ItemResult = { file, ok: false, outputs: [], diagnostics: [], notes: [], removed: [], removedCount: 0 };
  try {
    const { model, warnings } = loadModelFromText(readProfileText(file), file);
    res.diagnostics = warnings;
    const plan = renderPlan(model, getDistro(job.distro), job.backend);
    res.notes = plan.notes;
    if (job.kind === 'render') {
      const outName = job.nameBy === 'stem' ? stem(file) : model.name;
      const problem = outputNameProblem(outName, job.nameBy);
      if (problem !== undefined) {
        res.message = problem;
        return res;
      }
      const holder = claim(job, outName, index);
      if (holder !== undefined) {
        res.message = `output directory "${outName}" also belongs to ${holder}; give the profiles distinct ${job.nameBy === 'stem' ? 'file names' : 'names, or use --name-by stem'}`;
        return res;
      }
      const dir = join(job.out, outName);
      const written = writePlanTree(plan, dir, { within: job.out });
      res.outputs.push(dir);
      res.removedCount = written.removed.length;
      res.removed = written.removed.slice(0, MAX_REMOVED).map((p) => join(dir, p));
    } else {
      const format = job.format ?? 'deb';
      const fileName = packageFileName(format, model.package);
      const holder = claim(job, fileName, index);
      if (holder !== undefined) {
        res.message = `package ${fileName} would also come from ${holder}; give the profiles distinct package names`;
        return res;
      }
      res.outputs.push(...writePackage(plan, model.package, format, job.out).paths);
    }
    res.ok = true;
  } catch (e) {
    if (e instanceof ProfileError) res.diagnostics = e.diagnostics;
    else if (e instanceof OutputPathError) res.message = e.message;
    else if ((e as NodeJS.ErrnoException).code && (e as NodeJS.ErrnoException).syscall) res.message = `cannot write the output: ${(e as Error).message}`;
    else res.message = `internal error: ${(e as Error)?.message ?? String(e)} (please report this)`;
  }
  return res;
}
