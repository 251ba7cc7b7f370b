import path from 'node:path';
import {
  executeAgent,
  failedEnvelope,
  type AgentRegistry,
  type ProgressEvent,
  type ResultEnvelope,
} from '../../agents/index.js';
import { BosunError, toBosunError, type BosunPaths, type Logger } from '../../core/index.js';
import { storeArtifacts } from '../artifact-store.js';
import type { PmContext } from '../context.js';
import { afterFinish } from '../finish.js';
import { WAITING_FOR_CHILDREN } from '../handoffs.js';
import { filledInputs } from '../inputs.js';
import { projectReader } from '../project-facts.js';
import { getProject } from '../projects.js';
import { applyEnvelope, envelopeHash } from '../results.js';
import { finishRun, openRun, recordProgress, startRun, touchRun, type Run } from '../runs.js';
import { isFinished } from '../states.js';
import { moveTask } from '../task-state.js';
import { getTask, type Task } from '../tasks.js';
import { pmTransaction, type PmTx } from '../transaction.js';
import { taskRaiser } from '../raise.js';

/**
 * One run of a task by its automatic agent, for a queue job or `bosun task run`: the run row
 * is opened (closing one left behind by a dead worker), the agent runs in the task's working
 * folder with a heartbeat, its artifacts are stored, and the envelope is applied. Running a
 * task that already finished does nothing, so a repeated job never duplicates a result.
 */

export interface RunTaskDeps {
  pm: PmContext;
  registry: AgentRegistry;
  paths: BosunPaths;
}

export interface RunTaskOptions {
  /** Who holds the run: 'worker:<host>:<pid>' or the person at the terminal. */
  claimant: string;
  jobId?: string;
  /** A retryable failure with attempts left is tried again (by the queue): the task waits in submitted. */
  retry?: boolean;
  signal?: AbortSignal;
  noCache?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  logger: Logger;
}

export type RunTaskOutcome =
  | { kind: 'skipped'; task: Task; reason: string }
  | { kind: 'ran'; task: Task; envelope: ResultEnvelope; run: Run; willRetry: boolean };

const HEARTBEAT_MS = 5_000;

interface Started {
  task: Task;
  run: Run;
  skillId: string;
  inputs: Record<string, unknown>;
}

/** Opens the run in one transaction, or says why there is nothing to run. */
async function startTaskRun(
  tx: PmTx,
  deps: RunTaskDeps,
  taskId: string,
  opts: RunTaskOptions,
): Promise<Started | { skipped: string; task: Task }> {
  let task = await getTask(tx.client, taskId, { forUpdate: true });
  if (isFinished(task.status) || task.status === 'input-required')
    return { skipped: `the task is ${task.status}`, task };
  if (task.statusReason === WAITING_FOR_CHILDREN) return { skipped: task.statusReason, task };
  const stale = await openRun(tx.client, task.id, { forUpdate: true });
  if (stale) {
    // Only one job runs a task at a time, so an open run here was left by a worker that died.
    await finishRun(
      tx,
      stale,
      {
        state: 'failed',
        error: { code: 'WORKER_LOST', message: `the worker running attempt ${stale.attempt} stopped`, retryable: true },
      },
      task.ref,
    );
    await moveTask(tx, task, { status: 'submitted', reason: `attempt ${stale.attempt} was lost with its worker` });
    task = { ...task, status: 'submitted' };
  }
  const project = await getProject(tx.client, task.projectSlug);
  if (project.status !== 'execution') {
    if (task.status === 'submitted')
      await moveTask(tx, task, { status: 'ready', reason: `the project is ${project.status}` });
    return { skipped: `the project is ${project.status}`, task };
  }
  const route = task.route as { skillId?: string | null } | null;
  if (!task.agentId || !task.automatic || !route?.skillId) {
    throw new BosunError(
      'CONFLICT',
      `task ${task.ref} is not routed to an agent that runs by itself${task.agentId ? ` (${task.agentId} waits for a person or assistant)` : ''}`,
      {
        hint: `claim it (bosun task claim ${task.ref}), or re-route it after adding an agent (bosun task route ${task.ref})`,
      },
    );
  }
  if (task.attempts >= task.attemptsAllowed) {
    await moveTask(tx, task, { status: 'failed', reason: `all ${task.attemptsAllowed} attempts are used up` });
    await afterFinish(tx, [task.id]);
    return { skipped: 'no attempts left', task };
  }
  await moveTask(tx, task, { status: 'working', claimedBy: opts.claimant });
  const run = await startRun(tx, {
    taskId: task.id,
    projectId: task.projectId,
    taskRef: task.ref,
    claimedBy: opts.claimant,
    skill: route.skillId,
    agentId: task.agentId,
    agentVersion: deps.registry.get(task.agentId).manifest.version,
    jobId: opts.jobId ?? null,
  });
  const inputs = (await filledInputs(tx.client, [task])).get(task.id)!.value;
  return { task, run, skillId: route.skillId, inputs };
}

/** Runs the agent with a heartbeat on the run; an error of the runtime itself becomes a failed envelope. */
async function execute(deps: RunTaskDeps, s: Started, workDir: string, opts: RunTaskOptions): Promise<ResultEnvelope> {
  const heartbeat = setInterval(() => void touchRun(deps.pm.pool, s.run.id).catch(() => undefined), HEARTBEAT_MS);
  try {
    return await executeAgent({
      registry: deps.registry,
      agentId: s.task.agentId!,
      skillId: s.skillId,
      input: s.inputs,
      workDir,
      logger: opts.logger,
      scope: s.task.projectSlug,
      tasks: taskRaiser(deps.pm),
      projects: projectReader(deps.pm.pool),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.noCache ? { noCache: true } : {}),
      ...(s.task.timeoutSeconds ? { timeoutSeconds: s.task.timeoutSeconds } : {}),
      onProgress: (event) => {
        void recordProgress(deps.pm.pool, s.run.id, {
          message: event.message,
          ...(event.fraction !== undefined ? { percent: Math.round(event.fraction * 100) } : {}),
        }).catch(() => undefined);
        opts.onProgress?.(event);
      },
    });
  } catch (err) {
    const e = toBosunError(err);
    return failedEnvelope({ code: e.code, message: e.message, retryable: false });
  } finally {
    clearInterval(heartbeat);
  }
}

/** Agents name files relative to their working folder; the artifact store wants them absolute. */
async function storeRunArtifacts(
  deps: RunTaskDeps,
  s: Started,
  workDir: string,
  envelope: ResultEnvelope,
): Promise<ResultEnvelope> {
  const absolute = envelope.artifacts.map((a) =>
    a.path === undefined ? a : { ...a, path: path.resolve(workDir, a.path) },
  );
  try {
    const artifacts = await storeArtifacts(
      deps.paths.artifacts,
      { projectSlug: s.task.projectSlug, taskNumber: s.task.number, attempt: s.run.attempt },
      absolute,
    );
    return { ...envelope, artifacts };
  } catch (err) {
    return failedEnvelope({ code: 'INVALID_ARTIFACTS', message: toBosunError(err).message, retryable: false });
  }
}

export async function runTask(deps: RunTaskDeps, taskId: string, opts: RunTaskOptions): Promise<RunTaskOutcome> {
  const started = await pmTransaction(deps.pm, (tx) => startTaskRun(tx, deps, taskId, opts));
  if ('skipped' in started) return { kind: 'skipped', task: started.task, reason: started.skipped };
  const workDir = path.join(deps.paths.workspaces, started.task.projectSlug, String(started.task.number));
  const executed = await execute(deps, started, workDir, opts);
  // Stopped from outside (the worker shutting down, the job's deadline), not by the task's
  // owner: that is a failure to try again, not a cancellation of the task.
  const raw =
    opts.signal?.aborted && executed.status === 'canceled'
      ? {
          ...failedEnvelope({
            code: 'INTERRUPTED',
            message: 'the run was interrupted before it finished',
            retryable: true,
          }),
          metrics: executed.metrics,
        }
      : executed;
  const envelope = await storeRunArtifacts(deps, started, workDir, raw);
  const willRetry =
    opts.retry === true &&
    envelope.status === 'failed' &&
    envelope.error?.retryable === true &&
    started.run.attempt < started.task.attemptsAllowed;
  const applied = await pmTransaction(deps.pm, async (tx) => {
    const task = await getTask(tx.client, taskId, { forUpdate: true });
    const current = await openRun(tx.client, taskId, { forUpdate: true });
    // Canceled (or taken over) while the agent ran: its result no longer belongs to the task.
    if (current?.id !== started.run.id) return null;
    return applyEnvelope(tx, task, current, envelope, { hash: envelopeHash(envelope), willRetry });
  });
  if (!(raw.metrics.cacheHit ?? 0)) {
    await deps.registry
      .recordOutcome({
        agentId: started.task.agentId!,
        skillId: started.skillId,
        ok: envelope.status === 'completed',
        durationMs: Math.min(2_147_483_647, Math.round(raw.metrics.durationMs ?? 0)),
      })
      .catch((err: unknown) => opts.logger.warn({ err }, 'could not record the run outcome'));
  }
  if (!applied)
    return {
      kind: 'skipped',
      task: await getTask(deps.pm.pool, taskId),
      reason: 'the run was canceled while the agent worked',
    };
  return { kind: 'ran', task: applied, envelope, run: started.run, willRetry };
}
