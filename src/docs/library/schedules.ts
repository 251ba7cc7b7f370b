import type { Queryable } from './libraries.js';

/** A scheduled sync: of one library, or of every library (`library` null). */
export interface DocsSchedule {
  id: number;
  library: string | null;
  cron: string;
  lastEnqueuedAt: Date | null;
  createdAt: Date;
}

interface ScheduleRow {
  id: number;
  library: string | null;
  cron: string;
  last_enqueued_at: Date | null;
  created_at: Date;
}

const fromRow = (r: ScheduleRow): DocsSchedule => ({
  id: r.id,
  library: r.library,
  cron: r.cron,
  lastEnqueuedAt: r.last_enqueued_at,
  createdAt: r.created_at,
});

/** Creates or replaces the schedule of a library (null: of every library). */
export async function saveSchedule(q: Queryable, library: string | null, cron: string): Promise<DocsSchedule> {
  const res = await q.query<ScheduleRow>(
    `INSERT INTO bosun.doc_schedule (library, cron) VALUES ($1, $2)
     ON CONFLICT ((coalesce(library, ''))) DO UPDATE SET cron = EXCLUDED.cron, created_at = now(), last_enqueued_at = NULL
     RETURNING id, library, cron, last_enqueued_at, created_at`,
    [library, cron],
  );
  return fromRow(res.rows[0]!);
}

export async function deleteSchedule(q: Queryable, library: string | null): Promise<boolean> {
  const res = await q.query(`DELETE FROM bosun.doc_schedule WHERE coalesce(library, '') = coalesce($1, '')`, [library]);
  return (res.rowCount ?? 0) > 0;
}

export async function listSchedules(q: Queryable): Promise<DocsSchedule[]> {
  const res = await q.query<ScheduleRow>(
    `SELECT id, library, cron, last_enqueued_at, created_at FROM bosun.doc_schedule ORDER BY library NULLS FIRST`,
  );
  return res.rows.map(fromRow);
}

export async function markScheduleEnqueued(q: Queryable, id: number, at: Date): Promise<void> {
  await q.query(`UPDATE bosun.doc_schedule SET last_enqueued_at = $2 WHERE id = $1`, [id, at]);
}
