import type pg from 'pg';
import { z } from 'zod';
import { parseWith } from '../core/index.js';
import { withTransaction } from '../db/index.js';
import type { SchemaEntry, TableEntry } from './catalog.js';
import { pathForDeletionSchedule, resolveFilePath, tableDirectory } from './paths.js';
import type { LakeSession } from './session.js';

export interface ExpireOptions {
  /** Snapshots taken longer ago than this are expired (never the latest one). */
  olderThanMs: number;
  /** Report what would be expired, change nothing. */
  dryRun?: boolean;
}

export interface ExpireResult {
  dryRun: boolean;
  expiredSnapshots: number[];
  /** Files no remaining snapshot reads, now scheduled for deletion (`cleanup` removes them). */
  filesScheduled: string[];
}

/** Catalog tables whose rows live from `begin_snapshot` to `end_snapshot`. */
const VERSIONED_TABLES = [
  'ducklake_schema',
  'ducklake_table',
  'ducklake_view',
  'ducklake_column',
  'ducklake_tag',
  'ducklake_column_tag',
  'ducklake_partition_info',
  'ducklake_macro',
  'ducklake_sort_info',
];

/** A row no remaining snapshot can see: it ended, and no snapshot falls in its lifetime. */
const UNREACHABLE = `t.end_snapshot IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM ducklake.ducklake_snapshot s WHERE s.snapshot_id >= t.begin_snapshot AND s.snapshot_id < t.end_snapshot)`;

/**
 * `expire_snapshots`: removes old snapshots, then every catalog row that no remaining snapshot
 * can see. Files that only expired snapshots read are scheduled for deletion, not deleted:
 * a query may still be reading them.
 */
export async function expire(session: LakeSession, options: ExpireOptions): Promise<ExpireResult> {
  const opts = parseWith(
    z.object({ olderThanMs: z.number().int().min(0), dryRun: z.boolean().optional() }).strict(),
    options,
    'expire options',
  );
  const dryRun = opts.dryRun ?? false;
  try {
    return await withTransaction(session.pool, async (client) => {
      const result = await expireIn(client, session.dataPath, opts.olderThanMs, dryRun);
      // A dry run does the work and throws it away, so it reports exactly what a real run would.
      if (dryRun) throw new DryRunDone(result);
      return result;
    });
  } catch (err) {
    if (err instanceof DryRunDone) return err.result;
    throw err;
  }
}

class DryRunDone extends Error {
  constructor(readonly result: ExpireResult) {
    super('dry run');
  }
}

async function expireIn(
  client: pg.PoolClient,
  dataPath: string,
  olderThanMs: number,
  dryRun: boolean,
): Promise<ExpireResult> {
  // Serialises with committers: a commit claims the next snapshot id, this locks the table.
  await client.query('LOCK TABLE ducklake.ducklake_snapshot IN SHARE ROW EXCLUSIVE MODE');
  const expired = await client.query<{ snapshot_id: number }>(
    `DELETE FROM ducklake.ducklake_snapshot
      WHERE snapshot_time < now() - make_interval(secs => $1::double precision / 1000)
        AND snapshot_id < (SELECT max(snapshot_id) FROM ducklake.ducklake_snapshot)
      RETURNING snapshot_id`,
    [olderThanMs],
  );
  const ids = expired.rows.map((r) => Number(r.snapshot_id)).sort((a, b) => a - b);
  if (!ids.length) return { dryRun, expiredSnapshots: [], filesScheduled: [] };
  await client.query(`DELETE FROM ducklake.ducklake_snapshot_changes WHERE snapshot_id = ANY($1::bigint[])`, [ids]);

  const directories = await tableDirectories(client, dataPath);
  const scheduled: string[] = [];
  for (const kind of ['ducklake_delete_file', 'ducklake_data_file'] as const) {
    const idColumn = kind === 'ducklake_data_file' ? 'data_file_id' : 'delete_file_id';
    const removed = await client.query(
      `DELETE FROM ducklake.${kind} t WHERE ${UNREACHABLE} RETURNING ${idColumn} AS id, table_id, path, path_is_relative`,
    );
    for (const row of removed.rows) {
      const r = parseWith(removedFileRow, row, `${kind} row`, 'LAKE_ERROR');
      const absolute = resolveFilePath(directories.get(r.table_id) ?? dataPath, r.path, r.path_is_relative ?? true);
      const entry = pathForDeletionSchedule(dataPath, absolute);
      await client.query(
        `INSERT INTO ducklake.ducklake_files_scheduled_for_deletion (data_file_id, path, path_is_relative, schedule_start) VALUES ($1, $2, $3, now())`,
        [r.id, entry.path, entry.relative],
      );
      scheduled.push(absolute);
    }
  }
  for (const stats of ['ducklake_file_column_stats', 'ducklake_file_partition_value', 'ducklake_file_variant_stats']) {
    await client.query(
      `DELETE FROM ducklake.${stats} s WHERE NOT EXISTS (SELECT 1 FROM ducklake.ducklake_data_file d WHERE d.data_file_id = s.data_file_id)`,
    );
  }
  for (const table of VERSIONED_TABLES) await client.query(`DELETE FROM ducklake.${table} t WHERE ${UNREACHABLE}`);
  // What belonged to tables that are now gone entirely.
  for (const table of [
    'ducklake_table_stats',
    'ducklake_table_column_stats',
    'ducklake_partition_column',
    'ducklake_sort_expression',
    'ducklake_schema_versions',
  ]) {
    await client.query(
      `DELETE FROM ducklake.${table} x WHERE NOT EXISTS (SELECT 1 FROM ducklake.ducklake_table t WHERE t.table_id = x.table_id)`,
    );
  }
  return { dryRun, expiredSnapshots: ids, filesScheduled: scheduled };
}

const removedFileRow = z.object({
  id: z.coerce.number().int(),
  table_id: z.coerce.number().int(),
  path: z.string(),
  path_is_relative: z.boolean().nullable(),
});

const directoryRow = z.object({
  table_id: z.coerce.number().int(),
  table_name: z.string(),
  begin_snapshot: z.coerce.number().int(),
  path: z.string().nullable(),
  path_is_relative: z.boolean().nullable(),
  schema_id: z.coerce.number().int(),
  schema_name: z.string(),
  schema_path: z.string().nullable(),
  schema_path_is_relative: z.boolean().nullable(),
});

/** Each table's directory (from its newest version), including tables that ended. */
async function tableDirectories(client: pg.PoolClient, dataPath: string): Promise<Map<number, string>> {
  const res = await client.query(
    `SELECT DISTINCT ON (t.table_id) t.table_id, t.table_name, t.begin_snapshot, t.path, t.path_is_relative,
            s.schema_id, s.schema_name, s.path AS schema_path, s.path_is_relative AS schema_path_is_relative
       FROM ducklake.ducklake_table t JOIN ducklake.ducklake_schema s ON s.schema_id = t.schema_id
      ORDER BY t.table_id, t.begin_snapshot DESC`,
  );
  const directories = new Map<number, string>();
  for (const row of res.rows) {
    const r = parseWith(directoryRow, row, 'ducklake_table row', 'LAKE_ERROR');
    const schema: SchemaEntry = {
      id: r.schema_id,
      name: r.schema_name,
      path: r.schema_path,
      pathIsRelative: r.schema_path_is_relative ?? true,
    };
    const table: TableEntry = {
      id: r.table_id,
      name: r.table_name,
      beginSnapshot: r.begin_snapshot,
      path: r.path,
      pathIsRelative: r.path_is_relative ?? true,
      schema,
    };
    directories.set(r.table_id, tableDirectory(dataPath, table));
  }
  return directories;
}
