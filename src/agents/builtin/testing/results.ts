import { XMLParser } from 'fast-xml-parser';
import type { RunnerName } from './detect.js';

/** A test run's counts and its failing tests, from JUnit XML, go's JSON events or a runner's summary lines. */
export interface TestFailure {
  name: string;
  message: string;
}

export interface TestResults {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
  failures: TestFailure[];
  /** Where the numbers were read from. */
  source: 'junit' | 'go-json' | 'summary' | 'none';
}

const MAX_FAILURES = 50;
const MAX_MESSAGE = 2_000;

const clip = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s).trim();
const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

interface JunitCase {
  '@_name'?: string;
  '@_classname'?: string;
  failure?: unknown;
  error?: unknown;
  skipped?: unknown;
}
interface JunitSuite {
  testcase?: JunitCase | JunitCase[];
  testsuite?: JunitSuite | JunitSuite[];
}

function messageOf(node: unknown): string {
  const first = asArray(node)[0];
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object') {
    const o = first as Record<string, unknown>;
    return String(o['@_message'] ?? o['#text'] ?? '');
  }
  return '';
}

/** Test cases of any nesting of `<testsuites>`/`<testsuite>` (pytest, vitest and node:test write different shapes). */
export function parseJunit(xml: string): TestResults {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' }).parse(xml) as Record<
    string,
    unknown
  >;
  const cases: JunitCase[] = [];
  const walk = (suite: JunitSuite) => {
    cases.push(...asArray(suite.testcase));
    asArray(suite.testsuite).forEach(walk);
  };
  walk({ testsuite: asArray(doc.testsuites as JunitSuite | undefined).concat(asArray(doc.testsuite as JunitSuite)) });
  const results: TestResults = { passed: 0, failed: 0, skipped: 0, total: cases.length, failures: [], source: 'junit' };
  for (const c of cases) {
    const problem = c.failure ?? c.error;
    if (problem !== undefined) {
      results.failed++;
      const name = [c['@_classname'], c['@_name']].filter(Boolean).join(' › ');
      if (results.failures.length < MAX_FAILURES) results.failures.push({ name, message: clip(messageOf(problem)) });
    } else if (c.skipped !== undefined) results.skipped++;
    else results.passed++;
  }
  return results;
}

/** `go test -json`: one event per line; a test's output lines precede its fail event. */
export function parseGoJson(stdout: string): TestResults {
  const results: TestResults = { passed: 0, failed: 0, skipped: 0, total: 0, failures: [], source: 'go-json' };
  const output = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    let event: { Action?: string; Test?: string; Package?: string; Output?: string };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      continue;
    }
    if (!event.Test) continue;
    const key = `${event.Package}.${event.Test}`;
    if (event.Action === 'output') output.set(key, [...(output.get(key) ?? []), event.Output ?? '']);
    else if (event.Action === 'pass') results.passed++;
    else if (event.Action === 'skip') results.skipped++;
    else if (event.Action === 'fail') {
      results.failed++;
      const message = (output.get(key) ?? []).filter((l) => !/^(=== RUN|--- FAIL)/.test(l)).join('');
      if (results.failures.length < MAX_FAILURES) results.failures.push({ name: key, message: clip(message) });
    }
  }
  results.total = results.passed + results.failed + results.skipped;
  return results;
}

const count = (text: string, pattern: RegExp) => {
  let last: RegExpExecArray | null = null;
  for (const m of text.matchAll(new RegExp(pattern, 'gm'))) last = m;
  return last ? Number(last[1]) : 0;
};

/** The counts from the summary lines each runner prints, and the failing names where the output shows them. */
export function parseSummary(runner: RunnerName, output: string): TestResults {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
  const text = output.replace(/\x1b\[[0-9;]*m/g, '');
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures: TestFailure[] = [];
  switch (runner) {
    case 'pytest': {
      const line =
        [
          ...text.matchAll(
            /^=*\s*(\d+ (passed|failed|skipped|error|errors|xfailed|xpassed|deselected).*) in [\d.]+s/gm,
          ),
        ].at(-1)?.[1] ?? '';
      passed = count(line, /(\d+) passed/);
      failed = count(line, /(\d+) failed/) + count(line, /(\d+) errors?/);
      skipped = count(line, /(\d+) skipped/);
      for (const m of text.matchAll(/^(?:FAILED|ERROR) (\S+)(?: - (.*))?$/gm))
        failures.push({ name: m[1]!, message: clip(m[2] ?? '') });
      break;
    }
    case 'vitest':
    case 'jest': {
      const line = [...text.matchAll(/^\s*Tests:?\s+(.*)$/gm)].at(-1)?.[1] ?? '';
      passed = count(line, /(\d+) passed/);
      failed = count(line, /(\d+) failed/);
      skipped = count(line, /(\d+) skipped/) + count(line, /(\d+) todo/);
      for (const m of text.matchAll(/^\s*(?:FAIL|●)\s+(.+?)\s*$/gm)) failures.push({ name: m[1]!, message: '' });
      break;
    }
    case 'cargo': {
      for (const m of text.matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/gm)) {
        passed += Number(m[1]);
        failed += Number(m[2]);
        skipped += Number(m[3]);
      }
      for (const m of text.matchAll(/^---- (\S+) stdout ----\n([\s\S]*?)(?=\n\n|^----)/gm))
        failures.push({ name: m[1]!, message: clip(m[2]!) });
      break;
    }
    default: {
      // node:test (TAP when not on a terminal, or its spec reporter), then mocha's "N passing".
      passed = count(text, /^(?:#|ℹ) pass (\d+)/) || count(text, /^\s*(\d+) passing/);
      failed = count(text, /^(?:#|ℹ) fail (\d+)/) || count(text, /^\s*(\d+) failing/);
      skipped =
        count(text, /^(?:#|ℹ) skipped (\d+)/) + count(text, /^(?:#|ℹ) todo (\d+)/) || count(text, /^\s*(\d+) pending/);
      failures.push(...tapFailures(text));
    }
  }
  const total = passed + failed + skipped;
  return {
    passed,
    failed,
    skipped,
    total,
    failures: failures.slice(0, MAX_FAILURES),
    source: total ? 'summary' : 'none',
  };
}

/** TAP's `not ok 2 - name`, with the `error:` of the YAML block under it (node:test writes one, often as a `|-` block). */
function tapFailures(text: string): TestFailure[] {
  const failures: TestFailure[] = [];
  let current: TestFailure | null = null;
  let block: { indent: number; lines: string[] } | null = null;
  const endBlock = () => {
    if (block && current) current.message = clip(block.lines.join('\n'));
    block = null;
  };
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (block) {
      if (line.trim() === '' || indent > block.indent) {
        block.lines.push(line.trim());
        continue;
      }
      endBlock();
    }
    const result = /^\s*(not ok|ok) \d+ - (.+?)(?: # .*)?$/.exec(line);
    if (result) {
      current = result[1] === 'not ok' ? { name: result[2]!, message: '' } : null;
      if (current) failures.push(current);
      continue;
    }
    const error = /^\s*error: (.*)$/.exec(line);
    if (!error || !current || current.message) continue;
    if (/^[|>][-+]?$/.test(error[1]!)) block = { indent, lines: [] };
    else current.message = clip(error[1]!.replace(/^'|'$/g, ''));
  }
  endBlock();
  return failures;
}
