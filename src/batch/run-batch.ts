/**
 * Many profiles, one process: `mpgen render --batch` and `mpgen package --batch`.
 * Items run in worker threads (one per core) when the bundled CLI runs a batch
 * big enough to pay for starting them, else in this thread. Only failures
 * (and the first few warnings) are kept, so memory does not grow with the
 * number of profiles. Plan notes, which explain the files of one profile, are
 * left to single renders.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { getDistro } from '../distros/registry.js';
import { chooseBackend } from '../plan/render.js';
import type { Diagnostic } from '../profile/diagnostics.js';
import { recoverInterrupted, removeStalePackageTemps } from '../write/interrupted.js';
import { createClaimTable } from './claims.js';
import { runJobItem, type BatchJob, type BatchJobOptions, type ItemResult } from './job.js';

export type { BatchJob, BatchJobOptions, ItemResult } from './job.js';

export interface BatchOptions extends BatchJobOptions {
  files: string[];
  /** worker threads; 0 runs every item in this thread. Default: one per core for batches of 64 or more */
  workers?: number;
  /** called after every item, in completion order */
  onResult?: (r: ItemResult, done: number, failed: number) => void;
}

export interface BatchSummary {
  total: number;
  ok: number;
  failures: ItemResult[];
  /** profile warnings of the profiles that were written (the first MAX_WARNINGS) */
  warnings: Diagnostic[];
  warningCount: number;
  /** files added by hand to replaced trees, which the rewrites removed (the first MAX_REMOVED), and how many in all */
  removed: string[];
  removedCount: number;
  /** trees an interrupted earlier run had moved aside, renamed back before this run wrote anything */
  restored: string[];
}

/** The worker entry emitted beside the bundle by scripts/build.mjs. */
declare const __MPGEN_BUNDLED__: boolean | undefined;
const WORKER_FILE = 'mpgen-batch-worker.cjs';
const CHUNK = 16;

function workerUrl(): URL | undefined {
  if (typeof __MPGEN_BUNDLED__ === 'undefined') return undefined;
  const url = new URL(`./${WORKER_FILE}`, import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

const MAX_WARNINGS = 10;
const MAX_REMOVED = 20;

export async function runBatch(opts: BatchOptions): Promise<BatchSummary> {
  // Usage errors (unknown distro or backend) throw here, before any item runs.
  chooseBackend(getDistro(opts.distro), opts.backend);
  const { files, workers: wanted, onResult, ...rest } = opts;
  mkdirSync(rest.out, { recursive: true });
  // before any item writes: put back trees a killed run left moved aside, remove its staging
  // (or the half-written packages of a killed package --batch)
  const restored = rest.kind === 'render' ? recoverInterrupted(rest.out).restored : [];
  if (rest.kind === 'package') removeStalePackageTemps(rest.out);
  const job: BatchJob = { ...rest, files, claims: createClaimTable(files.length) };
  const summary: BatchSummary = { total: files.length, ok: 0, failures: [], warnings: [], warningCount: 0, removed: [], removedCount: 0, restored };
  let done = 0;
  const take = (r: ItemResult): void => {
    done++;
    if (r.ok) summary.ok++;
    else summary.failures.push(r);
    summary.removedCount += r.removedCount;
    for (const p of r.removed) if (summary.removed.length < MAX_REMOVED) summary.removed.push(p);
    if (r.ok)
      for (const d of r.diagnostics) {
        summary.warningCount++;
        if (summary.warnings.length < MAX_WARNINGS) summary.warnings.push(d);
      }
    onResult?.(r, done, summary.failures.length);
  };
  const url = workerUrl();
  const n = wanted ?? (files.length >= 64 ? availableParallelism() : 0);
  if (n <= 0 || !url) for (let i = 0; i < files.length; i++) take(runJobItem(job, i));
  else await inWorkers(url, Math.min(n, Math.ceil(files.length / CHUNK)), job, take);
  return summary;
}

function inWorkers(url: URL, n: number, job: BatchJob, take: (r: ItemResult) => void): Promise<void> {
  const total = job.files.length;
  return new Promise((resolve, reject) => {
    let next = 0;
    let running = n;
    let failed = false;
    const pool: Worker[] = [];
    const feed = (w: Worker): void => {
      if (next >= total) {
        void w.terminate();
        if (--running === 0 && !failed) resolve();
        return;
      }
      w.postMessage([next, Math.min(next + CHUNK, total)]);
      next += CHUNK;
    };
    for (let i = 0; i < n; i++) {
      const w = new Worker(url, { workerData: job });
      pool.push(w);
      w.on('message', (results: ItemResult[]) => {
        for (const r of results) take(r);
        feed(w);
      });
      w.on('error', (e) => {
        failed = true;
        for (const p of pool) void p.terminate();
        reject(e);
      });
      feed(w);
    }
  });
}
