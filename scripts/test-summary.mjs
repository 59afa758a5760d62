#!/usr/bin/env node
// Prints `tests: N passed, N failed[, N skipped]` from Vitest's JSON report, the line CI
// reads. Exits 1 when the report is missing or counts a failure.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.reports/vitest.json';
if (!existsSync(file)) {
  console.log('tests: 0 passed, 1 failed');
  console.error(`test-summary: no test report at ${file} (the test run did not get that far)`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const passed = report.numPassedTests ?? 0;
// Suites that failed to load count as failures even when no test inside them ran.
const failedSuites = (report.testResults ?? []).filter(
  (r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0,
).length;
const failed = (report.numFailedTests ?? 0) + failedSuites;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
