import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with the plain `N passed, N failed` line (plus skipped) that CI reads. Counted
 * when the run ends, printed in onFinished: that is where vitest's own summary is printed, and
 * this reporter comes after it.
 */
export default class SummaryReporter implements Reporter {
  private line = '';

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const mod of modules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
      // A file that failed to load has no tests but must not read as green.
      if (mod.state() === 'failed' && ![...mod.children.allTests()].length) counts.failed++;
    }
    const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
    this.line = `${counts.passed} passed, ${counts.failed} failed${skipped}`;
  }

  onFinished(): void {
    if (this.line) process.stdout.write(`\n${this.line}\n`);
  }
}
