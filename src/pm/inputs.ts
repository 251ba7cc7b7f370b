import type { Queryable } from './context.js';
import { resolveStepOutputs, stepReferencesIn } from './expressions.js';
import { outputsByStepKey, type Task } from './tasks.js';

export interface FilledInputs {
  value: Record<string, unknown>;
  /** Placeholders whose upstream output does not exist (yet). */
  missing: string[];
}

/**
 * Tasks' inputs with their `{{ steps.… }}` placeholders filled from the upstream results so
 * far, by task id: one read of outputs per project, however many tasks (routing a plan).
 */
export async function filledInputs(
  q: Queryable,
  tasks: readonly Pick<Task, 'id' | 'projectId' | 'inputs'>[],
): Promise<Map<string, FilledInputs>> {
  const keysByProject = new Map<string, Set<string>>();
  for (const task of tasks) {
    for (const ref of stepReferencesIn(task.inputs)) {
      const keys = keysByProject.get(task.projectId) ?? new Set<string>();
      keysByProject.set(task.projectId, keys.add(ref.key));
    }
  }
  const outputs = new Map<string, Map<string, Record<string, unknown>>>();
  for (const [projectId, keys] of keysByProject)
    outputs.set(projectId, await outputsByStepKey(q, projectId, [...keys]));
  return new Map(tasks.map((t) => [t.id, resolveStepOutputs(t.inputs, outputs.get(t.projectId) ?? new Map())]));
}
