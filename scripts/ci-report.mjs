// Reads vitest's JSON report: fails when any test was skipped, pending or todo,
// and prints a plain closing line ("tests: N passed, N failed, N skipped").
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-report.json';
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = [];
for (const f of r.testResults ?? [])
  for (const t of f.assertionResults ?? [])
    if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') skipped.push(`${f.name}: ${t.fullName}`);
const passed = r.numPassedTests ?? 0;
const failed = r.numFailedTests ?? 0;
if (skipped.length) {
  console.error(`ci: ${skipped.length} tests were skipped; CI installs every prerequisite, so none may be:`);
  for (const s of skipped.slice(0, 50)) console.error(`  ${s}`);
}
if (passed === 0) console.error('ci: no test ran');
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped.length} skipped`);
process.exit(failed === 0 && skipped.length === 0 && passed > 0 && r.success !== false ? 0 : 1);
