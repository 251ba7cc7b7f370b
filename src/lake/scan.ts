import { duckdbType, type LakeColumn } from './column-types.js';
import { quoteIdent, quoteList, quoteLiteral } from './sql.js';

/**
 * The DuckDB SQL that reads a lake table at a snapshot: one `read_parquet` over its data files,
 * columns mapped by Parquet field id (so renamed columns read under their new name, dropped
 * ones are ignored, and columns added later read as their initial default in older files),
 * and the rows of positional delete files removed by an anti-join on (file, row number).
 */

/** Field ids the format reserves for its own columns. */
export const FieldId = {
  snapshotId: 2147483539,
  rowId: 2147483540,
  deletePos: 2147483645,
  deleteFilePath: 2147483646,
} as const;

export const SNAPSHOT_ID_COLUMN = '_ducklake_internal_snapshot_id';
export const ROW_ID_COLUMN = '_ducklake_internal_row_id';
/** Columns Bosun adds to a scan for its own joins. */
export const FILE_COLUMN = '__bosun_file';
export const ROW_NUMBER_COLUMN = 'file_row_number';

export interface ScanDeleteFile {
  path: string;
  beginSnapshot: number;
  /** Set on partial delete files: each row says in which snapshot it was deleted. */
  partialMax: number | null;
}

export interface ScanFile {
  id: number;
  path: string;
  recordCount: number;
  rowIdStart: number;
  beginSnapshot: number;
  partialMax: number | null;
  deletes: ScanDeleteFile | null;
}

export interface ReadOptions {
  /** Also read the snapshot id merged files carry per row. */
  snapshotIds?: boolean;
  /** Also read row ids that files rewritten by an update carry. */
  rowIds?: boolean;
  /** Add the file name and row number columns (for anti-joins with delete files). */
  positions?: boolean;
}

/** `read_parquet([...], schema = MAP {field id: {name, type, default}})` over `files`. */
export function readParquetSql(
  columns: readonly LakeColumn[],
  files: readonly ScanFile[],
  options: ReadOptions = {},
): string {
  const entries = columns.map(
    (c) =>
      `${c.id}: {name: ${quoteLiteral(c.name)}, type: ${quoteLiteral(duckdbType(c))}, default_value: ${c.initialDefault === null ? 'NULL' : quoteLiteral(c.initialDefault)}}`,
  );
  const internal = (fieldId: number, name: string) =>
    `${fieldId}: {name: ${quoteLiteral(name)}, type: 'BIGINT', default_value: NULL}`;
  if (options.snapshotIds) entries.push(internal(FieldId.snapshotId, SNAPSHOT_ID_COLUMN));
  if (options.rowIds) entries.push(internal(FieldId.rowId, ROW_ID_COLUMN));
  // Defaults are passed as text; DuckDB casts them to the column's type.
  const args = [quoteList(files.map((f) => f.path)), `schema = MAP {${entries.join(', ')}}`];
  if (options.positions) args.push(`filename = ${quoteLiteral(FILE_COLUMN)}`, `${ROW_NUMBER_COLUMN} = true`);
  return `read_parquet(${args.join(', ')})`;
}

/**
 * `SELECT file, pos, deleted_at` for every row deleted by the delete files of `files`, as of
 * `visibleAt`: a partial delete file's rows count only up to their own snapshot.
 */
export function deletedPositionsSql(files: readonly ScanFile[], visibleAt: number): string | null {
  const withDeletes = files.filter((f) => f.deletes !== null);
  if (!withDeletes.length) return null;
  const anyPartial = withDeletes.some((f) => f.deletes!.partialMax !== null);
  const mapping = withDeletes
    .map((f) => `(${quoteLiteral(f.deletes!.path)}, ${quoteLiteral(f.path)}, ${f.deletes!.beginSnapshot})`)
    .join(', ');
  const deletedAt = anyPartial ? `coalesce(d.${SNAPSHOT_ID_COLUMN}, m.begin_snapshot)` : 'm.begin_snapshot';
  return `SELECT m.data_file AS file, d.pos AS pos, ${deletedAt} AS deleted_at
    FROM read_parquet(${quoteList(withDeletes.map((f) => f.deletes!.path))}, filename = '__bosun_delete_file', union_by_name = true) AS d
    JOIN (VALUES ${mapping}) AS m(delete_file, data_file, begin_snapshot) ON d.__bosun_delete_file = m.delete_file
    WHERE ${deletedAt} <= ${visibleAt}`;
}

/** A relation with the table's columns and no rows, for a table without data files. */
function emptyRelationSql(columns: readonly LakeColumn[], positions: boolean): string {
  const cols = columns.map((c) => `CAST(NULL AS ${duckdbType(c)}) AS ${quoteIdent(c.name)}`);
  if (positions) cols.push(`CAST(NULL AS VARCHAR) AS ${FILE_COLUMN}`, `CAST(NULL AS BIGINT) AS ${ROW_NUMBER_COLUMN}`);
  return `SELECT ${cols.join(', ')} WHERE false`;
}

/**
 * The rows of a table visible at `snapshotId`, given the data files visible then (each with its
 * delete file at that snapshot). With `positions`, each row also carries its file and row number.
 */
export function tableScanSql(
  columns: readonly LakeColumn[],
  files: readonly ScanFile[],
  snapshotId: number,
  options: { positions?: boolean } = {},
): string {
  const positions = options.positions ?? false;
  if (!files.length) return emptyRelationSql(columns, positions);
  const deleted = deletedPositionsSql(files, snapshotId);
  // Merged files hold rows of several snapshots; rows newer than the one read are filtered out.
  const partial = files.some((f) => f.partialMax !== null && f.partialMax > snapshotId);
  const select = columns.map((c) => `data.${quoteIdent(c.name)}`);
  if (positions) select.push(`data.${FILE_COLUMN}`, `data.${ROW_NUMBER_COLUMN}`);
  const from = `${readParquetSql(columns, files, { snapshotIds: partial, positions: positions || deleted !== null })} AS data`;
  const antiJoin = deleted
    ? ` ANTI JOIN (${deleted}) AS deleted ON data.${FILE_COLUMN} = deleted.file AND data.${ROW_NUMBER_COLUMN} = deleted.pos`
    : '';
  const where = partial
    ? ` WHERE data.${SNAPSHOT_ID_COLUMN} IS NULL OR data.${SNAPSHOT_ID_COLUMN} <= ${snapshotId}`
    : '';
  return `SELECT ${select.join(', ')} FROM ${from}${antiJoin}${where}`;
}
