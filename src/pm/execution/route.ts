import { routeTask, type AgentRegistry, type RouteDecision } from '../../agents/index.js';
import type { PmContext } from '../context.js';
import { appendEvent } from '../events.js';
import { resolveStepOutputs, stepReferencesIn } from '../expressions.js';
import { activeRunsByAgent } from '../runs.js';
import { getTask, outputsByStepKey, setRoute, type Task } from '../tasks.js';
import { pmTransaction } from '../transaction.js';

/** Whether a task's inputs wait on upstream outputs (then routing sees them only once it is ready). */
export function hasStepInputs(task: Pick<Task, 'inputs'>): boolean {
  return stepReferencesIn(task.inputs).length > 0;
}

/**
 * Routes a task with the agents layer and stores the decision (agent, automatic or not,
 * reasons and runners-up) with an event. Inputs are routed as filled from upstream results so
 * far, so a task routed again once ready is routed on what it will really get.
 */
export async function routeStoredTask(pm: PmContext, registry: AgentRegistry, ref: string): Promise<{ task: Task; decision: RouteDecision }> {
  const task = await getTask(pm.pool, ref);
  const keys = [...new Set(stepReferencesIn(task.inputs).map((r) => r.key))];
  const inputs = resolveStepOutputs(task.inputs, await outputsByStepKey(pm.pool, task.projectId, keys)).value;
  const decision = await routeTask(
    registry,
    {
      title: task.title,
      ...(task.description ? { description: task.description } : {}),
      ...(task.skill ? { skill: task.skill } : {}),
      ...(task.tags.length ? { tags: task.tags } : {}),
      inputs,
    },
    { load: await activeRunsByAgent(pm.pool) },
  );
  await pmTransaction(pm, async (tx) => {
    await setRoute(tx.client, task.id, { agentId: decision.agentId, automatic: decision.automatic, decision: { ...decision } });
    await appendEvent(tx.client, tx.actor, {
      projectId: task.projectId,
      taskId: task.id,
      kind: 'task.routed',
      data: {
        ref: task.ref,
        agentId: decision.agentId,
        skillId: decision.skillId,
        score: decision.score,
        automatic: decision.automatic,
        ...(decision.waitingReason ? { waitingReason: decision.waitingReason } : {}),
      },
    });
  });
  return { task: await getTask(pm.pool, task.id), decision };
}
