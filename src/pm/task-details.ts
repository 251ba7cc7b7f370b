import { listArtifacts, type ArtifactRow } from './artifacts.js';
import type { Queryable } from './context.js';
import { listEvents, type PmEvent } from './events.js';
import { filledInputs } from './inputs.js';
import { listNotes, type Note } from './notes.js';
import { listRuns, type Run } from './runs.js';
import { downstreamOf, getTask, listTasks, upstreamOf, type Task } from './tasks.js';

type Neighbour = Awaited<ReturnType<typeof upstreamOf>>[number];

/** Everything about one task that a person or an assistant needs to act on it. */
export interface TaskDetails {
  task: Task;
  /** Inputs with `{{ steps.… }}` filled from upstream results. */
  inputs: Record<string, unknown>;
  /** Placeholders whose upstream output does not exist (yet). */
  missingInputs: string[];
  upstream: Neighbour[];
  downstream: Neighbour[];
  children: Pick<Task, 'ref' | 'title' | 'status' | 'skill'>[];
  runs: Run[];
  artifacts: ArtifactRow[];
  /** What the tasks it depends on produced. */
  upstreamArtifacts: ArtifactRow[];
  /** Notes on this task and on the project, newest first. */
  notes: Note[];
  events: PmEvent[];
}

export async function taskDetails(
  q: Queryable,
  ref: string,
  options: { eventLimit?: number; noteLimit?: number } = {},
): Promise<TaskDetails> {
  const task = await getTask(q, ref);
  const resolved = (await filledInputs(q, [task])).get(task.id)!;
  const upstream = await upstreamOf(q, task.id);
  const children = await listTasks(q, { parentId: task.id, limit: 100, offset: 0 });
  return {
    task,
    inputs: resolved.value,
    missingInputs: resolved.missing,
    upstream,
    downstream: await downstreamOf(q, task.id),
    children: children.map((c) => ({ ref: c.ref, title: c.title, status: c.status, skill: c.skill })),
    runs: await listRuns(q, task.id),
    artifacts: await listArtifacts(q, { taskIds: [task.id] }),
    upstreamArtifacts: upstream.length ? await listArtifacts(q, { taskIds: upstream.map((u) => u.id) }) : [],
    notes: await listNotes(q, { projectId: task.projectId, taskIds: [task.id], limit: options.noteLimit ?? 20 }),
    events: await listEvents(q, { taskId: task.id, limit: options.eventLimit ?? 20 }),
  };
}
