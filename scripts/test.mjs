// `npm test` after the build: the suite in two phases, then one "N passed, N failed" line.
//
// Most test files wait on child processes, sockets and timers far more than they compute, so
// they run in parallel (mocha --parallel, one worker per job). The files in .mocharc.serial.json
// run afterwards, alone: they hold the daemon to a bound that a loaded machine would blur (the
// memory and descriptors of a hostile flood, enrolment within 5 s during a guessing flood, a
// p99 while SQLite is locked, a fleet following within a second), or they rebuild dist/ (npm
// start, as the README's first line does) under the other files' feet.
//
// `npx mocha` still runs the whole suite, serially, from .mocharc.json.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const serial = JSON.parse(readFileSync('.mocharc.serial.json', 'utf8')).spec;
// Two cores already gain from three workers: most of a worker's time is spent waiting.
const jobs = Number(process.env.MOCHA_JOBS) || Math.max(3, availableParallelism());

const own = process.env.MOCHA_JSON_SUMMARY === undefined ? mkdtempSync(join(tmpdir(), 'mpa-summary-')) : undefined;
const summary = process.env.MOCHA_JSON_SUMMARY ?? join(own, 'summary.json');
rmSync(summary, { force: true });
const env = { ...process.env, MOCHA_JSON_SUMMARY: summary, MOCHA_SUMMARY_ACCUMULATE: '1' };

const mocha = (args) => spawnSync(process.execPath, ['node_modules/mocha/bin/mocha.js', ...args], { stdio: 'inherit', env }).status ?? 1;

console.log(`Phase 1 of 2: in parallel (${jobs} workers)`);
const parallel = mocha(['--parallel', '--jobs', String(jobs), ...serial.flatMap((file) => ['--ignore', file])]);
console.log(`\nPhase 2 of 2: ${serial.length} files alone (.mocharc.serial.json)`);
const alone = mocha(['--config', '.mocharc.serial.json']);

let counts = { passes: 0, failures: 0, pending: 0 };
try {
  counts = JSON.parse(readFileSync(summary, 'utf8'));
} catch {
  // No summary: mocha failed before reporting; the exit codes below tell.
}
if (own !== undefined) rmSync(own, { recursive: true, force: true });
const failed = counts.failures + (counts.failures === 0 && (parallel !== 0 || alone !== 0) ? 1 : 0);
if (counts.pending > 0) console.log(`\n(${counts.pending} skipped; each printed its reason above)`);
console.log(`\n${counts.passes} passed, ${failed} failed`);
process.exit(parallel !== 0 || alone !== 0 ? 1 : 0);
