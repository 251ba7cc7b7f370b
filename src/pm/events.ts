import { BosunError } from '../core/index.js';
import { prepared } from '../db/index.js';
import type { Queryable } from './context.js';
import type { ProjectPhase } from './states.js';
import type { PmTx } from './transaction.js';

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

/** Every committed batch of events is announced here (payload: `PmEventNotice` as JSON). */
export const PM_EVENT_CHANNEL = 'bosun_pm_events';

export interface PmEventNotice {
  lastEventId: number;
  projectIds: string[];
  kinds: EventKind[];
}

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

/**
 * Records an event of the transaction's change. Events are written together, in order, just
 * before the transaction commits (see pmTransaction): one statement per transaction instead
 * of one per event, and still committed with the change or not at all.
 */
export function appendEvent(tx: Pick<PmTx, 'events'>, e: EventInput): void {
  tx.events.push(e);
}

/** Writes a transaction's events in one statement; their ids follow the order they were appended in. */
export async function insertEvents(q: Queryable, actor: string, events: readonly EventInput[]): Promise<void> {
  if (!events.length) return;
  // The NOTIFY is part of the same transaction: listeners (the dashboard) hear of a change
  // exactly when it becomes visible, and never of one that rolled back.
  await q.query(
    prepared(
      `WITH inserted AS (
         INSERT INTO bosun.event (project_id, task_id, run_id, kind, actor, data)
         SELECT e.project_id, e.task_id, e.run_id, e.kind, $1, e.data::jsonb
           FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[]) WITH ORDINALITY AS e(project_id, task_id, run_id, kind, data, n)
          ORDER BY e.n
         RETURNING id, project_id, kind)
       SELECT pg_notify('${PM_EVENT_CHANNEL}', json_build_object(
                'lastEventId', max(id),
                'projectIds', array_agg(DISTINCT project_id),
                'kinds', array_agg(DISTINCT kind))::text)
         FROM inserted`,
      [
        actor,
        events.map((e) => e.projectId),
        events.map((e) => e.taskId ?? null),
        events.map((e) => e.runId ?? null),
        events.map((e) => e.kind),
        events.map((e) => JSON.stringify(e.data ?? {})),
      ],
    ),
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
  const res = await q.query<PmEvent>(`SELECT ${columns} FROM bosun.event WHERE project_id = $1 ORDER BY id`, [
    projectId,
  ]);
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
