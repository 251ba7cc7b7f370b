import fs from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { z } from 'zod';
import { BosunError, parseWith } from '../core/index.js';
import { CappedOutput, LineSplitter } from './capture.js';
import { buildChildEnv } from './env.js';
import { terminateGroup, trackGroup, untrackGroup } from './reaper.js';

export interface RunOptions {
  cwd?: string;
  /** Extra variables, added on top of the allowlist; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  /** Names copied from process.env; default DEFAULT_ENV_ALLOWLIST. */
  envAllowlist?: string[];
  /** Pass the whole process.env (default false). */
  inheritEnv?: boolean;
  /** Default 60_000; 0 = none. */
  timeoutMs?: number;
  /** SIGTERM → SIGKILL delay, default 2_000. */
  killGraceMs?: number;
  /** Per stream, default 1 MiB. */
  maxOutputBytes?: number;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string | Buffer;
  uid?: number;
  gid?: number;
  signal?: AbortSignal;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
}

export interface RunResult {
  command: string;
  args: string[];
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** Raw text (final newline kept), capped: head + "\n…[N bytes omitted]…\n" + tail. */
  stdout: string;
  stderr: string;
  /** Total bytes produced. */
  stdoutBytes: number;
  stderrBytes: number;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  timedOut: boolean;
  aborted: boolean;
  /** exitCode === 0 && !timedOut && !aborted */
  ok: boolean;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_KILL_GRACE_MS = 2_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * How long stdout/stderr may stay open after the child itself exited. Past it, something else
 * holds them (a background grandchild, a daemon that kept our pipes): we stop waiting, and kill
 * what is left in the child's group.
 */
const STRAGGLER_MS = 1_000;

/** setTimeout's upper bound. */
const MAX_TIMER_MS = 2_147_483_647;

// NUL cannot pass through execve; zod says so before spawn fails with a vaguer error.
const noNul = z.string().refine((s) => !s.includes('\0'), 'must not contain NUL bytes');
const envName = z.string().regex(/^[^=\0]+$/, 'not a valid environment variable name');
const isFunction = (v: unknown): boolean => typeof v === 'function';

const argvSchema = z.object({
  command: noNul.pipe(z.string().min(1, 'the command is empty')),
  args: z.array(noNul),
});

const runOptionsSchema = z
  .object({
    cwd: z.string().min(1).optional(),
    env: z.record(envName, noNul.optional()).optional(),
    envAllowlist: z.array(envName).optional(),
    inheritEnv: z.boolean().optional(),
    timeoutMs: z.number().int().min(0).max(MAX_TIMER_MS).optional(),
    killGraceMs: z.number().int().min(0).max(MAX_TIMER_MS).optional(),
    maxOutputBytes: z.number().int().min(0).optional(),
    input: z.union([z.string(), z.custom<Buffer>((v) => Buffer.isBuffer(v), 'expected a Buffer')]).optional(),
    uid: z.number().int().min(0).optional(),
    gid: z.number().int().min(0).optional(),
    signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, 'expected an AbortSignal').optional(),
    onStdoutLine: z.custom<(line: string) => void>(isFunction, 'expected a function').optional(),
    onStderrLine: z.custom<(line: string) => void>(isFunction, 'expected a function').optional(),
  })
  .strict();

/** Quotes a command line for messages only; nothing is ever run through a shell. */
export function formatCommand(command: string, args: readonly string[]): string {
  return [command, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Runs `command` with `args` (no shell) in its own process group, capturing capped output.
 * Never throws for a non-zero exit; throws BosunError('TOOL_MISSING') when the command is not
 * found, INVALID_INPUT for bad options or a missing cwd, EXEC_FAILED when it cannot be started.
 */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  parseWith(argvSchema, { command, args }, 'command');
  // Validation only: zod's record drops `undefined` values, which mean "remove" in `env`.
  parseWith(runOptionsSchema, options, 'run options');
  const argList = [...args];
  const started = performance.now();
  const stdout = new CappedOutput(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const stderr = new CappedOutput(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const finish = (exitCode: number | null, signal: string | null, timedOut: boolean, aborted: boolean): RunResult => ({
    command,
    args: argList,
    exitCode,
    signal,
    durationMs: Math.round(performance.now() - started),
    stdout: stdout.text(),
    stderr: stderr.text(),
    stdoutBytes: stdout.total,
    stderrBytes: stderr.total,
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    timedOut,
    aborted,
    ok: exitCode === 0 && !timedOut && !aborted,
  });

  if (options.signal?.aborted) return finish(null, null, false, true);
  if (options.cwd !== undefined) await assertDirectory(options.cwd);

  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const child = execa(command, argList, {
    cwd: options.cwd,
    env: buildChildEnv(options),
    extendEnv: false,
    // Leader of a new process group, so one signal to -pid reaches every descendant.
    detached: true,
    // We consume the streams ourselves, capped; execa would buffer everything.
    buffer: false,
    reject: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    uid: options.uid,
    gid: options.gid,
  });

  const pid = child.pid;
  let exit: { code: number | null; signal: string | null } | undefined;
  let timedOut = false;
  let aborted = false;
  let terminated = false;
  const terminate = (): void => {
    if (terminated || pid === undefined) return;
    terminated = true;
    terminateGroup(pid, graceMs);
  };
  const onAbort = (): void => {
    aborted = true;
    terminate();
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timer =
    pid !== undefined && timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          terminate();
        }, timeoutMs)
      : undefined;
  let stragglerTimer: NodeJS.Timeout | undefined;

  const outLines = options.onStdoutLine ? new LineSplitter(options.onStdoutLine) : undefined;
  const errLines = options.onStderrLine ? new LineSplitter(options.onStderrLine) : undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout.push(chunk);
    outLines?.push(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk);
    errLines?.push(chunk);
  });

  if (pid !== undefined) {
    trackGroup(pid, graceMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // It may have fired while we checked the cwd, before anyone listened.
    if (options.signal?.aborted) onAbort();
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      stragglerTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        terminate();
      }, STRAGGLER_MS);
    });
  }

  const result = await child;
  clearTimeout(timer);
  clearTimeout(stragglerTimer);
  options.signal?.removeEventListener('abort', onAbort);
  outLines?.end();
  errLines?.end();

  if (exit === undefined) {
    if (pid !== undefined) untrackGroup(pid);
    throw spawnError(command, options.cwd, result.code, result);
  }
  // A terminated group stays tracked until its SIGKILL is due.
  if (!terminated && pid !== undefined) untrackGroup(pid);
  return finish(exit.code, exit.signal, timedOut, aborted);
}

async function assertDirectory(cwd: string): Promise<void> {
  const stat = await fs.stat(cwd).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new BosunError('INVALID_INPUT', `working directory ${cwd} does not exist or is not a directory`);
  }
}

function spawnError(command: string, cwd: string | undefined, code: string | undefined, cause: unknown): BosunError {
  if (code === 'ENOENT') {
    return new BosunError('TOOL_MISSING', `command not found: ${command}`, {
      hint: `install ${command} or put it on PATH (\`bosun doctor\` lists the tools Bosun uses)`,
      details: { command },
      cause,
    });
  }
  return new BosunError('EXEC_FAILED', `cannot start ${command}: ${code ?? 'unknown error'}`, {
    hint:
      code === 'EACCES' ? `check that ${command} is executable${cwd ? ` and ${cwd} is accessible` : ''}` : undefined,
    details: { command, code },
    cause,
  });
}

/** The last lines of a text, for error messages. */
function tailLines(text: string, lines = 20, chars = 2_000): string {
  const kept = text.trimEnd().split('\n').slice(-lines).join('\n');
  return kept.length > chars ? `…${kept.slice(-chars)}` : kept;
}

/** Like runCommand, but throws EXEC_TIMEOUT or EXEC_FAILED (with the stderr tail) unless the run is ok. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await runCommand(command, args, options);
  if (result.ok) return result;
  const shown = formatCommand(command, args);
  const output = tailLines(result.stderr) || tailLines(result.stdout);
  const details = {
    command,
    args: result.args,
    exitCode: result.exitCode,
    signal: result.signal,
    durationMs: result.durationMs,
    timedOut: result.timedOut,
    aborted: result.aborted,
    outputTail: output,
  };
  const suffix = output ? `:\n${output}` : '';
  if (result.timedOut) {
    throw new BosunError(
      'EXEC_TIMEOUT',
      `${shown} timed out after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms${suffix}`,
      {
        hint: 'raise the timeout, or check that the command is not waiting for input',
        details,
      },
    );
  }
  const how = result.aborted
    ? 'was cancelled'
    : result.signal
      ? `was killed by ${result.signal}`
      : `exited with code ${result.exitCode}`;
  throw new BosunError('EXEC_FAILED', `${shown} ${how}${suffix}`, { details });
}
