/**
 * The end-of-batch report on stderr: the paths left out of the batch, trees put back after an
 * interrupted run, files added by hand that the rewritten trees no longer hold, every failure with its locations, then
 * the counts. Every line goes through printable(): file names and messages come from outside.
 */
import { formatDiagnostic } from '../profile/diagnostics.js';
import type { BatchSummary } from './run-batch.js';
import type { SkippedSource } from './sources.js';
import { printable } from '../base/printable.js';

/** At most this many located problems per failed profile; the rest are counted. */
const PER_PROFILE = 5;
/** At most this many skipped inputs; the rest are counted. */
const MAX_SKIPPED = 20;

export function formatBatchSummary(s: BatchSummary, what: { verb: string; out: string; skipped?: SkippedSource[] }): string {
  const lines: string[] = [];
  const skipped = what.skipped ?? [];
  for (const k of skipped.slice(0, MAX_SKIPPED)) lines.push(`mpgen: skipped ${k.path}: ${k.reason}`);
  if (skipped.length > MAX_SKIPPED) lines.push(`mpgen: ... and ${skipped.length - MAX_SKIPPED} more paths skipped`);
  for (const t of s.restored) lines.push(`mpgen: restored ${t}, which an interrupted run had moved aside`);
  for (const p of [...s.removed].sort()) lines.push(`mpgen: removed ${p} (not in the plan)`);
  if (s.removedCount > s.removed.length) lines.push(`mpgen: ... and ${s.removedCount - s.removed.length} more files removed (not in their plans)`);
  for (const w of s.warnings) lines.push(formatDiagnostic({ ...w, sourceLine: undefined }));
  if (s.warningCount > s.warnings.length) lines.push(`mpgen: ... and ${s.warningCount - s.warnings.length} more warnings`);
  if (s.failures.length > 0) {
    lines.push(`mpgen: ${s.failures.length} of ${s.total} profiles failed:`);
    const sorted = [...s.failures].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    for (const f of sorted) {
      if (f.message) lines.push(`  ${f.file}: ${f.message}`);
      const errors = f.diagnostics.filter((d) => d.severity === 'error');
      for (const d of errors.slice(0, PER_PROFILE)) lines.push(`  ${formatDiagnostic({ ...d, sourceLine: undefined })}`);
      if (errors.length > PER_PROFILE) lines.push(`  ${f.file}: ... and ${errors.length - PER_PROFILE} more errors (mpgen validate -p ${f.file})`);
    }
  }
  const refused = skipped.filter((k) => k.refused).length;
  lines.push(
    `mpgen: ${what.verb} ${s.ok} of ${s.total} profiles under ${what.out}${s.failures.length ? `; ${s.failures.length} failed, nothing written for them` : ''}${refused ? `; ${refused} ${refused === 1 ? 'path' : 'paths'} refused` : ''}`,
  );
  return `${lines.map(printable).join('\n')}\n`;
}
