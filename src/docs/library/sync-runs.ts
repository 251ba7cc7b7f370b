import { z } from 'zod';
import { newId, parseWith, type BosunError } from '../../core/index.js';
import type { Queryable } from './libraries.js';

const pageFailure = z.object({ version: z.string(), path: z.string(), url: z.string().optional(), reason: z.string() });
const sourceConflict = z.object({
  version: z.string(),
  path: z.string(),
  /** Position of the source whose page was kept (the earlier-listed one). */
  winner: z.number().int(),
  loser: z.number().int(),
});

/** What one sync did; stored with its run and printed by `bosun docs sync`. */
export const syncSummarySchema = z.object({
  library: z.string(),
  runId: z.string(),
  pages: z.object({
    added: z.number().int(),
    changed: z.number().int(),
    removed: z.number().int(),
    unchanged: z.number().int(),
    failed: z.number().int(),
  }),
  failures: z.array(pageFailure),
  conflicts: z.array(sourceConflict),
  chunks: z.object({ added: z.number().int(), removed: z.number().int(), total: z.number().int() }),
  links: z.object({ total: z.number().int(), broken: z.number().int() }),
  versions: z.array(z.string()),
  defaultVersion: z.string().nullable(),
  /** The lake snapshot this sync committed; null when nothing changed (no snapshot is made). */
  snapshotId: z.number().int().nullable(),
  durationMs: z.number(),
  warnings: z.array(z.string()),
});
export type SyncSummary = z.infer<typeof syncSummarySchema>;
export type PageFailure = z.infer<typeof pageFailure>;
export type SourceConflict = z.infer<typeof sourceConflict>;

export interface SyncRun {
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: Date;
  finishedAt: Date | null;
  snapshotId: number | null;
  summary: SyncSummary | null;
  error: { code: string; message: string; hint?: string } | null;
}

const runError = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).passthrough();

interface RunRow {
  id: string;
  status: SyncRun['status'];
  started_at: Date;
  finished_at: Date | null;
  snapshot_id: number | null;
  summary: unknown;
  error: unknown;
}

/**
 * Opens a run. Runs of this library still marked running belong to a process that died (the
 * caller holds the library's sync lock), so they are closed as interrupted first.
 */
export async function startSyncRun(q: Queryable, library: string): Promise<string> {
  await q.query(
    `UPDATE bosun.doc_sync_run SET status = 'failed', finished_at = now(), error = $2
      WHERE library = $1 AND status = 'running'`,
    [library, JSON.stringify({ code: 'INTERRUPTED', message: 'the sync stopped before it finished (process ended)' })],
  );
  const id = newId();
  await q.query(`INSERT INTO bosun.doc_sync_run (id, library, status) VALUES ($1, $2, 'running')`, [id, library]);
  return id;
}

export async function finishSyncRun(q: Queryable, summary: SyncSummary): Promise<void> {
  await q.query(
    `UPDATE bosun.doc_sync_run SET status = 'succeeded', finished_at = now(), snapshot_id = $2, summary = $3 WHERE id = $1`,
    [summary.runId, summary.snapshotId, JSON.stringify(summary)],
  );
}

export async function failSyncRun(q: Queryable, runId: string, error: BosunError): Promise<void> {
  await q.query(`UPDATE bosun.doc_sync_run SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [
    runId,
    JSON.stringify(error.toJSON()),
  ]);
}

const fromRow = (r: RunRow): SyncRun => ({
  id: r.id,
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  snapshotId: r.snapshot_id,
  summary: r.summary === null ? null : parseWith(syncSummarySchema, r.summary, 'stored sync summary', 'INTERNAL'),
  error: r.error === null ? null : parseWith(runError, r.error, 'stored sync error', 'INTERNAL'),
});

/** The library's latest runs, newest first. */
export async function recentSyncRuns(q: Queryable, library: string, limit = 1): Promise<SyncRun[]> {
  const res = await q.query<RunRow>(
    `SELECT id, status, started_at, finished_at, snapshot_id, summary, error
       FROM bosun.doc_sync_run WHERE library = $1 ORDER BY started_at DESC LIMIT $2`,
    [library, limit],
  );
  return res.rows.map(fromRow);
}
