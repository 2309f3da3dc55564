// Runs the whole vitest suite, then prints one plain summary line ("N passed, N failed") that CI
// reads regardless of the reporter.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = join(mkdtempSync(join(tmpdir(), 'careedge-vitest-')), 'results.json');
const run = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
let summary = 'no results';
try {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed`;
  if (r.numTotalTests === 0) run.status = 1;
} catch {
  run.status ||= 1;
}
console.log(`\nTests: ${summary}`);
process.exit(run.status ?? 1);
