import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { toBosunError, type BosunPaths, type Logger } from '../../../../core/index.js';
import type { Pool } from '../../../../db/index.js';
import { runSandboxed } from '../../../../exec/index.js';
import type { TaskRaiser } from '../../../runtime/types.js';
import { finishRun, getSchedule, startRun, type InfraSchedule, type RunEnd } from './store.js';

/** What one run of a schedule needs: the database, the home's paths and sandbox setting, and a way to raise tasks. */
export interface ScheduleRunDeps {
  pool: Pool;
  paths: BosunPaths;
  /** `sandbox.allowUnconfined` of the home's configuration. */
  allowUnconfined: boolean;
  tasks?: TaskRaiser;
  logger: Logger;
  signal?: AbortSignal;
}

const TAIL = 2_000;
const tail = (text: string) => (text.length > TAIL ? `…${text.slice(-TAIL)}` : text);

/**
 * A command schedule's folder: the sandbox's only writable place and its working directory,
 * kept between runs so a job can keep state (a cursor, a last-seen file) and nothing else.
 */
export const scheduleDir = (paths: BosunPaths, s: Pick<InfraSchedule, 'name'>) =>
  path.join(paths.workspaces, 'schedules', s.name);

/**
 * A command is untrusted code as far as Bosun knows, so it runs only through exec's sandbox:
 * no network unless the schedule asked for it, its folder as the only writable place, and the
 * schedule's memory and time limits.
 */
async function runCommandSchedule(deps: ScheduleRunDeps, s: InfraSchedule): Promise<Omit<RunEnd, 'durationMs'>> {
  const workDir = scheduleDir(deps.paths, s);
  await fs.mkdir(workDir, { recursive: true });
  const result = await runSandboxed(s.command!, {
    workDir,
    memoryMb: s.memoryMb,
    timeoutMs: s.timeoutSeconds * 1000,
    allowNetwork: s.allowNetwork,
    allowUnconfined: deps.allowUnconfined,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const isolation = `${result.sandbox.isolation}/${result.sandbox.fs}/network ${result.sandbox.network}`;
  const ok = result.ok;
  const why = result.timedOut ? `timed out after ${s.timeoutSeconds} s` : `exit code ${result.exitCode}`;
  return {
    status: ok ? 'succeeded' : 'failed',
    exitCode: result.exitCode,
    detail: ok ? tail(result.stdout) || null : `${why}: ${tail(result.stderr || result.stdout)}`.trim(),
    isolation,
  };
}

/** A task schedule raises its template as a task of its project; the PM routes and runs it. */
async function runTaskSchedule(
  deps: ScheduleRunDeps,
  s: InfraSchedule,
  runId: number,
): Promise<Omit<RunEnd, 'durationMs'>> {
  if (!deps.tasks) return { status: 'failed', detail: 'this worker cannot create PM tasks (no task raiser given)' };
  const t = s.taskTemplate!;
  const raised = await deps.tasks.raise({
    project: s.project!,
    title: t.title,
    ...(t.description ? { description: t.description } : {}),
    ...(t.skill ? { skill: t.skill } : {}),
    ...(t.inputs ? { inputs: t.inputs } : {}),
    tags: [...(t.tags ?? []), 'scheduled'],
    idempotencyKey: `schedule:${s.id}:run:${runId}`,
  });
  return { status: 'succeeded', taskRef: raised.ref, detail: `raised ${raised.ref}` };
}

/** Runs one schedule now and records the run; a failure is recorded, never thrown. */
export async function runScheduleNow(deps: ScheduleRunDeps, nameOrId: string): Promise<RunEnd & { runId: number }> {
  const s = await getSchedule(deps.pool, nameOrId);
  const runId = await startRun(deps.pool, s.id);
  const started = performance.now();
  let end: Omit<RunEnd, 'durationMs'>;
  try {
    end = s.kind === 'command' ? await runCommandSchedule(deps, s) : await runTaskSchedule(deps, s, runId);
  } catch (err) {
    const e = toBosunError(err);
    end = { status: 'failed', detail: `${e.code}: ${e.message}` };
  }
  const full = { ...end, durationMs: Math.round(performance.now() - started) };
  await finishRun(deps.pool, runId, full);
  deps.logger.info({ schedule: s.name, status: full.status, durationMs: full.durationMs }, 'schedule ran');
  return { ...full, runId };
}
