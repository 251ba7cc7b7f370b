import { z } from 'zod';
import { newId } from '../core/index.js';
import type { Queryable } from './context.js';
import { appendEvent } from './events.js';
import type { PmTx } from './transaction.js';

/** The `bosun.note` table: decisions, lessons, issues and progress remarks, by project or task. */
export const noteKinds = ['note', 'decision', 'lesson', 'issue', 'progress'] as const;
export type NoteKind = (typeof noteKinds)[number];
export const noteBodySchema = z.string().trim().min(1, 'the note is empty').max(20_000);

export interface Note {
  id: string;
  projectId: string;
  taskId: string | null;
  taskRef: string | null;
  kind: NoteKind;
  body: string;
  author: string;
  createdAt: Date;
}

export async function insertNote(
  tx: PmTx,
  note: { projectId: string; taskId?: string | null; kind: NoteKind; body: string },
): Promise<Note> {
  const id = newId();
  await tx.client.query(
    `INSERT INTO bosun.note (id, project_id, task_id, kind, body, author) VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, note.projectId, note.taskId ?? null, note.kind, note.body, tx.actor],
  );
  appendEvent(tx, {
    projectId: note.projectId,
    taskId: note.taskId ?? null,
    kind: 'note.added',
    data: { noteId: id, kind: note.kind, chars: note.body.length },
  });
  return (await listNotes(tx.client, { projectId: note.projectId, ids: [id], limit: 1 }))[0]!;
}

/** Newest first. With `taskIds`, notes on those tasks plus the project's own notes. */
export async function listNotes(
  q: Queryable,
  filter: { projectId: string; taskIds?: string[]; kinds?: NoteKind[]; ids?: string[]; limit: number; offset?: number },
): Promise<Note[]> {
  const res = await q.query<Note>(
    `SELECT n.id, n.project_id AS "projectId", n.task_id AS "taskId",
            CASE WHEN t.id IS NULL THEN NULL ELSE p.slug || '#' || t.number END AS "taskRef",
            n.kind, n.body, n.author, n.created_at AS "createdAt"
       FROM bosun.note n JOIN bosun.project p ON p.id = n.project_id LEFT JOIN bosun.task t ON t.id = n.task_id
      WHERE n.project_id = $1
        AND ($2::uuid[] IS NULL OR n.task_id IS NULL OR n.task_id = ANY($2))
        AND ($3::text[] IS NULL OR n.kind = ANY($3))
        AND ($4::uuid[] IS NULL OR n.id = ANY($4))
      ORDER BY n.created_at DESC, n.id
      LIMIT $5 OFFSET $6`,
    [
      filter.projectId,
      filter.taskIds ?? null,
      filter.kinds ?? null,
      filter.ids ?? null,
      filter.limit,
      filter.offset ?? 0,
    ],
  );
  return res.rows;
}
