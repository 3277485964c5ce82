// Mocha's spec reporter, plus a plain "N passed, N failed" line at the end of the run, and a
// JSON copy of the counts for .ci/run when MOCHA_JSON_SUMMARY names a file.
const fs = require('node:fs');
const Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      const line = `${passes} passed, ${failures} failed` + (pending ? `, ${pending} skipped` : '');
      process.stdout.write(`\n${line}\n`);
      const file = process.env.MOCHA_JSON_SUMMARY;
      if (!file) return;
      // scripts/test.mjs runs mocha twice and adds the two runs up.
      const before = process.env.MOCHA_SUMMARY_ACCUMULATE && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
      const sum = (name, value) => (before[name] ?? 0) + value;
      fs.writeFileSync(file, JSON.stringify({ passes: sum('passes', passes), failures: sum('failures', failures), pending: sum('pending', pending) }));
    });
  }
}

module.exports = SpecWithSummary;
