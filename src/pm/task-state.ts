import { BosunError } from '../core/index.js';
import { appendEvent } from './events.js';
import { setTaskState, type TaskStateChange } from './tasks.js';
import { taskMoves, type TaskState } from './states.js';
import type { PmTx } from './transaction.js';

/** The parts of a task a state move needs. */
export interface TaskHandle {
  id: string;
  projectId: string;
  ref: string;
  status: TaskState;
}

/**
 * Moves a task to a new state if the move is legal, with its event, in the caller's
 * transaction. An illegal move is a CONFLICT that names the legal ones.
 */
export async function moveTask(
  tx: PmTx,
  task: TaskHandle,
  change: TaskStateChange & { runId?: string },
): Promise<void> {
  await moveTasks(tx, [task], change);
}

/** Moves several tasks the same way, in one statement (each move checked, each with its event). */
export async function moveTasks(
  tx: PmTx,
  tasks: readonly TaskHandle[],
  change: TaskStateChange & { runId?: string },
): Promise<void> {
  if (!tasks.length) return;
  for (const task of tasks) {
    const legal = taskMoves[task.status];
    if (!legal.includes(change.status)) {
      throw new BosunError('CONFLICT', `task ${task.ref} is ${task.status}; it cannot become ${change.status}`, {
        hint: legal.length
          ? `from ${task.status} it can become: ${legal.join(', ')}`
          : `a ${task.status} task does not change any more`,
        details: { task: task.ref, from: task.status, to: change.status },
      });
    }
  }
  await setTaskState(
    tx.client,
    tasks.map((t) => t.id),
    change,
  );
  for (const task of tasks) {
    appendEvent(tx, {
      projectId: task.projectId,
      taskId: task.id,
      runId: change.runId ?? null,
      kind: 'task.status',
      data: {
        ref: task.ref,
        from: task.status,
        to: change.status,
        ...(change.reason ? { reason: change.reason } : {}),
      },
    });
    if (change.status === 'ready') tx.readyTaskIds.push(task.id);
  }
}
