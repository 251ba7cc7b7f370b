import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { BosunError, packageRoot } from '../../../core/index.js';
import type { SandboxReport } from '../../../exec/index.js';
import type { AgentContext } from '../../runtime/types.js';
import { ensureVenv } from '../python/venv.js';

/** Time kept back from the run's deadline so the agent reports a script timeout itself. */
const DEADLINE_MARGIN_MS = 2_000;

const failure = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export interface ScriptRun<T> {
  result: T;
  sandbox: SandboxReport;
  durationMs: number;
}

/** The last line of a Python traceback, e.g. `ModuleNotFoundError: No module named 'sklearn'`. */
function exceptionLine(stderr: string): string {
  return stderr.trimEnd().split('\n').at(-1) ?? '';
}

/**
 * Runs one of Bosun's fixed Python scripts (python/<name>) on a JSON config, in the scope's
 * virtual environment (Debian's scikit-learn, pandas and nbclient visible through
 * --system-site-packages), through the sandbox: no network, the run folder the only place it
 * writes, a memory cap and the run's deadline. The script writes its result as JSON to
 * `config.result`; an input problem it found comes back as a BosunError with its message.
 */
export async function runScript<T>(
  ctx: AgentContext,
  script: string,
  runDir: string,
  config: Record<string, unknown>,
  options: { memoryMb: number; readOnly?: string[]; threads?: number },
): Promise<ScriptRun<T>> {
  const venv = await ensureVenv(ctx);
  const resultFile = path.join(runDir, `${path.basename(script, '.py')}-result.json`);
  const configFile = path.join(runDir, `${path.basename(script, '.py')}-config.json`);
  await fs.rm(resultFile, { force: true });
  await fs.writeFile(configFile, JSON.stringify({ ...config, result: resultFile }, null, 2));
  const home = path.join(runDir, '.python');
  await fs.mkdir(home, { recursive: true });
  const scriptPath = path.join(packageRoot(), 'python', script);
  const threads = String(options.threads ?? 1);
  const run = await ctx.exec.runSandboxed(
    [path.join(venv, 'bin', 'python'), '-E', '-s', '-B', scriptPath, configFile],
    {
      workDir: runDir,
      readOnly: [venv, scriptPath, ...(options.readOnly ?? [])],
      memoryMb: options.memoryMb,
      timeoutMs: Math.max(1_000, ctx.timeoutMs - DEADLINE_MARGIN_MS),
      signal: ctx.signal,
      maxOutputBytes: 256 * 1024,
      envAllowlist: ['LANG', 'LC_ALL', 'TZ'],
      // One thread per library unless asked: on a shared machine OpenMP's spinning threads cost more than they give.
      env: {
        HOME: home,
        TMPDIR: home,
        OMP_NUM_THREADS: threads,
        OPENBLAS_NUM_THREADS: threads,
        MPLBACKEND: 'Agg',
        PYDEVD_DISABLE_FILE_VALIDATION: '1',
      },
    },
  );
  const raw = await fs.readFile(resultFile, 'utf8').catch(() => null);
  const parsed: unknown = raw === null ? null : JSON.parse(raw);
  const reported = failure.safeParse(parsed);
  if (reported.success)
    throw new BosunError(reported.data.error.code, reported.data.error.message, { details: { retryable: false } });
  if (run.timedOut)
    throw new BosunError('TIMEOUT', `${script} ran past its ${Math.round(ctx.timeoutMs / 1000)} s budget`, {
      details: { retryable: false },
    });
  if (!run.ok || parsed === null) {
    const exception = exceptionLine(run.stderr);
    if (/ModuleNotFoundError|ImportError/.test(exception))
      throw new BosunError(
        'TOOL_MISSING',
        `${exception} (apt-get install -y python3-sklearn python3-pandas python3-joblib python3-nbclient python3-nbconvert python3-ipykernel)`,
        {
          details: { retryable: false },
        },
      );
    throw new BosunError(
      'SCRIPT_FAILED',
      `${script} ${run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`}: ${exception}`,
      {
        details: { retryable: false },
      },
    );
  }
  return { result: parsed as T, sandbox: run.sandbox, durationMs: run.durationMs };
}
