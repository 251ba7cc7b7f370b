import type { Task } from './tasks.js';

/**
 * The fields every JSON view of a task shares (`bosun task … --json` and the PM server's
 * `task_details`): who it is, what it asks for and where it stands, with dates left out and no
 * internal bookkeeping. Each view adds its own fields after these.
 */
export function taskJsonCore(t: Task) {
  return {
    ref: t.ref,
    id: t.id,
    project: t.projectSlug,
    key: t.stepKey,
    title: t.title,
    description: t.description,
    skill: t.skill,
    status: t.status,
    statusReason: t.statusReason,
    priority: t.priority,
    attempts: t.attempts,
    attemptsAllowed: t.attemptsAllowed,
    claimedBy: t.claimedBy,
  };
}
