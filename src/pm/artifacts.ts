import { newId } from '../core/index.js';
import type { Queryable } from './context.js';
import { appendEvent } from './events.js';
import type { PmTx } from './transaction.js';

/** The `bosun.artifact` table: what tasks produced, by URI or inline, with hash, size and lineage. */
export interface ArtifactRow {
  id: string;
  projectId: string;
  taskId: string;
  taskRef: string;
  runId: string | null;
  name: string;
  mediaType: string;
  uri: string | null;
  inline: string | null;
  sha256: string;
  bytes: number;
  lineage: Record<string, unknown>;
  createdAt: Date;
}

export interface NewArtifact {
  name: string;
  mediaType: string;
  uri?: string | null;
  inline?: string | null;
  sha256: string;
  bytes: number;
  lineage?: Record<string, unknown>;
}

/**
 * Records a run's artifacts. A name the task already has is kept as it is (a retry of an
 * idempotent task never duplicates outputs); returns the ids of the rows written.
 */
export async function recordArtifacts(
  tx: PmTx,
  owner: { projectId: string; taskId: string; taskRef: string; runId: string | null },
  artifacts: readonly NewArtifact[],
): Promise<string[]> {
  const written: string[] = [];
  for (const a of artifacts) {
    const res = await tx.client.query<{ id: string }>(
      `INSERT INTO bosun.artifact (id, project_id, task_id, run_id, name, media_type, uri, inline, sha256, bytes, lineage)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (task_id, name) DO NOTHING RETURNING id`,
      [
        newId(),
        owner.projectId,
        owner.taskId,
        owner.runId,
        a.name,
        a.mediaType,
        a.uri ?? null,
        a.inline ?? null,
        a.sha256,
        a.bytes,
        a.lineage ?? {},
      ],
    );
    const id = res.rows[0]?.id;
    if (!id) continue;
    written.push(id);
    appendEvent(tx, {
      projectId: owner.projectId,
      taskId: owner.taskId,
      runId: owner.runId,
      kind: 'artifact.recorded',
      data: { ref: owner.taskRef, artifactId: id, name: a.name, bytes: a.bytes },
    });
  }
  return written;
}

export async function listArtifacts(
  q: Queryable,
  filter: { projectId?: string; taskIds?: string[] },
): Promise<ArtifactRow[]> {
  const res = await q.query<ArtifactRow>(
    `SELECT a.id, a.project_id AS "projectId", a.task_id AS "taskId", p.slug || '#' || t.number AS "taskRef",
            a.run_id AS "runId", a.name, a.media_type AS "mediaType", a.uri, a.inline, a.sha256, a.bytes,
            a.lineage, a.created_at AS "createdAt"
       FROM bosun.artifact a JOIN bosun.task t ON t.id = a.task_id JOIN bosun.project p ON p.id = a.project_id
      WHERE ($1::uuid IS NULL OR a.project_id = $1) AND ($2::uuid[] IS NULL OR a.task_id = ANY($2))
      ORDER BY t.number, a.name`,
    [filter.projectId ?? null, filter.taskIds ?? null],
  );
  return res.rows;
}
