import type { TaskRaiser } from '../agents/index.js';
import type { PmContext } from './context.js';
import { addTasks } from './plan.js';
import { getProject } from './projects.js';
import { pmTransaction } from './transaction.js';

/**
 * The PM's side of agents' TaskRaiser: an agent (infra.monitor, a scheduled task template) asks
 * for a task in a project and gets it the way any added task is made — validated as a draft,
 * evented, then routed and dispatched by the context's afterCommit. An idempotency key the
 * project already has returns that task instead of a new one.
 */
export function taskRaiser(pm: PmContext): TaskRaiser {
  return {
    async raise(req) {
      return pmTransaction(pm, async (tx) => {
        const project = await getProject(tx.client, req.project, { forUpdate: true });
        const before = tx.createdTaskIds.length;
        const [task] = await addTasks(tx, project, [
          {
            title: req.title,
            ...(req.description ? { description: req.description } : {}),
            ...(req.skill ? { skill: req.skill } : {}),
            inputs: req.inputs ?? {},
            tags: req.tags ?? [],
            ...(req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {}),
          },
        ]);
        return { ref: task!.ref, created: tx.createdTaskIds.length > before };
      });
    },
  };
}
