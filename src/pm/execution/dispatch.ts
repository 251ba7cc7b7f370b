import type { AgentRegistry } from '../../agents/index.js';
import type { Logger } from '../../core/index.js';
import type { Pool } from '../../db/index.js';
import type { JobQueue } from '../../queue/index.js';
import type { PmContext, TaskChange } from '../context.js';
import { moveTasks } from '../task-state.js';
import { getTasksByIds, lockDispatchable, type Task } from '../tasks.js';
import { pmTransaction } from '../transaction.js';
import { hasStepInputs, routeStoredTasks } from './route.js';

export const TASK_RUN_JOB = 'task.run';

/** What a `task.run` job carries: the task, and the Bosun home of whoever queued it (its agents, workspaces and artifacts). */
export interface TaskRunJobData {
  taskId: string;
  home: string;
}

/** A job outlives the agent's own deadline a little, so the agent's timeout is what ends a slow run. */
const JOB_GRACE_SECONDS = 120;

function jobTimeoutSeconds(task: Task, registry: AgentRegistry): number {
  const agentDefault = task.agentId ? registry.get(task.agentId).manifest.defaultTimeoutSeconds : 600;
  return (task.timeoutSeconds ?? agentDefault) + JOB_GRACE_SECONDS;
}

/**
 * Queues the ready tasks among `taskIds` that are routed to an automatic agent (ready →
 * submitted, then their jobs), once: the row locks make a second dispatcher find them no
 * longer ready. However many tasks: one transaction moves them, one insert queues their jobs
 * (those released together start in any order, by priority first). If the queue refuses the
 * jobs, the tasks go back to ready. Returns the ids of the tasks queued.
 */
export async function enqueueTasks(
  pm: PmContext,
  queue: JobQueue,
  registry: AgentRegistry,
  home: string,
  taskIds: readonly string[],
): Promise<string[]> {
  if (!taskIds.length) return [];
  const tasks = await pmTransaction(pm, async (tx) => {
    const locked = await lockDispatchable(tx.client, taskIds);
    for (const agentId of new Set(locked.map((t) => t.agentId))) {
      await moveTasks(
        tx,
        locked.filter((t) => t.agentId === agentId),
        { status: 'submitted', reason: `queued for ${agentId}` },
      );
    }
    return locked;
  });
  if (!tasks.length) return [];
  const jobs = tasks.map((task) => ({
    data: { taskId: task.id, home } satisfies TaskRunJobData,
    options: {
      // A crashed worker uses up a retry too: every task gets at least one more try after a crash.
      retryLimit: Math.max(1, task.attemptsAllowed - 1),
      timeoutSeconds: jobTimeoutSeconds(task, registry),
      priority: task.priority,
    },
  }));
  try {
    await queue.sendMany(TASK_RUN_JOB, jobs);
  } catch (err) {
    const submitted = tasks.map((t) => ({ ...t, status: 'submitted' as const }));
    await pmTransaction(pm, async (tx) =>
      moveTasks(tx, submitted, { status: 'ready', reason: 'the queue refused the job' }),
    );
    throw err;
  }
  return tasks.map((t) => t.id);
}

export interface DispatcherDeps {
  pool: Pool;
  logger: Logger;
  actor: string;
  /** Written into jobs, so workers use this home's agents and folders. */
  home: string;
  registry: () => Promise<AgentRegistry>;
  queue: () => Promise<JobQueue>;
}

/**
 * The `afterCommit` of a PmContext that executes: created tasks are routed; ready ones are
 * routed again when their inputs came from upstream results, and queued when their agent runs
 * by itself. The tasks of one change are handled together (a plan of 500 tasks is a few
 * statements, not a few thousand). A failure here is logged, not thrown: the change it
 * follows is committed, and `bosun task route` does the same again.
 */
export function createDispatcher(deps: DispatcherDeps): (change: TaskChange) => Promise<void> {
  const pm: PmContext = { pool: deps.pool, logger: deps.logger, actor: deps.actor };
  return async ({ createdTaskIds, readyTaskIds }) => {
    try {
      const registry = await deps.registry();
      await routeStoredTasks(pm, registry, createdTaskIds);
      if (!readyTaskIds.length) return;
      const routed = new Set(createdTaskIds);
      const stale = await getTasksByIds(
        deps.pool,
        readyTaskIds.filter((id) => !routed.has(id)),
      );
      await routeStoredTasks(
        pm,
        registry,
        stale.filter((t) => t.route === null || hasStepInputs(t)).map((t) => t.id),
      );
      await enqueueTasks(pm, await deps.queue(), registry, deps.home, readyTaskIds);
    } catch (err) {
      deps.logger.warn({ err }, 'routing or queueing tasks failed; `bosun task route <task>` tries again');
    }
  };
}
