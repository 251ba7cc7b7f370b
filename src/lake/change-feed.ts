import { BosunError } from '../core/index.js';
import { fileHistory, type FileHistory } from './catalog.js';
import type { TableName } from './names.js';
import {
  deletedPositionsSql,
  FILE_COLUMN,
  readParquetSql,
  ROW_ID_COLUMN,
  ROW_NUMBER_COLUMN,
  SNAPSHOT_ID_COLUMN,
} from './scan.js';
import { quoteIdent, quoteLiteral } from './sql.js';
import { loadTables, qualifiedName, scanFileOf } from './table-state.js';
import type { LakeSession } from './session.js';
import { duckdbType } from './column-types.js';
import type { TableScan } from './lake.js';

/**
 * The rows a range of snapshots inserted and deleted (the extension's `table_changes`). A row's
 * insert snapshot is its data file's first snapshot (or the snapshot id a merged file stores
 * per row); its delete snapshot is the delete file's (or the one a partial delete file stores
 * per row), or the snapshot that ended its whole data file. Row ids are `row_id_start` plus the
 * row's position, unless the file stores them (rows rewritten by an update keep theirs).
 */
export async function changeFeedSql(
  session: LakeSession,
  name: TableName,
  from: number,
  to: number,
): Promise<TableScan> {
  if (!Number.isInteger(from) || from < 0 || from > to)
    throw new BosunError('INVALID_INPUT', `invalid snapshot range ${from}..${to}`);
  const qualified = qualifiedName(name.schema, name.table);
  const [table] = await loadTables(session.pool, session.dataPath, to, { only: [qualified], files: false });
  if (!table) throw new BosunError('NOT_FOUND', `table ${qualified} does not exist at snapshot ${to}`);
  if (table.unreadable) throw table.unreadable;
  const history = (await fileHistory(session.pool, table.entry.id, from, to)).filter((f) => changedIn(f, from, to));
  const files = history.map((f) => scanFileOf(table.directory, f, deleteFileAt(f, deletesAsOf(f, to))));
  const columns = [
    { name: 'snapshot_id', type: 'BIGINT' },
    { name: 'rowid', type: 'BIGINT' },
    { name: 'change_type', type: 'VARCHAR' },
    ...table.columns.map((c) => ({ name: c.name, type: duckdbType(c) })),
  ];
  const dataColumns = table.columns.map((c) => quoteIdent(c.name));
  if (!files.length) {
    const empty = columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ');
    return { table: qualified, snapshotId: to, columns, sql: `SELECT ${empty} WHERE false` };
  }
  const fileInfo = history
    .map(
      (f, i) =>
        `(${quoteLiteral(files[i]!.path)}, ${f.rowIdStart}, ${f.beginSnapshot}, ${f.endSnapshot ?? 'NULL::BIGINT'})`,
    )
    .join(', ');
  const positional =
    deletedPositionsSql(files, to) ??
    'SELECT NULL::VARCHAR AS file, NULL::BIGINT AS pos, NULL::BIGINT AS deleted_at WHERE false';
  const cols = dataColumns.map((c) => `data.${c}`).join(', ');
  const sql = `WITH files(file, row_id_start, begin_snapshot, end_snapshot) AS (VALUES ${fileInfo}),
data AS (
  SELECT d.*, coalesce(d.${ROW_ID_COLUMN}, f.row_id_start + d.${ROW_NUMBER_COLUMN}) AS __rowid,
         coalesce(d.${SNAPSHOT_ID_COLUMN}, f.begin_snapshot) AS __inserted_at, f.end_snapshot AS __ended_at
    FROM ${readParquetSql(table.columns, files, { snapshotIds: true, rowIds: true, positions: true })} AS d
    JOIN files AS f ON d.${FILE_COLUMN} = f.file
),
position_deletes AS (${positional}),
deleted AS (
  SELECT file, pos, deleted_at FROM position_deletes
  UNION ALL
  SELECT data.${FILE_COLUMN}, data.${ROW_NUMBER_COLUMN}, data.__ended_at FROM data
    ANTI JOIN position_deletes AS p ON p.file = data.${FILE_COLUMN} AND p.pos = data.${ROW_NUMBER_COLUMN}
   WHERE data.__ended_at <= ${to}
),
changes AS (
  SELECT data.__inserted_at AS snapshot_id, data.__rowid AS rowid, 'insert' AS change_type, ${cols}
    FROM data WHERE data.__inserted_at BETWEEN ${from} AND ${to}
  UNION ALL
  SELECT x.deleted_at, data.__rowid, 'delete', ${cols}
    FROM data JOIN deleted AS x ON x.file = data.${FILE_COLUMN} AND x.pos = data.${ROW_NUMBER_COLUMN}
   WHERE x.deleted_at BETWEEN ${from} AND ${to}
)
SELECT snapshot_id, rowid,
       CASE WHEN count(*) OVER (PARTITION BY snapshot_id, rowid) > 1
            THEN CASE change_type WHEN 'insert' THEN 'update_postimage' ELSE 'update_preimage' END
            ELSE change_type END AS change_type,
       ${dataColumns.join(', ')}
  FROM changes`;
  return { table: qualified, snapshotId: to, columns, sql };
}

/** The snapshot a file (or delete file) was last written for: merged files hold several. */
const lastWritten = (f: { beginSnapshot: number; partialMax: number | null }) =>
  Math.max(f.beginSnapshot, f.partialMax ?? f.beginSnapshot);

/** The delete file of `f` that holds its deletes as of `at`. */
function deleteFileAt(f: FileHistory, at: number): FileHistory['deleteFiles'][number] | null {
  return f.deleteFiles.find((d) => d.beginSnapshot <= at && (d.endSnapshot === null || d.endSnapshot > at)) ?? null;
}

/** The snapshot whose deletes matter: the range's end, or the last one the file was part of. */
const deletesAsOf = (f: FileHistory, to: number) =>
  f.endSnapshot !== null && f.endSnapshot <= to ? f.endSnapshot - 1 : to;

/** Whether the file has rows inserted or deleted within the range (only those are read). */
function changedIn(f: FileHistory, from: number, to: number): boolean {
  if (f.beginSnapshot <= to && lastWritten(f) >= from) return true;
  if (f.endSnapshot !== null && f.endSnapshot >= from && f.endSnapshot <= to) return true;
  const d = deleteFileAt(f, deletesAsOf(f, to));
  return d !== null && lastWritten(d) >= from;
}
