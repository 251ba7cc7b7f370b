import { BosunError } from '../core/index.js';
import type { Queryable } from './context.js';
import type { ProjectPhase } from './states.js';

/** Every kind of change the history records. */
export type EventKind =
  | 'project.created'
  | 'project.phase'
  | 'project.document'
  | 'project.archived'
  | 'project.reopened'
  | 'task.created'
  | 'task.status'
  | 'task.routed'
  | 'run.started'
  | 'run.progress'
  | 'run.finished'
  | 'artifact.recorded'
  | 'handoff.created'
  | 'note.added';

export interface EventInput {
  projectId: string;
  taskId?: string | null;
  runId?: string | null;
  kind: EventKind;
  data?: Record<string, unknown>;
}

export interface PmEvent {
  id: number;
  projectId: string;
  taskId: string | null;
  runId: string | null;
  kind: EventKind;
  actor: string;
  data: Record<string, unknown>;
  at: Date;
}

/** Appends one event; call it with the transaction's client so the change and its event commit together. */
export async function appendEvent(q: Queryable, actor: string, e: EventInput): Promise<void> {
  await q.query(
    `INSERT INTO bosun.event (project_id, task_id, run_id, kind, actor, data) VALUES ($1, $2, $3, $4, $5, $6)`,
    [e.projectId, e.taskId ?? null, e.runId ?? null, e.kind, actor, e.data ?? {}],
  );
}

const columns = `id, project_id AS "projectId", task_id AS "taskId", run_id AS "runId", kind, actor, data, at`;

/** Newest first; `beforeId` pages backwards through the history. */
export async function listEvents(
  q: Queryable,
  filter: { projectId?: string; taskId?: string; beforeId?: number; limit: number },
): Promise<PmEvent[]> {
  const res = await q.query<PmEvent>(
    `SELECT ${columns} FROM bosun.event
      WHERE ($1::uuid IS NULL OR project_id = $1)
        AND ($2::uuid IS NULL OR task_id = $2)
        AND ($3::bigint IS NULL OR id < $3)
      ORDER BY id DESC LIMIT $4`,
    [filter.projectId ?? null, filter.taskId ?? null, filter.beforeId ?? null, filter.limit],
  );
  return res.rows;
}

/** The whole history of a project, oldest first (documentation, archive). */
export async function projectHistory(q: Queryable, projectId: string): Promise<PmEvent[]> {
  const res = await q.query<PmEvent>(`SELECT ${columns} FROM bosun.event WHERE project_id = $1 ORDER BY id`, [projectId]);
  return res.rows;
}

/** The phase a project was in before its latest move into `phase`. */
export async function phaseBefore(q: Queryable, projectId: string, phase: ProjectPhase): Promise<ProjectPhase> {
  const res = await q.query<{ from: ProjectPhase }>(
    `SELECT data->>'from' AS from FROM bosun.event
      WHERE project_id = $1 AND kind = 'project.phase' AND data->>'to' = $2
      ORDER BY id DESC LIMIT 1`,
    [projectId, phase],
  );
  if (!res.rows[0]) throw new BosunError('INTERNAL', `no record of the project entering ${phase}`);
  return res.rows[0].from;
}
