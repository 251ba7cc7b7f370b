import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { z } from 'zod';
import { BosunError, parseWith, type Logger } from '../core/index.js';
import { snapshotsWithChanges } from './catalog.js';
import { applyIntents, CatalogConflict, idsNeeded, type ApplyContext } from './catalog-writer.js';
import { findConflict, formatChanges, parseChanges, type PendingChanges } from './changes.js';
import type { Intent } from './intents.js';
import { LAKE_SNAPSHOT_CHANNEL } from './snapshot-events.js';

/**
 * The optimistic commit of DuckLake: the data files are already written; one catalog
 * transaction takes snapshot id `max + 1`, whose primary key makes concurrent committers
 * collide. The loser re-reads what was committed since its base snapshot, stops if that
 * logically conflicts with its own changes (conflict_resolution.md), and otherwise retries
 * with the next id after a jittered backoff, without rewriting any data file.
 */

export interface CommitRequest {
  baseSnapshotId: number;
  intents: readonly Intent[];
  pending: PendingChanges;
  author: string | null;
  message: string | null;
  dataPath: string;
  /** Writes snapshot-dependent files (replacement delete files) during an attempt. */
  writeReplacementDeleteFile: ApplyContext['writeReplacementDeleteFile'];
}

export interface CommitResult {
  snapshotId: number;
  changes: string;
  attempts: number;
}

/** Thrown when the outcome is unknown (the connection failed during COMMIT): files must stay. */
export class AmbiguousCommit extends BosunError {}

const RETRY_BUDGET_MS = 120_000;
const BACKOFF_BASE_MS = 2;
const BACKOFF_CAP_MS = 200;
const UNIQUE_VIOLATION = '23505';

const claimedRow = z.object({
  snapshot_id: z.coerce.number().int(),
  schema_version: z.coerce.number().int(),
  first_catalog_id: z.coerce.number().int(),
  first_file_id: z.coerce.number().int(),
});

export async function commitIntents(pool: pg.Pool, request: CommitRequest, logger: Logger): Promise<CommitResult> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptCommit(pool, request);
    if (outcome !== 'collision') return { ...outcome, attempts: attempt };
    if (Date.now() - started > RETRY_BUDGET_MS) {
      throw new BosunError(
        'LAKE_CONFLICT',
        `could not commit after ${attempt} attempts: other writers keep taking the next snapshot`,
        {
          hint: 'retry later',
        },
      );
    }
    const delay = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 10));
    logger.debug({ attempt, delay }, 'lake commit collided with another writer; retrying');
    await sleep(delay);
  }
}

async function attemptCommit(
  pool: pg.Pool,
  request: CommitRequest,
): Promise<Omit<CommitResult, 'attempts'> | 'collision'> {
  const client = await pool.connect();
  let committing = false;
  try {
    await client.query('BEGIN');
    const needed = idsNeeded(request.intents);
    // Reading the latest snapshot and inserting the next one is one statement: the primary key
    // turns a race with another committer into a unique violation.
    let claimed;
    try {
      claimed = await client.query(
        `INSERT INTO ducklake.ducklake_snapshot (snapshot_id, snapshot_time, schema_version, next_catalog_id, next_file_id)
         SELECT snapshot_id + 1, clock_timestamp(), schema_version + $1, next_catalog_id + $2, next_file_id + $3
           FROM ducklake.ducklake_snapshot ORDER BY snapshot_id DESC LIMIT 1
         RETURNING snapshot_id, schema_version, next_catalog_id - $2 AS first_catalog_id, next_file_id - $3 AS first_file_id`,
        [needed.schemaChange ? 1 : 0, needed.catalogIds, needed.fileIds],
      );
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
        await client.query('ROLLBACK');
        return 'collision';
      }
      throw err;
    }
    const claim = parseWith(claimedRow, claimed.rows[0], 'claimed snapshot', 'LAKE_ERROR');
    const snapshotId = claim.snapshot_id;
    const conflict = snapshotId - 1 === request.baseSnapshotId ? null : await conflictSince(client, request);
    if (conflict) throw conflictError(conflict);
    // From here on this transaction owns the snapshot: nobody else can commit until it ends.
    const tokens = await applyIntents(
      {
        client,
        dataPath: request.dataPath,
        snapshotId,
        schemaVersion: claim.schema_version,
        nextCatalogId: claim.first_catalog_id,
        nextFileId: claim.first_file_id,
        writeReplacementDeleteFile: request.writeReplacementDeleteFile,
      },
      request.intents,
    );
    const changes = formatChanges(tokens);
    await client.query(
      `INSERT INTO ducklake.ducklake_snapshot_changes (snapshot_id, changes_made, author, commit_message, commit_extra_info)
       VALUES ($1, $2, $3, $4, NULL)`,
      [snapshotId, changes, request.author, request.message],
    );
    // Delivered at COMMIT, so long-running readers (search) load the snapshot without polling.
    await client.query('SELECT pg_notify($1, $2)', [LAKE_SNAPSHOT_CHANNEL, String(snapshotId)]);
    committing = true;
    await client.query('COMMIT');
    return { snapshotId, changes };
  } catch (err) {
    if (committing) {
      throw new AmbiguousCommit(
        'LAKE_ERROR',
        `the lake commit may or may not have happened: ${(err as Error).message}`,
        {
          hint: '`bosun lake snapshots` shows whether it did; files it wrote are kept (cleanup removes them if unused)',
          cause: err,
        },
      );
    }
    await client.query('ROLLBACK').catch(() => undefined);
    if (err instanceof CatalogConflict) throw conflictError(err.message);
    throw err;
  } finally {
    client.release();
  }
}

/** The logical conflict with snapshots committed since the base, if any (our own claim has no changes yet). */
async function conflictSince(client: pg.PoolClient, request: CommitRequest): Promise<string | null> {
  const since = await snapshotsWithChanges(client, request.baseSnapshotId);
  if (!since.length) return null;
  return findConflict(
    request.pending,
    since.flatMap((s) => parseChanges(s.changesMade)),
  );
}

function conflictError(reason: string): BosunError {
  return new BosunError('LAKE_CONFLICT', `the lake changed under this transaction: ${reason}`, {
    hint: 'nothing was committed; run the operation again on the current snapshot',
  });
}
