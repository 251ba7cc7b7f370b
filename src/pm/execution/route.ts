import { routeTask, type AgentRegistry, type RouteDecision } from '../../agents/index.js';
import type { PmContext } from '../context.js';
import { appendEvent } from '../events.js';
import { stepReferencesIn } from '../expressions.js';
import { filledInputs } from '../inputs.js';
import { activeRunsByAgent } from '../runs.js';
import { getTask, getTasksByIds, setRoutes, type Task } from '../tasks.js';
import { pmTransaction } from '../transaction.js';

/** Whether a task's inputs wait on upstream outputs (then routing sees them only once it is ready). */
export function hasStepInputs(task: Pick<Task, 'inputs'>): boolean {
  return stepReferencesIn(task.inputs).length > 0;
}

/**
 * Routes tasks with the agents layer and stores each decision (agent, automatic or not,
 * reasons and runners-up) with an event. Inputs are routed as filled from upstream results so
 * far, so a task routed again once ready is routed on what it will really get. A plan's tasks
 * are routed together: one read of the tasks, their inputs and the agents' load, and one
 * transaction for the decisions.
 */
export async function routeStoredTasks(
  pm: PmContext,
  registry: AgentRegistry,
  taskIds: readonly string[],
): Promise<Map<string, RouteDecision>> {
  const decisions = new Map<string, RouteDecision>();
  if (!taskIds.length) return decisions;
  const tasks = await getTasksByIds(pm.pool, taskIds);
  const inputs = await filledInputs(pm.pool, tasks);
  const load = await activeRunsByAgent(pm.pool);
  for (const task of tasks) {
    const decision = await routeTask(
      registry,
      {
        title: task.title,
        ...(task.description ? { description: task.description } : {}),
        ...(task.skill ? { skill: task.skill } : {}),
        ...(task.tags.length ? { tags: task.tags } : {}),
        inputs: inputs.get(task.id)!.value,
      },
      { load },
    );
    decisions.set(task.id, task.spec.manual ? forAPerson(decision) : decision);
  }
  await pmTransaction(pm, async (tx) => {
    await setRoutes(
      tx.client,
      tasks.map((t) => {
        const d = decisions.get(t.id)!;
        return { taskId: t.id, agentId: d.agentId, automatic: d.automatic, decision: { ...d } };
      }),
    );
    for (const task of tasks) {
      const d = decisions.get(task.id)!;
      appendEvent(tx, {
        projectId: task.projectId,
        taskId: task.id,
        kind: 'task.routed',
        data: {
          ref: task.ref,
          agentId: d.agentId,
          skillId: d.skillId,
          score: d.score,
          automatic: d.automatic,
          ...(d.waitingReason ? { waitingReason: d.waitingReason } : {}),
        },
      });
    }
  });
  return decisions;
}

/** A manual task keeps its best agent as advice and waits to be claimed, whatever that agent could do alone. */
function forAPerson(d: RouteDecision): RouteDecision {
  if (!d.automatic) return d;
  return {
    ...d,
    automatic: false,
    waitingReason: `a manual step: a person or an assistant decides it (${d.agentId} is the agent that fits best)`,
  };
}

/** Routes one task (`bosun task route`); returns it as stored now, with the decision. */
export async function routeStoredTask(
  pm: PmContext,
  registry: AgentRegistry,
  ref: string,
): Promise<{ task: Task; decision: RouteDecision }> {
  const { id } = await getTask(pm.pool, ref);
  const decision = (await routeStoredTasks(pm, registry, [id])).get(id)!;
  return { task: await getTask(pm.pool, id), decision };
}
