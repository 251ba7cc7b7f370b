import { z } from 'zod';
import { parseWith } from '../core/index.js';
import { latestSnapshot, snapshotsWithChanges, type Queryable } from './catalog.js';
import { parseChanges, type ChangeToken } from './changes.js';
import { loadTables, type TableState } from './table-state.js';
import { duckdbType } from './column-types.js';

/** Summaries of a lake for people: what `bosun lake info|tables|snapshots` show. */

export interface SnapshotInfo {
  id: number;
  time: string;
  schemaVersion: number;
  /** Grouped as the extension's `ducklake_snapshots()` shows them, e.g. `{ tables_inserted_into: ['2'] }`. */
  changes: Record<string, string[]>;
  /** The raw `changes_made` text. */
  changesMade: string;
  author: string | null;
  message: string | null;
}

const groupNames: Record<Exclude<ChangeToken['kind'], 'other'>, string> = {
  created_schema: 'schemas_created',
  created_table: 'tables_created',
  created_view: 'views_created',
  inserted_into_table: 'tables_inserted_into',
  deleted_from_table: 'tables_deleted_from',
  compacted_table: 'tables_compacted',
  dropped_table: 'tables_dropped',
  altered_table: 'tables_altered',
  dropped_schema: 'schemas_dropped',
  dropped_view: 'views_dropped',
  altered_view: 'views_altered',
};

function groupChanges(tokens: readonly ChangeToken[]): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const t of tokens) {
    const [group, value] =
      t.kind === 'other'
        ? ['other', t.text]
        : [
            groupNames[t.kind],
            'id' in t ? String(t.id) : t.kind === 'created_schema' ? t.schema : `${t.schema}.${t.name}`,
          ];
    (groups[group] ??= []).push(value);
  }
  return groups;
}

/** Every snapshot, oldest first; with `table`, only those that touched a table of that name. */
export async function listSnapshots(q: Queryable, table?: { schema: string; table: string }): Promise<SnapshotInfo[]> {
  const ids = table ? await tableIdsEverNamed(q, table.schema, table.table) : null;
  const touches = (tokens: ChangeToken[]) =>
    !ids ||
    tokens.some(
      (t) =>
        ('id' in t && t.kind !== 'dropped_schema' && ids.has(t.id)) ||
        (t.kind === 'created_table' && t.schema === table!.schema && t.name === table!.table),
    );
  return (await snapshotsWithChanges(q))
    .map((s) => ({ s, tokens: parseChanges(s.changesMade) }))
    .filter(({ tokens }) => touches(tokens))
    .map(({ s, tokens }) => ({
      id: s.id,
      time: s.time,
      schemaVersion: s.schemaVersion,
      changes: groupChanges(tokens),
      changesMade: s.changesMade,
      author: s.author,
      message: s.message,
    }));
}

async function tableIdsEverNamed(q: Queryable, schema: string, table: string): Promise<Set<number>> {
  const res = await q.query(
    `SELECT DISTINCT t.table_id AS id
       FROM ducklake.ducklake_table t JOIN ducklake.ducklake_schema s ON s.schema_id = t.schema_id
      WHERE s.schema_name = $1 AND t.table_name = $2`,
    [schema, table],
  );
  return new Set(res.rows.map((r) => parseWith(z.object({ id: z.coerce.number() }), r, 'table id', 'LAKE_ERROR').id));
}

export interface TableInfo {
  name: string;
  columns: { name: string; type: string }[];
  dataFiles: number;
  deleteFiles: number;
  /** Rows visible: records in data files minus deleted ones. */
  rows: number;
  bytes: number;
  /** Why Bosun cannot read it, when it cannot. */
  unreadable: string | null;
}

export function describeTable(t: TableState): TableInfo {
  const rows = t.fileEntries.reduce((sum, f) => sum + f.recordCount - (f.deletes?.deleteCount ?? 0), 0);
  const columnType = (c: TableState['columns'][number]) => {
    try {
      return duckdbType(c);
    } catch {
      return c.type;
    }
  };
  return {
    name: t.qualifiedName,
    columns: t.columns.map((c) => ({ name: c.name, type: columnType(c) })),
    dataFiles: t.fileEntries.length,
    deleteFiles: t.fileEntries.filter((f) => f.deletes).length,
    rows,
    bytes: t.fileEntries.reduce((sum, f) => sum + f.fileSizeBytes, 0),
    unreadable: t.unreadable?.message ?? null,
  };
}

export interface LakeInfo {
  dataPath: string;
  specVersion: string;
  latestSnapshot: { id: number; time: string };
  snapshots: number;
  schemas: number;
  tables: TableInfo[];
  dataFiles: number;
  deleteFiles: number;
  /** Bytes of the files the latest snapshot uses. */
  bytes: number;
  scheduledForDeletion: number;
}

export async function lakeInfo(q: Queryable, dataPath: string, specVersion: string): Promise<LakeInfo> {
  const latest = await latestSnapshot(q);
  const tables = (await loadTables(q, dataPath, latest.id)).map(describeTable);
  const counts = await q.query(
    `SELECT (SELECT count(*) FROM ducklake.ducklake_snapshot) AS snapshots,
            (SELECT count(*) FROM ducklake.ducklake_schema WHERE end_snapshot IS NULL) AS schemas,
            (SELECT coalesce(sum(file_size_bytes), 0) FROM ducklake.ducklake_delete_file WHERE end_snapshot IS NULL) AS delete_bytes,
            (SELECT count(*) FROM ducklake.ducklake_files_scheduled_for_deletion) AS scheduled`,
  );
  const c = parseWith(
    z.object({
      snapshots: z.coerce.number(),
      schemas: z.coerce.number(),
      delete_bytes: z.coerce.number(),
      scheduled: z.coerce.number(),
    }),
    counts.rows[0],
    'lake counts',
    'LAKE_ERROR',
  );
  return {
    dataPath,
    specVersion,
    latestSnapshot: { id: latest.id, time: latest.time.toISOString() },
    snapshots: c.snapshots,
    schemas: c.schemas,
    tables,
    dataFiles: tables.reduce((sum, t) => sum + t.dataFiles, 0),
    deleteFiles: tables.reduce((sum, t) => sum + t.deleteFiles, 0),
    bytes: tables.reduce((sum, t) => sum + t.bytes, 0) + c.delete_bytes,
    scheduledForDeletion: c.scheduled,
  };
}
