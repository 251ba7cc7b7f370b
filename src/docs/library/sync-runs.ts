import os from 'node:os';
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

export type SyncRunStatus = 'running' | 'succeeded' | 'failed' | 'interrupted';

/** How often a running sync says it is alive, and after how long without a beat it is taken for dead. */
export const SYNC_HEARTBEAT_MS = 5_000;
export const SYNC_STALE_MS = 30_000;

const INTERRUPTED = { code: 'INTERRUPTED', message: 'the sync stopped before it finished (its process ended)' };

/** Same host: ask the kernel whether the pid lives; elsewhere only the heartbeat can tell. */
function ownerAlive(pid: number | null, host: string | null): boolean | null {
  if (pid === null || host !== os.hostname()) return null;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A stored status as it really is: a `running` run whose owner is gone is `interrupted`. */
export function effectiveStatus(row: {
  status: SyncRunStatus;
  owner_pid: number | null;
  owner_host: string | null;
  heartbeat_at: Date | null;
}): SyncRunStatus {
  if (row.status !== 'running') return row.status;
  const alive = ownerAlive(row.owner_pid, row.owner_host);
  if (alive === false) return 'interrupted';
  const stale = row.heartbeat_at !== null && Date.now() - row.heartbeat_at.getTime() > SYNC_STALE_MS;
  return alive === null && stale ? 'interrupted' : 'running';
}

export interface SyncRun {
  id: string;
  /** `interrupted`: marked running, but its process is gone (killed) or stopped beating. */
  status: SyncRunStatus;
  startedAt: Date;
  finishedAt: Date | null;
  snapshotId: number | null;
  summary: SyncSummary | null;
  error: { code: string; message: string; hint?: string } | null;
}

const runError = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).passthrough();

interface RunRow {
  id: string;
  status: SyncRunStatus;
  owner_pid: number | null;
  owner_host: string | null;
  heartbeat_at: Date | null;
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
    `UPDATE bosun.doc_sync_run SET status = 'interrupted', finished_at = now(), error = $2
      WHERE library = $1 AND status = 'running'`,
    [library, JSON.stringify(INTERRUPTED)],
  );
  const id = newId();
  await q.query(
    `INSERT INTO bosun.doc_sync_run (id, library, status, owner_pid, owner_host, heartbeat_at)
     VALUES ($1, $2, 'running', $3, $4, now())`,
    [id, library, process.pid, os.hostname()],
  );
  return id;
}

/** Renews the run's heartbeat every few seconds until the returned function is called. */
export function beatSyncRun(q: Queryable, runId: string): () => void {
  const timer = setInterval(() => {
    q.query(`UPDATE bosun.doc_sync_run SET heartbeat_at = now() WHERE id = $1`, [runId]).catch(() => undefined);
  }, SYNC_HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Closes runs left `running` by processes that are gone (`bosun docs repair`, and every sync
 * for its own library): they become `interrupted`. Returns the libraries whose runs were closed.
 */
export async function closeInterruptedRuns(q: Queryable): Promise<{ runId: string; library: string }[]> {
  const res = await q.query<RunRow & { library: string }>(
    `SELECT id, library, status, owner_pid, owner_host, heartbeat_at FROM bosun.doc_sync_run WHERE status = 'running'`,
  );
  const gone = res.rows.filter((r) => effectiveStatus(r) === 'interrupted');
  for (const r of gone) {
    await q.query(
      `UPDATE bosun.doc_sync_run SET status = 'interrupted', finished_at = now(), error = $2
        WHERE id = $1 AND status = 'running'`,
      [r.id, JSON.stringify(INTERRUPTED)],
    );
  }
  return gone.map((r) => ({ runId: r.id, library: r.library }));
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
  status: effectiveStatus(r),
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  snapshotId: r.snapshot_id,
  summary: r.summary === null ? null : parseWith(syncSummarySchema, r.summary, 'stored sync summary', 'INTERNAL'),
  error: r.error === null ? null : parseWith(runError, r.error, 'stored sync error', 'INTERNAL'),
});

/** The library's latest runs, newest first. */
export async function recentSyncRuns(q: Queryable, library: string, limit = 1): Promise<SyncRun[]> {
  const res = await q.query<RunRow>(
    `SELECT id, status, owner_pid, owner_host, heartbeat_at, started_at, finished_at, snapshot_id, summary, error
       FROM bosun.doc_sync_run WHERE library = $1 ORDER BY started_at DESC LIMIT $2`,
    [library, limit],
  );
  return res.rows.map(fromRow);
}
