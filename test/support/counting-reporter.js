'use strict';
// Mocha's own summary is not read by CI: this reporter prints the usual spec output and appends
// {passes, failures, pending} to $TEST_SUMMARY_FILE so scripts/test.sh can print one "N passed, N failed" line.
const fs = require('node:fs');
const Mocha = require('mocha');

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.TEST_SUMMARY_FILE;
      if (!file) return;
      const { passes, failures, pending } = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      fs.appendFileSync(file, `${JSON.stringify({ suite: process.env.TEST_SUITE_NAME ?? 'mocha', passes, failures, pending })}\n`);
    });
  }
}

module.exports = CountingReporter;
