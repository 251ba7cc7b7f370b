import type { AgentRegistry } from '../../agents/index.js';
import type { Logger } from '../../core/index.js';
import type { Pool } from '../../db/index.js';
import type { JobQueue } from '../../queue/index.js';
import type { PmContext, TaskChange } from '../context.js';
import { moveTask } from '../task-state.js';
import { getTask, lockDispatchable, type Task } from '../tasks.js';
import { pmTransaction } from '../transaction.js';
import { hasStepInputs, routeStoredTask } from './route.js';

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
 * Queues a ready task routed to an automatic agent (ready → submitted, then the job), once:
 * the row lock makes a second dispatcher find it no longer ready. If the queue refuses the
 * job, the task goes back to ready.
 */
export async function enqueueTask(pm: PmContext, queue: JobQueue, registry: AgentRegistry, home: string, taskId: string): Promise<boolean> {
  const task = await pmTransaction(pm, async (tx) => {
    const t = await lockDispatchable(tx.client, taskId);
    if (t) await moveTask(tx, t, { status: 'submitted', reason: `queued for ${t.agentId}` });
    return t;
  });
  if (!task) return false;
  const data: TaskRunJobData = { taskId, home };
  try {
    await queue.send(TASK_RUN_JOB, data, {
      // A crashed worker uses up a retry too: every task gets at least one more try after a crash.
      retryLimit: Math.max(1, task.attemptsAllowed - 1),
      timeoutSeconds: jobTimeoutSeconds(task, registry),
      priority: task.priority,
    });
  } catch (err) {
    await pmTransaction(pm, async (tx) => moveTask(tx, { ...task, status: 'submitted' }, { status: 'ready', reason: 'the queue refused the job' }));
    throw err;
  }
  return true;
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
 * by itself. A failure here is logged, not thrown: the change it follows is committed, and
 * `bosun task route` does the same again.
 */
export function createDispatcher(deps: DispatcherDeps): (change: TaskChange) => Promise<void> {
  const pm: PmContext = { pool: deps.pool, logger: deps.logger, actor: deps.actor };
  return async ({ createdTaskIds, readyTaskIds }) => {
    try {
      const registry = await deps.registry();
      const routed = new Set<string>();
      for (const id of createdTaskIds) {
        await routeStoredTask(pm, registry, id);
        routed.add(id);
      }
      if (!readyTaskIds.length) return;
      const queue = await deps.queue();
      for (const id of readyTaskIds) {
        const task = await getTask(deps.pool, id);
        if (!routed.has(id) && (task.route === null || hasStepInputs(task))) await routeStoredTask(pm, registry, id);
        await enqueueTask(pm, queue, registry, deps.home, id);
      }
    } catch (err) {
      deps.logger.warn({ err }, 'routing or queueing tasks failed; `bosun task route <task>` tries again');
    }
  };
}
