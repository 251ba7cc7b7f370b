import { BosunError } from '../core/index.js';
import type { PmContext } from './context.js';
import { afterFinish } from './finish.js';
import { getProject } from './projects.js';
import { readinessOf, reviveDownstream } from './readiness.js';
import { finishRun, openRun } from './runs.js';
import { isFinished } from './states.js';
import { moveTask } from './task-state.js';
import { getTask, upstreamOf, type Task } from './tasks.js';
import { pmTransaction, type PmTx } from './transaction.js';

/** Fail, cancel and retry: the moves a person or an assistant makes on one task. */

export interface FailOptions {
  reason: string;
  retryable?: boolean;
  code?: string;
}

export async function failTask(pm: PmContext, ref: string, options: FailOptions): Promise<Task> {
  return pmTransaction(pm, async (tx) => {
    const task = await getTask(tx.client, ref, { forUpdate: true });
    const error = { code: options.code ?? 'FAILED', message: options.reason, retryable: options.retryable ?? false };
    await moveTask(tx, task, { status: 'failed', reason: options.reason });
    const run = await openRun(tx.client, task.id, { forUpdate: true });
    if (run) await finishRun(tx, run, { state: 'failed', error }, task.ref);
    await afterFinish(tx, [task.id]);
    return getTask(tx.client, task.id);
  });
}

/** Cancels the task, its open run, and its unfinished child tasks (handoffs). */
export async function cancelTask(pm: PmContext, ref: string, reason: string): Promise<Task> {
  return pmTransaction(pm, async (tx) => {
    const task = await getTask(tx.client, ref, { forUpdate: true });
    await cancelTree(tx, task, reason);
    await afterFinish(tx, [task.id]);
    return getTask(tx.client, task.id);
  });
}

async function cancelTree(tx: PmTx, task: Task, reason: string): Promise<void> {
  if (isFinished(task.status)) {
    throw new BosunError('CONFLICT', `task ${task.ref} is already ${task.status}`, {
      hint: 'only unfinished tasks can be canceled',
    });
  }
  await moveTask(tx, task, { status: 'canceled', reason });
  const run = await openRun(tx.client, task.id, { forUpdate: true });
  if (run) await finishRun(tx, run, { state: 'canceled' }, task.ref);
  const children = await tx.client.query<{ id: string }>(
    `SELECT id FROM bosun.task WHERE parent_id = $1 AND status NOT IN ('completed', 'failed', 'canceled', 'rejected') ORDER BY id FOR UPDATE`,
    [task.id],
  );
  for (const child of children.rows) {
    await cancelTree(tx, await getTask(tx.client, child.id), `its parent ${task.ref} was canceled`);
  }
}

/**
 * Sends a failed, canceled or rejected task round again: it becomes ready (or blocked while
 * its dependencies run), and the tasks canceled because it failed come back to blocked.
 */
export async function retryTask(pm: PmContext, ref: string): Promise<Task> {
  return pmTransaction(pm, async (tx) => {
    const task = await getTask(tx.client, ref, { forUpdate: true });
    const project = await getProject(tx.client, task.projectSlug);
    if (project.status !== 'planning' && project.status !== 'execution') {
      throw new BosunError(
        'CONFLICT',
        `project ${project.slug} is in ${project.status}; tasks are retried in planning or execution`,
        {
          hint:
            project.status === 'documentation'
              ? `go back with \`bosun project advance ${project.slug} --to execution\``
              : undefined,
        },
      );
    }
    const upstream = await upstreamOf(tx.client, task.id);
    const verdict = await readinessOf(
      tx.client,
      task.triggerRule,
      upstream.map((u) => u.id),
    );
    if (verdict === 'impossible') {
      throw new BosunError(
        'CONFLICT',
        `task ${task.ref} cannot run: its dependencies no longer satisfy ${task.triggerRule}`,
        {
          hint: `retry these first: ${upstream
            .filter((u) => u.status !== 'completed')
            .map((u) => u.ref)
            .join(', ')}`,
        },
      );
    }
    await moveTask(tx, task, { status: verdict === 'ready' ? 'ready' : 'blocked', reason: 'retried', claimedBy: null });
    await reviveDownstream(tx, task.id);
    return getTask(tx.client, task.id);
  });
}
