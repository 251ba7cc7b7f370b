import pg from 'pg';
import { z } from 'zod';
import { BosunError, parseWith } from '../core/index.js';
import type { LakeColumn } from './column-types.js';

/**
 * Reads of the DuckLake catalog, following the specification's queries: what exists at a
 * snapshot is every row with `begin_snapshot <= s < end_snapshot` (or no end). Rows are
 * validated: a catalog may have been written by another program.
 */

export type Queryable = pg.Pool | pg.PoolClient;

/** The DuckLake version Bosun reads and writes (`ducklake_metadata.version`). */
export const SPEC_VERSION = '1.0';

const id = z.coerce.number().int();
const optionalId = id.nullable();

const snapshotRow = z.object({
  snapshot_id: id,
  snapshot_time: z.coerce.date(),
  schema_version: id,
  next_catalog_id: id,
  next_file_id: id,
});

export interface Snapshot {
  id: number;
  time: Date;
  schemaVersion: number;
  nextCatalogId: number;
  nextFileId: number;
}

const toSnapshot = (row: unknown): Snapshot => {
  const r = parseWith(snapshotRow, row, 'ducklake_snapshot row', 'LAKE_ERROR');
  return {
    id: r.snapshot_id,
    time: r.snapshot_time,
    schemaVersion: r.schema_version,
    nextCatalogId: r.next_catalog_id,
    nextFileId: r.next_file_id,
  };
};

const SNAPSHOT_COLUMNS = 'snapshot_id, snapshot_time, schema_version, next_catalog_id, next_file_id';

export async function latestSnapshot(q: Queryable): Promise<Snapshot> {
  const res = await q.query(
    `SELECT ${SNAPSHOT_COLUMNS} FROM ducklake.ducklake_snapshot ORDER BY snapshot_id DESC LIMIT 1`,
  );
  if (!res.rows[0])
    throw new BosunError('LAKE_ERROR', 'the lake catalog has no snapshot', {
      hint: 'open the lake once with Bosun to initialise it',
    });
  return toSnapshot(res.rows[0]);
}

export async function snapshotById(q: Queryable, snapshotId: number): Promise<Snapshot> {
  const res = await q.query(`SELECT ${SNAPSHOT_COLUMNS} FROM ducklake.ducklake_snapshot WHERE snapshot_id = $1`, [
    snapshotId,
  ]);
  if (!res.rows[0]) {
    throw new BosunError('NOT_FOUND', `snapshot ${snapshotId} does not exist`, {
      hint: 'it may have been expired; `bosun lake snapshots` lists the ones that remain',
    });
  }
  return toSnapshot(res.rows[0]);
}

/**
 * The snapshot that was current at `time`: the newest one taken at or before it. Text is
 * parsed by PostgreSQL, which keeps the microseconds snapshot times have (a Date has none).
 */
export async function snapshotAtTime(q: Queryable, time: Date | string): Promise<Snapshot> {
  let res;
  try {
    res = await q.query(
      `SELECT ${SNAPSHOT_COLUMNS} FROM ducklake.ducklake_snapshot
        WHERE snapshot_time <= $1::timestamptz
        ORDER BY snapshot_id DESC LIMIT 1`,
      [time],
    );
  } catch (err) {
    if (/^22/.test((err as { code?: string }).code ?? '')) {
      throw new BosunError('INVALID_INPUT', `'${String(time)}' is not a timestamp`, {
        hint: 'use ISO 8601, e.g. 2026-01-31T12:00:00Z',
      });
    }
    throw err;
  }
  const shown = time instanceof Date ? time.toISOString() : time;
  if (!res.rows[0]) throw new BosunError('NOT_FOUND', `no snapshot exists at or before ${shown}`);
  return toSnapshot(res.rows[0]);
}

const metadataRow = z.object({ key: z.string(), value: z.string() });

/** Global-scope metadata (`scope IS NULL`), key → value. */
export async function globalMetadata(q: Queryable): Promise<Map<string, string>> {
  const res = await q.query(`SELECT key, value FROM ducklake.ducklake_metadata WHERE scope IS NULL`);
  return new Map(
    res.rows
      .map((row) => parseWith(metadataRow, row, 'ducklake_metadata row', 'LAKE_ERROR'))
      .map((r) => [r.key, r.value]),
  );
}

const schemaRow = z.object({
  schema_id: id,
  schema_name: z.string(),
  path: z.string().nullable(),
  path_is_relative: z.boolean().nullable(),
});

export interface SchemaEntry {
  id: number;
  name: string;
  path: string | null;
  pathIsRelative: boolean;
}

export async function schemasAt(q: Queryable, snapshotId: number): Promise<SchemaEntry[]> {
  const res = await q.query(
    `SELECT schema_id, schema_name, path, path_is_relative
       FROM ducklake.ducklake_schema
      WHERE $1 >= begin_snapshot AND ($1 < end_snapshot OR end_snapshot IS NULL)
      ORDER BY schema_name`,
    [snapshotId],
  );
  return res.rows.map((row) => {
    const r = parseWith(schemaRow, row, 'ducklake_schema row', 'LAKE_ERROR');
    return { id: r.schema_id, name: r.schema_name, path: r.path, pathIsRelative: r.path_is_relative ?? true };
  });
}

const tableRow = z.object({
  table_id: id,
  table_name: z.string(),
  begin_snapshot: id,
  path: z.string().nullable(),
  path_is_relative: z.boolean().nullable(),
  schema_id: id,
  schema_name: z.string(),
  schema_path: z.string().nullable(),
  schema_path_is_relative: z.boolean().nullable(),
});

export interface TableEntry {
  id: number;
  name: string;
  beginSnapshot: number;
  path: string | null;
  pathIsRelative: boolean;
  schema: SchemaEntry;
}

/** Tables (with their schema) visible at a snapshot. */
export async function tablesAt(q: Queryable, snapshotId: number): Promise<TableEntry[]> {
  const res = await q.query(
    `SELECT t.table_id, t.table_name, t.begin_snapshot, t.path, t.path_is_relative,
            s.schema_id, s.schema_name, s.path AS schema_path, s.path_is_relative AS schema_path_is_relative
       FROM ducklake.ducklake_table t
       JOIN ducklake.ducklake_schema s ON s.schema_id = t.schema_id
      WHERE $1 >= t.begin_snapshot AND ($1 < t.end_snapshot OR t.end_snapshot IS NULL)
        AND $1 >= s.begin_snapshot AND ($1 < s.end_snapshot OR s.end_snapshot IS NULL)
      ORDER BY s.schema_name, t.table_name`,
    [snapshotId],
  );
  return res.rows.map((row) => {
    const r = parseWith(tableRow, row, 'ducklake_table row', 'LAKE_ERROR');
    return {
      id: r.table_id,
      name: r.table_name,
      beginSnapshot: r.begin_snapshot,
      path: r.path,
      pathIsRelative: r.path_is_relative ?? true,
      schema: {
        id: r.schema_id,
        name: r.schema_name,
        path: r.schema_path,
        pathIsRelative: r.schema_path_is_relative ?? true,
      },
    };
  });
}

const columnRow = z.object({
  table_id: id,
  column_id: id,
  column_name: z.string(),
  column_type: z.string(),
  initial_default: z.string().nullable(),
  parent_column: optionalId,
  begin_snapshot: id,
  end_snapshot: optionalId,
});

type ColumnRow = z.infer<typeof columnRow>;

const COLUMN_COLUMNS =
  'table_id, column_id, column_name, column_type, initial_default, parent_column, begin_snapshot, end_snapshot';

/** Column trees per table from `ducklake_column` rows of one snapshot, ordered by `column_order`. */
function columnTrees(
  rows: readonly ColumnRow[],
  tableIds: readonly number[],
  snapshotId: number,
): Map<number, LakeColumn[]> {
  const byTable = new Map<number, LakeColumn[]>(tableIds.map((t) => [t, []]));
  const nodes = new Map<string, LakeColumn>();
  for (const r of rows) {
    nodes.set(`${r.table_id}:${r.column_id}`, {
      id: r.column_id,
      name: r.column_name,
      type: r.column_type,
      children: [],
      initialDefault: r.initial_default,
    });
  }
  for (const r of rows) {
    const node = nodes.get(`${r.table_id}:${r.column_id}`)!;
    if (r.parent_column === null) {
      byTable.get(r.table_id)?.push(node);
      continue;
    }
    const parent = nodes.get(`${r.table_id}:${r.parent_column}`);
    if (!parent)
      throw new BosunError(
        'LAKE_ERROR',
        `column ${r.column_id} of table ${r.table_id} names parent ${r.parent_column}, which does not exist at snapshot ${snapshotId}`,
      );
    parent.children.push(node);
  }
  return byTable;
}

/** The column trees of tables at a snapshot, top-level columns in `column_order`. */
export async function columnsAt(
  q: Queryable,
  tableIds: readonly number[],
  snapshotId: number,
): Promise<Map<number, LakeColumn[]>> {
  const res = await q.query(
    `SELECT ${COLUMN_COLUMNS}
       FROM ducklake.ducklake_column
      WHERE table_id = ANY($1::bigint[])
        AND $2 >= begin_snapshot AND ($2 < end_snapshot OR end_snapshot IS NULL)
      ORDER BY table_id, column_order, column_id`,
    [tableIds, snapshotId],
  );
  return columnTrees(
    res.rows.map((row) => parseWith(columnRow, row, 'ducklake_column row', 'LAKE_ERROR')),
    tableIds,
    snapshotId,
  );
}

/**
 * Every version of a table's columns, as a function from snapshot to column tree: one query
 * for a question asked of many snapshots (which schema each data file was written with).
 */
export async function columnHistory(q: Queryable, tableId: number): Promise<(snapshotId: number) => LakeColumn[]> {
  const res = await q.query(
    `SELECT ${COLUMN_COLUMNS} FROM ducklake.ducklake_column WHERE table_id = $1 ORDER BY column_order, column_id`,
    [tableId],
  );
  const rows = res.rows.map((row) => parseWith(columnRow, row, 'ducklake_column row', 'LAKE_ERROR'));
  return (s) =>
    columnTrees(
      rows.filter((r) => r.begin_snapshot <= s && (r.end_snapshot === null || s < r.end_snapshot)),
      [tableId],
      s,
    ).get(tableId) ?? [];
}

const dataFileRow = z.object({
  table_id: id,
  data_file_id: id,
  path: z.string(),
  path_is_relative: z.boolean().nullable(),
  file_format: z.string().nullable(),
  record_count: id,
  file_size_bytes: id,
  row_id_start: id,
  begin_snapshot: id,
  partial_max: optionalId,
  mapping_id: optionalId,
  encryption_key: z.string().nullable(),
  delete_file_id: optionalId,
  delete_path: z.string().nullable(),
  delete_path_is_relative: z.boolean().nullable(),
  delete_format: z.string().nullable(),
  delete_count: optionalId,
  delete_begin_snapshot: optionalId,
  delete_partial_max: optionalId,
  delete_encryption_key: z.string().nullable(),
});

export interface DeleteFileEntry {
  id: number;
  path: string;
  pathIsRelative: boolean;
  format: string | null;
  deleteCount: number;
  beginSnapshot: number;
  partialMax: number | null;
  encryptionKey: string | null;
}

export interface DataFileEntry {
  tableId: number;
  id: number;
  path: string;
  pathIsRelative: boolean;
  format: string | null;
  recordCount: number;
  fileSizeBytes: number;
  rowIdStart: number;
  beginSnapshot: number;
  /** Set on merged files: rows carry `_ducklake_internal_snapshot_id` up to this snapshot. */
  partialMax: number | null;
  mappingId: number | null;
  encryptionKey: string | null;
  /** The delete file that applies at the snapshot read (at most one per data file). */
  deletes: DeleteFileEntry | null;
}

/** Data files of tables at a snapshot, each with the delete file valid at that snapshot. */
export async function dataFilesAt(
  q: Queryable,
  tableIds: readonly number[],
  snapshotId: number,
): Promise<DataFileEntry[]> {
  const res = await q.query(
    `SELECT d.table_id, d.data_file_id, d.path, d.path_is_relative, d.file_format, d.record_count,
            d.file_size_bytes, d.row_id_start, d.begin_snapshot, d.partial_max, d.mapping_id, d.encryption_key,
            x.delete_file_id, x.path AS delete_path, x.path_is_relative AS delete_path_is_relative,
            x.format AS delete_format, x.delete_count, x.begin_snapshot AS delete_begin_snapshot,
            x.partial_max AS delete_partial_max, x.encryption_key AS delete_encryption_key
       FROM ducklake.ducklake_data_file d
       LEFT JOIN ducklake.ducklake_delete_file x
         ON x.data_file_id = d.data_file_id
        AND $2 >= x.begin_snapshot AND ($2 < x.end_snapshot OR x.end_snapshot IS NULL)
      WHERE d.table_id = ANY($1::bigint[])
        AND $2 >= d.begin_snapshot AND ($2 < d.end_snapshot OR d.end_snapshot IS NULL)
      ORDER BY d.table_id, d.file_order NULLS LAST, d.row_id_start, d.data_file_id`,
    [tableIds, snapshotId],
  );
  const files = res.rows.map((row): DataFileEntry => {
    const r = parseWith(dataFileRow, row, 'ducklake_data_file row', 'LAKE_ERROR');
    return {
      tableId: r.table_id,
      id: r.data_file_id,
      path: r.path,
      pathIsRelative: r.path_is_relative ?? true,
      format: r.file_format,
      recordCount: r.record_count,
      fileSizeBytes: r.file_size_bytes,
      rowIdStart: r.row_id_start,
      beginSnapshot: r.begin_snapshot,
      partialMax: r.partial_max,
      mappingId: r.mapping_id,
      encryptionKey: r.encryption_key,
      deletes:
        r.delete_file_id === null
          ? null
          : {
              id: r.delete_file_id,
              path: r.delete_path ?? '',
              pathIsRelative: r.delete_path_is_relative ?? true,
              format: r.delete_format,
              deleteCount: r.delete_count ?? 0,
              beginSnapshot: r.delete_begin_snapshot ?? 0,
              partialMax: r.delete_partial_max,
              encryptionKey: r.delete_encryption_key,
            },
    };
  });
  const seen = new Set<number>();
  for (const f of files) {
    if (seen.has(f.id))
      throw new BosunError(
        'LAKE_ERROR',
        `data file ${f.id} has more than one delete file at snapshot ${snapshotId}; the catalog is inconsistent`,
      );
    seen.add(f.id);
  }
  return files;
}

/**
 * Tables with rows inlined in the catalog (data inlining). Bosun never inlines, and does not
 * read inlined rows: a table that has any is refused rather than read without them.
 */
export async function tablesWithInlinedRows(q: Queryable, tableIds: readonly number[]): Promise<Set<number>> {
  const res = await q.query(
    `SELECT table_id, table_name FROM ducklake.ducklake_inlined_data_tables WHERE table_id = ANY($1::bigint[])`,
    [tableIds],
  );
  const found = new Set<number>();
  for (const row of res.rows) {
    const r = parseWith(
      z.object({ table_id: id, table_name: z.string() }),
      row,
      'ducklake_inlined_data_tables row',
      'LAKE_ERROR',
    );
    const exists = await q.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [
      `ducklake.${pg.escapeIdentifier(r.table_name)}`,
    ]);
    if (!exists.rows[0]?.present) continue;
    const rows = await q.query<{ any: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ducklake.${pg.escapeIdentifier(r.table_name)}) AS any`,
    );
    if (rows.rows[0]?.any) found.add(r.table_id);
  }
  return found;
}

/**
 * Tables whose nested fields were ever renamed or had a name reused. DuckDB maps nested fields
 * by name (only top-level columns by field id), so such a table cannot be read faithfully.
 */
export async function tablesWithAmbiguousNestedFields(q: Queryable, tableIds: readonly number[]): Promise<Set<number>> {
  const res = await q.query(
    `SELECT DISTINCT table_id FROM (
       SELECT table_id FROM ducklake.ducklake_column
        WHERE table_id = ANY($1::bigint[]) AND parent_column IS NOT NULL
        GROUP BY table_id, column_id HAVING count(DISTINCT column_name) > 1
       UNION ALL
       SELECT table_id FROM ducklake.ducklake_column
        WHERE table_id = ANY($1::bigint[]) AND parent_column IS NOT NULL
        GROUP BY table_id, parent_column, column_name HAVING count(DISTINCT column_id) > 1
     ) AS ambiguous`,
    [tableIds],
  );
  return new Set(
    res.rows.map((row) => parseWith(z.object({ table_id: id }), row, 'ducklake_column row', 'LAKE_ERROR').table_id),
  );
}

/** Tables with a partition layout at a snapshot (Bosun reads them, but does not write partition values). */
export async function partitionedTables(
  q: Queryable,
  tableIds: readonly number[],
  snapshotId: number,
): Promise<Set<number>> {
  const res = await q.query(
    `SELECT DISTINCT table_id FROM ducklake.ducklake_partition_info
      WHERE table_id = ANY($1::bigint[]) AND $2 >= begin_snapshot AND ($2 < end_snapshot OR end_snapshot IS NULL)`,
    [tableIds, snapshotId],
  );
  return new Set(
    res.rows.map(
      (row) => parseWith(z.object({ table_id: id }), row, 'ducklake_partition_info row', 'LAKE_ERROR').table_id,
    ),
  );
}

/** The highest column id a table has ever used: ids are never reused, even after a drop. */
export async function maxColumnIdEver(q: Queryable, tableId: number): Promise<number> {
  const res = await q.query(
    `SELECT coalesce(max(column_id), 0) AS id FROM ducklake.ducklake_column WHERE table_id = $1`,
    [tableId],
  );
  return parseWith(z.object({ id }), res.rows[0], 'ducklake_column max id', 'LAKE_ERROR').id;
}

const historyRow = z.object({
  data_file_id: id,
  path: z.string(),
  path_is_relative: z.boolean().nullable(),
  record_count: id,
  row_id_start: id,
  begin_snapshot: id,
  end_snapshot: optionalId,
  partial_max: optionalId,
});

const deleteHistoryRow = z.object({
  data_file_id: id,
  path: z.string(),
  path_is_relative: z.boolean().nullable(),
  begin_snapshot: id,
  end_snapshot: optionalId,
  partial_max: optionalId,
});

export interface FileHistory {
  id: number;
  path: string;
  pathIsRelative: boolean;
  recordCount: number;
  rowIdStart: number;
  beginSnapshot: number;
  endSnapshot: number | null;
  partialMax: number | null;
  deleteFiles: {
    path: string;
    pathIsRelative: boolean;
    beginSnapshot: number;
    endSnapshot: number | null;
    partialMax: number | null;
  }[];
}

/** Every data file of a table that existed at some point in `from`..`to`, with all its delete files. */
export async function fileHistory(q: Queryable, tableId: number, from: number, to: number): Promise<FileHistory[]> {
  const data = await q.query(
    `SELECT data_file_id, path, path_is_relative, record_count, row_id_start, begin_snapshot, end_snapshot, partial_max
       FROM ducklake.ducklake_data_file
      WHERE table_id = $1 AND begin_snapshot <= $3 AND (end_snapshot IS NULL OR end_snapshot >= $2)
      ORDER BY row_id_start, data_file_id`,
    [tableId, from, to],
  );
  const files = data.rows.map((row): FileHistory => {
    const r = parseWith(historyRow, row, 'ducklake_data_file row', 'LAKE_ERROR');
    return {
      id: r.data_file_id,
      path: r.path,
      pathIsRelative: r.path_is_relative ?? true,
      recordCount: r.record_count,
      rowIdStart: r.row_id_start,
      beginSnapshot: r.begin_snapshot,
      endSnapshot: r.end_snapshot,
      partialMax: r.partial_max,
      deleteFiles: [],
    };
  });
  const deletes = await q.query(
    `SELECT data_file_id, path, path_is_relative, begin_snapshot, end_snapshot, partial_max
       FROM ducklake.ducklake_delete_file WHERE data_file_id = ANY($1::bigint[])`,
    [files.map((f) => f.id)],
  );
  const byId = new Map(files.map((f) => [f.id, f]));
  for (const row of deletes.rows) {
    const r = parseWith(deleteHistoryRow, row, 'ducklake_delete_file row', 'LAKE_ERROR');
    byId.get(r.data_file_id)?.deleteFiles.push({
      path: r.path,
      pathIsRelative: r.path_is_relative ?? true,
      beginSnapshot: r.begin_snapshot,
      endSnapshot: r.end_snapshot,
      partialMax: r.partial_max,
    });
  }
  return files;
}

const changesRow = z.object({
  snapshot_id: id,
  snapshot_time: z.string(),
  schema_version: id,
  changes_made: z.string().nullable(),
  author: z.string().nullable(),
  commit_message: z.string().nullable(),
});

export interface SnapshotWithChanges {
  id: number;
  /** ISO 8601 in UTC with microseconds, as stored. */
  time: string;
  schemaVersion: number;
  changesMade: string;
  author: string | null;
  message: string | null;
}

/** Every snapshot with its change list, oldest first (optionally only those after `afterId`). */
export async function snapshotsWithChanges(q: Queryable, afterId = -1): Promise<SnapshotWithChanges[]> {
  const res = await q.query(
    `SELECT s.snapshot_id, to_char(s.snapshot_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS snapshot_time,
            s.schema_version, c.changes_made, c.author, c.commit_message
       FROM ducklake.ducklake_snapshot s
       LEFT JOIN ducklake.ducklake_snapshot_changes c USING (snapshot_id)
      WHERE s.snapshot_id > $1
      ORDER BY s.snapshot_id`,
    [afterId],
  );
  return res.rows.map((row) => {
    const r = parseWith(changesRow, row, 'ducklake_snapshot row', 'LAKE_ERROR');
    return {
      id: r.snapshot_id,
      time: r.snapshot_time,
      schemaVersion: r.schema_version,
      changesMade: r.changes_made ?? '',
      author: r.author,
      message: r.commit_message,
    };
  });
}
