import { BosunError } from '../core/index.js';
import type { PmContext } from './context.js';
import { getProject } from './projects.js';
import { startRun, type Run } from './runs.js';
import { moveTask } from './task-state.js';
import { getTask, type Task } from './tasks.js';
import type { TaskState } from './states.js';
import { pmTransaction, type PmTx } from './transaction.js';

export interface Claimed {
  task: Task;
  run: Run;
}

async function startClaim(
  tx: PmTx,
  task: Pick<Task, 'id' | 'projectId' | 'ref' | 'status' | 'skill' | 'agentId'>,
  claimant: string,
): Promise<Claimed> {
  await moveTask(tx, task, { status: 'working', claimedBy: claimant });
  const run = await startRun(tx, {
    taskId: task.id,
    projectId: task.projectId,
    taskRef: task.ref,
    claimedBy: claimant,
    skill: task.skill,
    agentId: task.agentId,
  });
  return { task: await getTask(tx.client, task.id), run };
}

/**
 * Claims the most urgent ready task (highest priority, then longest ready) of a project in
 * execution, or of any project. Rows another claimer holds are skipped, not waited for, so
 * any number of claimers each get a different task; null when nothing is ready.
 */
export async function claimNextTask(
  pm: PmContext,
  options: { projectSlug?: string; claimant: string },
): Promise<Claimed | null> {
  return pmTransaction(pm, async (tx) => {
    let projectId: string | null = null;
    if (options.projectSlug) {
      const project = await getProject(tx.client, options.projectSlug);
      if (project.status !== 'execution') {
        throw new BosunError(
          'CONFLICT',
          `project ${project.slug} is in ${project.status}; tasks are claimed in execution`,
          {
            hint: project.status === 'planning' ? `start it with \`bosun project advance ${project.slug}\`` : undefined,
          },
        );
      }
      projectId = project.id;
    }
    const next = await tx.client.query<{
      id: string;
      projectId: string;
      ref: string;
      status: TaskState;
      skill: string | null;
      agentId: string | null;
    }>(
      `SELECT t.id, t.project_id AS "projectId", p.slug || '#' || t.number AS ref, t.status, t.skill, t.agent_id AS "agentId"
         FROM bosun.task t JOIN bosun.project p ON p.id = t.project_id
        WHERE t.status = 'ready' AND p.status = 'execution' AND ($1::uuid IS NULL OR t.project_id = $1)
        ORDER BY t.priority DESC, t.ready_at, t.number
        LIMIT 1
          FOR UPDATE OF t SKIP LOCKED`,
      [projectId],
    );
    const task = next.rows[0];
    return task ? startClaim(tx, task, options.claimant) : null;
  });
}

/** Claims one named task; a task someone else already holds is a CONFLICT naming them. */
export async function claimTask(pm: PmContext, ref: string, claimant: string): Promise<Claimed> {
  return pmTransaction(pm, async (tx) => {
    const task = await getTask(tx.client, ref, { forUpdate: true });
    const project = await getProject(tx.client, task.projectSlug);
    if (project.status !== 'execution') {
      throw new BosunError(
        'CONFLICT',
        `project ${project.slug} is in ${project.status}; tasks are claimed in execution`,
      );
    }
    if (task.status !== 'ready') {
      throw new BosunError(
        'CONFLICT',
        `task ${task.ref} is ${task.status}${task.claimedBy ? ` (claimed by ${task.claimedBy})` : ''}; only ready tasks can be claimed`,
        {
          hint: task.status === 'blocked' ? 'it waits for its dependencies: see `bosun task show`' : undefined,
        },
      );
    }
    return startClaim(tx, task, claimant);
  });
}
