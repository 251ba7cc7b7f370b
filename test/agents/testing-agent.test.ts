import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, type AgentRegistry } from '../../src/agents/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface TestOutputs {
  runner: string;
  command: string[];
  passed: number;
  failed: number;
  skipped: number;
  total: number;
  failures: { name: string; message: string }[];
  source: string;
}

/** Writes a tiny project: files by relative path. */
function project(root: string, name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

describe('the testing agent', () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  let scratch: string;
  const run = async (input: Record<string, unknown>) => {
    const workDir = fs.mkdtempSync(path.join(scratch, 'task-'));
    const envelope = await executeAgent({
      registry,
      agentId: 'testing',
      skillId: 'test.run',
      input,
      workDir,
      scope: 'tests',
      noCache: true,
    });
    return { envelope, outputs: envelope.outputs as unknown as TestOutputs, workDir };
  };

  beforeAll(async () => {
    f = await agentsFixture();
    registry = await f.open();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-testing-'));
  });
  afterAll(async () => {
    await f.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('detects pytest, runs it and reads the JUnit XML: counts, the failing test and its message', async () => {
    const repo = project(scratch, 'py', {
      'tests/test_maths.py': [
        'import pytest',
        'def test_adds(): assert 1 + 1 == 2',
        'def test_multiplies(): assert 2 * 3 == 6',
        'def test_broken(): assert 2 * 2 == 5, "arithmetic is broken"',
        '@pytest.mark.skip(reason="not today")',
        'def test_later(): pass',
        '',
      ].join('\n'),
    });
    const { envelope, outputs, workDir } = await run({ repo });
    expect(envelope.status).toBe('failed');
    expect(envelope.error).toMatchObject({ code: 'TESTS_FAILED', retryable: false });
    expect(envelope.error!.message).toMatch(/^1 of 4 tests failed \(pytest\); first: tests\.test_maths › test_broken/);
    expect(outputs).toMatchObject({ runner: 'pytest', passed: 2, failed: 1, skipped: 1, total: 4, source: 'junit' });
    expect(outputs.failures).toEqual([
      { name: 'tests.test_maths › test_broken', message: expect.stringContaining('arithmetic is broken') },
    ]);
    expect(envelope.artifacts.map((a) => a.name)).toEqual(['test-report/junit.xml']);
    expect(fs.existsSync(path.join(workDir, 'test-report', 'junit.xml'))).toBe(true);
  }, 60_000);

  it("runs a node:test project through its npm test script and reads node's summary", async () => {
    const repo = project(scratch, 'node', {
      'package.json': JSON.stringify({ name: 'tiny', private: true, scripts: { test: 'node --test' } }),
      'sum.test.js': [
        "const test = require('node:test');",
        "const assert = require('node:assert');",
        "test('adds', () => assert.strictEqual(1 + 1, 2));",
        "test('subtracts', () => assert.strictEqual(3 - 1, 2));",
        "test('is wrong', () => assert.strictEqual(1 + 1, 3));",
        '',
      ].join('\n'),
    });
    const { envelope, outputs } = await run({ repo });
    expect(envelope.status).toBe('failed');
    expect(outputs).toMatchObject({
      runner: 'npm',
      command: ['npm', 'test'],
      passed: 2,
      failed: 1,
      skipped: 0,
      source: 'summary',
    });
    expect(outputs.failures).toEqual([{ name: 'is wrong', message: expect.stringContaining('strictly equal') }]);
  }, 60_000);

  it('detects vitest from package.json and reports a passing suite as completed', async () => {
    const repo = project(scratch, 'vite', {
      'package.json': JSON.stringify({
        name: 'tiny-vitest',
        private: true,
        type: 'module',
        scripts: { test: 'vitest' },
      }),
      'math.test.js': [
        "import { expect, it } from 'vitest';",
        "it('adds', () => expect(1 + 1).toBe(2));",
        "it('concatenates', () => expect('a' + 'b').toBe('ab'));",
        "it.skip('waits', () => {});",
        '',
      ].join('\n'),
    });
    // Offline: the project borrows this repository's installed vitest.
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(repo, 'node_modules'));
    const { envelope, outputs } = await run({ repo });
    expect(envelope.status, envelope.summary).toBe('completed');
    expect(outputs).toMatchObject({ runner: 'vitest', passed: 2, failed: 0, skipped: 1, total: 3, source: 'junit' });
    expect(envelope.summary).toBe('vitest: 2 passed, 0 failed, 1 skipped (read from junit)');
  }, 90_000);

  it('says so when no runner can be found', async () => {
    const repo = project(scratch, 'empty', { 'README.md': '# nothing to test\n' });
    const { envelope } = await run({ repo });
    expect(envelope.status).toBe('failed');
    expect(envelope.error!.code).toBe('NO_TEST_RUNNER');
  });

  it('runs a given command without a shell and stops it at timeout_s', async () => {
    const repo = project(scratch, 'slow', { 'test_slow.py': 'import time\ndef test_sleeps(): time.sleep(30)\n' });
    const started = Date.now();
    const { envelope } = await run({ repo, command: ['python3', '-m', 'pytest', '-q'], timeout_s: 2 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(envelope.error).toMatchObject({ code: 'TIMEOUT' });
  }, 30_000);
});

describe('reading test results from runners that write no JUnit XML here', () => {
  it('reads cargo, jest and go test output', async () => {
    const { parseSummary, parseGoJson } = await import('../../src/agents/builtin/testing/results.js');
    const cargo = parseSummary(
      'cargo',
      [
        'running 3 tests',
        'test tests::adds ... ok',
        'test tests::breaks ... FAILED',
        'test tests::later ... ignored',
        '',
        'failures:',
        '',
        '---- tests::breaks stdout ----',
        "thread 'tests::breaks' panicked at src/lib.rs:9:9:",
        'assertion `left == right` failed',
        '',
        'test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s',
      ].join('\n'),
    );
    expect(cargo).toMatchObject({ passed: 1, failed: 1, skipped: 1, total: 3, source: 'summary' });
    expect(cargo.failures[0]).toEqual({
      name: 'tests::breaks',
      message: expect.stringContaining('panicked at src/lib.rs:9:9'),
    });

    const jest = parseSummary('jest', 'FAIL src/a.test.js\nTests:       1 failed, 4 passed, 5 total\n');
    expect(jest).toMatchObject({ passed: 4, failed: 1, skipped: 0, failures: [{ name: 'src/a.test.js' }] });

    const events = [
      { Action: 'run', Package: 'x', Test: 'TestA' },
      { Action: 'pass', Package: 'x', Test: 'TestA' },
      { Action: 'output', Package: 'x', Test: 'TestB', Output: '    x_test.go:8: want 3, got 2\n' },
      { Action: 'fail', Package: 'x', Test: 'TestB' },
      { Action: 'skip', Package: 'x', Test: 'TestC' },
    ];
    const go = parseGoJson(events.map((e) => JSON.stringify(e)).join('\n'));
    expect(go).toMatchObject({ passed: 1, failed: 1, skipped: 1, total: 3 });
    expect(go.failures).toEqual([{ name: 'x.TestB', message: 'x_test.go:8: want 3, got 2' }]);
  });
});
