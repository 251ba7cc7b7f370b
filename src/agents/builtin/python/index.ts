import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../../core/index.js';
import {
  artifactFromFile,
  completedEnvelope,
  failedEnvelope,
  mediaTypeOf,
  sha256File,
  type ResultEnvelope,
} from '../../envelope.js';
import type { AgentContext, AgentExecutor } from '../../runtime/types.js';
import { taskFile } from '../task-file.js';
import { PYTHON_BOOTSTRAP } from './bootstrap.js';
import { changedFiles, MAX_LISTED_FILES, snapshotFiles } from './files.js';
import { baseInstallation, ensureVenv, installRequirements } from './venv.js';

/**
 * The Python agent: python.run runs an inline snippet or a file (with arguments) in the scope's
 * virtual environment, in the task's folder, inside exec's sandbox (the task folder writable, the
 * environment read-only, no network unless allowed, memory and processes capped for the whole
 * run), under a timeout and an output cap. Input fields are those of agents/python.yaml,
 * validated before run().
 */
interface PythonInput {
  code?: string;
  file?: string;
  args: string[];
  stdin?: string;
  requirements: string[];
  timeoutSeconds?: number;
  memoryMb: number;
  maxProcesses: number;
  maxOutputBytes: number;
  allowNetwork: boolean;
  env: Record<string, string>;
}

/** Time kept back from the run's deadline so the agent reports a script timeout itself. */
const DEADLINE_MARGIN_MS = 2_000;

const SCRIPT_HINT = 'copy the script into the task folder, or pass it inline as code';

/** A JSON object or array on the last line of stdout is the script's result. */
function lastLineJson(stdout: string): unknown {
  const last = stdout.trimEnd().split('\n').at(-1)?.trim() ?? '';
  if (!/^[[{]/.test(last)) return null;
  try {
    return JSON.parse(last) as unknown;
  } catch {
    return null;
  }
}

/** `ZeroDivisionError: division by zero`, the last line of a traceback. */
function exceptionLine(stderr: string): string | null {
  const last = stderr.trimEnd().split('\n').at(-1) ?? '';
  return /^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit|Warning)\b/.test(last) ? last : null;
}

async function runPython(ctx: AgentContext, input: PythonInput): Promise<ResultEnvelope> {
  if ((input.code === undefined) === (input.file === undefined)) {
    throw new BosunError(
      'INVALID_INPUT',
      'give either code (an inline snippet) or file (a script in the task folder)',
      { details: { retryable: false } },
    );
  }
  const script = input.file !== undefined ? await taskFile(ctx.workDir, input.file, 'script', SCRIPT_HINT) : null;
  const venv = await ensureVenv(ctx);
  await installRequirements(ctx, venv, input.requirements);
  const budgetMs = Math.max(1_000, ctx.timeoutMs - DEADLINE_MARGIN_MS);
  const timeoutMs = Math.min(budgetMs, (input.timeoutSeconds ?? Infinity) * 1000);
  const memoryBytes = input.memoryMb * 1024 * 1024;
  const home = path.join(ctx.workDir, '.python', 'home');
  const tmp = path.join(ctx.workDir, '.python', 'tmp');
  await fs.mkdir(home, { recursive: true });
  await fs.mkdir(tmp, { recursive: true });
  const before = await snapshotFiles(ctx.workDir);

  const python = path.join(venv, 'bin', 'python');
  const base = await baseInstallation(venv);
  // -E: ignore PYTHON* variables, -s: no user site-packages, -u: unbuffered, -B: no .pyc files.
  const argv = [
    python,
    '-E',
    '-s',
    '-u',
    '-B',
    '-c',
    PYTHON_BOOTSTRAP,
    String(memoryBytes),
    script ? 'file' : 'code',
    script ?? input.code!,
    ...input.args,
  ];
  ctx.progress({ message: script ? `running ${path.basename(script)}` : 'running the snippet' });
  const result = await ctx.exec.runSandboxed(argv, {
    workDir: ctx.workDir,
    readOnly: base ? [venv, base] : [venv],
    allowNetwork: input.allowNetwork,
    memoryMb: input.memoryMb,
    maxProcesses: input.maxProcesses,
    timeoutMs,
    signal: ctx.signal,
    maxOutputBytes: input.maxOutputBytes,
    ...(input.stdin !== undefined ? { input: input.stdin } : {}),
    envAllowlist: ['LANG', 'LC_ALL', 'LC_CTYPE', 'TZ'],
    env: {
      ...input.env,
      PATH: `${path.join(venv, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: home,
      TMPDIR: tmp,
      VIRTUAL_ENV: venv,
    },
  });

  const written = changedFiles(before, await snapshotFiles(ctx.workDir));
  const artifacts = await Promise.all(
    written
      .slice(0, MAX_LISTED_FILES)
      .map((rel) => artifactFromFile(path.join(ctx.workDir, rel), mediaTypeOf(rel), rel)),
  );
  const exception = result.ok ? null : exceptionLine(result.stderr);
  const outputs = {
    exitCode: result.exitCode,
    signal: result.signal,
    result: result.ok ? lastLineJson(result.stdout) : null,
    stdout: result.stdout,
    stderr: result.stderr,
    stdoutBytes: result.stdoutBytes,
    stderrBytes: result.stderrBytes,
    stdoutTruncated: result.stdoutTruncated,
    stderrTruncated: result.stderrTruncated,
    files: written,
    exception,
    sandbox: {
      ...result.sandbox,
      scope: ctx.scope,
      timeoutSeconds: timeoutMs / 1000,
      outputCapBytes: input.maxOutputBytes,
    },
  };
  const metrics = {
    exitCode: result.exitCode ?? -1,
    runMs: result.durationMs,
    filesWritten: written.length,
    stdoutBytes: result.stdoutBytes,
  };
  const parts = { outputs, artifacts, metrics };
  if (result.ok) {
    const files = written.length ? `, wrote ${written.length} file${written.length > 1 ? 's' : ''}` : '';
    return completedEnvelope({
      summary: `python finished in ${(result.durationMs / 1000).toFixed(1)} s${files}`,
      ...parts,
    });
  }
  if (result.timedOut) {
    return failedEnvelope(
      {
        code: 'TIMEOUT',
        message: `the script ran longer than ${timeoutMs / 1000} s and was stopped`,
        retryable: false,
      },
      parts,
    );
  }
  if (result.aborted)
    return failedEnvelope({ code: 'CANCELED', message: 'the script was stopped', retryable: true }, parts);
  if (exception?.startsWith('MemoryError') || result.sandbox.oomKilled) {
    return failedEnvelope(
      { code: 'MEMORY_LIMIT', message: `the script ran out of its ${input.memoryMb} MB of memory`, retryable: false },
      parts,
    );
  }
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
  return failedEnvelope(
    { code: 'SCRIPT_FAILED', message: `the script ${how}${exception ? `: ${exception}` : ''}`, retryable: false },
    parts,
  );
}

export const pythonAgent: AgentExecutor = {
  async run(ctx) {
    if (ctx.skillId !== 'python.run') {
      throw new BosunError('INVALID_INPUT', `the python agent has no skill '${ctx.skillId}'`, {
        details: { retryable: false },
      });
    }
    return runPython(ctx, ctx.input as unknown as PythonInput);
  },
  // Another scope is another environment; the same file name with other content is another script.
  async cacheFingerprint(ctx) {
    const file = (ctx.input as unknown as PythonInput).file;
    const script = file === undefined ? null : await taskFile(ctx.workDir, file, 'script').catch(() => null);
    return { scope: ctx.scope, script: script ? await sha256File(script) : null };
  },
};
