import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../../core/index.js';
import { artifactFromFile, completedEnvelope, failedEnvelope, type Artifact } from '../../envelope.js';
import type { AgentContext, AgentExecutor } from '../../runtime/types.js';
import { detectRunner, runnerOfCommand, type Runner } from './detect.js';
import { parseGoJson, parseJunit, parseSummary, type TestResults } from './results.js';

/**
 * The testing agent: test.run finds a repository's test runner from its files (or takes the
 * command), runs the suite in the sandbox with a time and memory limit and no network, and reads
 * the results from JUnit XML where the runner writes it, else from its summary lines. Input
 * fields are those of agents/testing.yaml, validated before run().
 */
interface TestInput {
  repo: string;
  command?: string[];
  timeout_s: number;
  memoryMb: number;
  allowNetwork: boolean;
  env: Record<string, string>;
}

const OUTPUT_CAP = 256 * 1024;
/**
 * V8 reserves tens of GB of address space for WebAssembly memories (not resident), so an
 * address-space limit as small as the memory budget kills Node runners (vitest loads wasm).
 * For them the rlimit is raised to this, and the budget caps V8's heap through NODE_OPTIONS.
 */
const NODE_ADDRESS_SPACE_MB = 32 * 1024;
const NODE_RUNNERS = new Set(['vitest', 'jest', 'npm']);
const TAIL = 8_000;

async function repoDir(ctx: AgentContext, repo: string): Promise<string> {
  const dir = path.resolve(ctx.workDir, repo);
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat?.isDirectory())
    throw new BosunError('INVALID_INPUT', `repo ${repo} is not a folder (resolved to ${dir})`, {
      details: { retryable: false },
    });
  return fs.realpath(dir);
}

function readResults(runner: Runner, stdout: string, stderr: string, junit: string | null): TestResults {
  if (junit !== null) {
    const parsed = parseJunit(junit);
    if (parsed.total > 0) return parsed;
  }
  if (runner.name === 'go') return parseGoJson(stdout);
  return parseSummary(runner.name, `${stdout}\n${stderr}`);
}

const tail = (s: string) => (s.length > TAIL ? `…${s.slice(-TAIL)}` : s);

async function runTests(ctx: AgentContext, input: TestInput) {
  const repo = await repoDir(ctx, input.repo);
  const reportDir = path.join(ctx.workDir, 'test-report');
  await fs.rm(reportDir, { recursive: true, force: true });
  await fs.mkdir(path.join(reportDir, 'home'), { recursive: true });
  const runner: Runner | null = input.command
    ? { name: runnerOfCommand(input.command), argv: input.command, junitFile: null, because: 'the command given' }
    : await detectRunner(repo, reportDir);
  if (!runner) {
    return failedEnvelope({
      code: 'NO_TEST_RUNNER',
      message: `no test runner found in ${repo}: no package.json test script, pytest files, go.mod or Cargo.toml`,
      retryable: false,
    });
  }
  const program = runner.argv[0]!;
  if (!(await ctx.exec.which(program))) {
    return failedEnvelope({
      code: 'TOOL_MISSING',
      message: `${runner.name} tests need ${path.basename(program)}, which is not installed here (found ${runner.because})`,
      retryable: false,
    });
  }

  const timeoutMs = Math.min(input.timeout_s * 1000, Math.max(1_000, ctx.timeoutMs - 2_000));
  ctx.progress({ message: `running ${runner.name} tests in ${repo}` });
  const node = NODE_RUNNERS.has(runner.name);
  // A node_modules that is a link to an installed tree elsewhere (a workspace, a shared store)
  // is what the runner executes: the jail shows it read-only.
  const modules = await fs.realpath(path.join(repo, 'node_modules')).catch(() => null);
  const linkedModules = modules && path.relative(repo, modules).startsWith('..') ? [modules] : [];
  const result = await ctx.exec.runSandboxed(runner.argv, {
    workDir: repo,
    readOnly: linkedModules,
    writable: [reportDir],
    memoryMb: node ? Math.max(input.memoryMb, NODE_ADDRESS_SPACE_MB) : input.memoryMb,
    allowNetwork: input.allowNetwork,
    timeoutMs,
    signal: ctx.signal,
    maxOutputBytes: OUTPUT_CAP,
    env: {
      ...input.env,
      PATH: `${path.join(repo, 'node_modules', '.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: path.join(reportDir, 'home'),
      CI: 'true',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      ...(node ? { NODE_OPTIONS: `--max-old-space-size=${input.memoryMb}` } : {}),
    },
  });
  const junit = runner.junitFile ? await fs.readFile(runner.junitFile, 'utf8').catch(() => null) : null;
  const results = readResults(runner, result.stdout, result.stderr, junit);
  const artifacts: Artifact[] = [];
  if (junit !== null)
    artifacts.push(await artifactFromFile(runner.junitFile!, 'application/xml', 'test-report/junit.xml'));

  const outputs = {
    runner: runner.name,
    command: runner.argv,
    detectedFrom: runner.because,
    ...results,
    exitCode: result.exitCode,
    stdout: tail(result.stdout),
    stderr: tail(result.stderr),
    sandbox: { ...result.sandbox, ...(node ? { nodeHeapLimitMb: input.memoryMb } : {}) },
  };
  const metrics = {
    passed: results.passed,
    failed: results.failed,
    skipped: results.skipped,
    total: results.total,
    runMs: result.durationMs,
  };
  const parts = { outputs, artifacts, metrics };
  if (result.timedOut) {
    return failedEnvelope(
      {
        code: 'TIMEOUT',
        message: `the tests ran longer than ${timeoutMs / 1000} s and were stopped`,
        retryable: false,
      },
      parts,
    );
  }
  const counts = `${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`;
  if (results.failed > 0) {
    const first = results.failures[0];
    const named = first ? `; first: ${first.name}${first.message ? ` — ${first.message.split('\n')[0]}` : ''}` : '';
    return failedEnvelope(
      {
        code: 'TESTS_FAILED',
        message: `${results.failed} of ${results.total} tests failed (${runner.name})${named}`,
        retryable: false,
      },
      { ...parts, summary: `${runner.name}: ${counts}` },
    );
  }
  if (!result.ok) {
    const read = results.source === 'none' ? ', and no results could be read from its output' : '';
    return failedEnvelope(
      { code: 'RUN_FAILED', message: `${runner.name} exited with code ${result.exitCode}${read}`, retryable: false },
      parts,
    );
  }
  return completedEnvelope({ summary: `${runner.name}: ${counts} (read from ${results.source})`, ...parts });
}

export const testingAgent: AgentExecutor = {
  async run(ctx) {
    if (ctx.skillId !== 'test.run') {
      throw new BosunError('INVALID_INPUT', `the testing agent has no skill '${ctx.skillId}'`, {
        details: { retryable: false },
      });
    }
    return runTests(ctx, ctx.input as unknown as TestInput);
  },
};
