/** The CLI side of `--batch` (render and package): input files, progress bar, summary, exit code. Loaded lazily. */
import { UnknownDistroError } from '../../distros/registry.js';
import { BackendChoiceError } from '../../plan/render.js';
import { BatchInputError, expandBatchSources, type SkippedSource } from '../../batch/sources.js';
import { progressBar } from '../../batch/progress.js';
import { runBatch, type BatchJobOptions } from '../../batch/run-batch.js';
import { formatBatchSummary } from '../../batch/summary.js';
import { writeErrorMessage } from '../../write/write-errors.js';
import { UserError } from '../../base/user-error.js';

export interface BatchCliOptions extends BatchJobOptions {
  spec: string;
  jobs?: string;
}

export async function runBatchCli(o: BatchCliOptions): Promise<void> {
  let files: string[];
  let skipped: SkippedSource[];
  try {
    ({ files, skipped } = expandBatchSources(o.spec));
  } catch (e) {
    if (e instanceof BatchInputError) throw new UserError(`mpgen: ${e.message}`, 1);
    throw e;
  }
  let workers: number | undefined;
  if (o.jobs !== undefined) {
    if (!/^\d{1,3}$/.test(o.jobs)) throw new UserError(`mpgen: --jobs ${o.jobs}: expected a whole number (0 runs in one thread)`, 2);
    workers = Number(o.jobs);
  }
  const { spec: _spec, jobs: _jobs, ...job } = o;
  const bar = progressBar(process.stderr, job.kind === 'render' ? 'rendering' : 'packaging');
  let summary;
  try {
    summary = await runBatch({
      ...job,
      files,
      workers,
      onResult: (r, done, failed) => {
        for (const p of r.outputs) process.stdout.write(`${p}\n`);
        bar.update(done, files.length, failed);
      },
    });
  } catch (e) {
    if (e instanceof UnknownDistroError || e instanceof BackendChoiceError) throw new UserError(`mpgen: ${e.message}`, 2);
    const message = writeErrorMessage(e, o.out, 'parent');
    if (message !== undefined) throw new UserError(`mpgen: ${message}`, 1);
    throw e;
  } finally {
    bar.end();
  }
  process.stderr.write(formatBatchSummary(summary, { verb: job.kind === 'render' ? 'rendered' : 'packaged', out: job.out, skipped }));
  if (summary.failures.length > 0 || skipped.some((k) => k.refused)) process.exitCode = 1;
}
