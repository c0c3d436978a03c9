/** The end-of-batch report on stderr: every failure with its locations, then the counts. */
import { formatDiagnostic } from '../profile/diagnostics.js';
import type { BatchSummary } from './run-batch.js';

/** At most this many located problems per failed profile; the rest are counted. */
const PER_PROFILE = 5;

export function formatBatchSummary(s: BatchSummary, what: { verb: string; out: string }): string {
  const lines: string[] = [];
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
  lines.push(`mpgen: ${what.verb} ${s.ok} of ${s.total} profiles under ${what.out}${s.failures.length ? `; ${s.failures.length} failed, nothing written for them` : ''}`);
  return `${lines.join('\n')}\n`;
}
