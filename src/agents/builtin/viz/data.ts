import fs from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { BosunError } from '../../../core/index.js';
import { assertSingleSelect, quoteIdent, quoteLiteral, type Lake } from '../../../lake/index.js';

/** Where a chart's rows come from: a lake table (at a snapshot), a Parquet/CSV file, or a SELECT over the lake. */
export interface DataSource {
  table?: string;
  snapshot?: number;
  path?: string;
  sql?: string;
}

export interface Column {
  name: string;
  type: string;
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;
const TEMPORAL = /^(DATE|TIMESTAMP|TIME)/;

export const isNumericType = (type: string) => NUMERIC.test(type);
export const isTemporalType = (type: string) => TEMPORAL.test(type);

/** A file input resolved inside the task folder, or an absolute path as given. */
async function dataFile(workDir: string, file: string): Promise<string> {
  const resolved = path.resolve(workDir, file);
  await fs.access(resolved).catch(() => {
    throw new BosunError('INVALID_INPUT', `data file ${file} does not exist (looked at ${resolved})`);
  });
  return resolved;
}

function readerFor(file: string): string {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.parquet') return 'read_parquet';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'read_csv_auto';
  if (ext === '.json' || ext === '.ndjson' || ext === '.jsonl') return 'read_json_auto';
  throw new BosunError('INVALID_INPUT', `data file ${file}: expected .parquet, .csv, .tsv or .json`);
}

/**
 * Runs `fn` with DuckDB SQL naming the source's rows (a parenthesised relation), on a reader
 * where every lake table is a view as of the snapshot: a `sql` source can join lake tables.
 */
export async function withSource<T>(
  lake: Lake,
  workDir: string,
  source: DataSource,
  fn: (conn: DuckDBConnection, relation: string, snapshotId: number) => Promise<T>,
): Promise<T> {
  const given = [source.table, source.path, source.sql].filter((v) => v !== undefined).length;
  if (given !== 1) throw new BosunError('INVALID_INPUT', 'data: give exactly one of table, path or sql');
  const file = source.path !== undefined ? await dataFile(workDir, source.path) : null;
  return lake.withReader(source.snapshot !== undefined ? { snapshot: source.snapshot } : {}, async (conn, snapshot) => {
    if (source.sql !== undefined) {
      await assertSingleSelect(conn, source.sql, 'data.sql');
      return fn(conn, `(${source.sql})`, snapshot.id);
    }
    if (file) return fn(conn, `${readerFor(file)}(${quoteLiteral(file)})`, snapshot.id);
    const [schema, table] = source.table!.split('.');
    if (!schema || !table) throw new BosunError('INVALID_INPUT', `data.table ${source.table}: expected schema.table`);
    return fn(conn, `${quoteIdent(schema)}.${quoteIdent(table)}`, snapshot.id);
  });
}

export async function columnsOf(conn: DuckDBConnection, relation: string): Promise<Column[]> {
  const reader = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
  return reader.getRowObjectsJson().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** Numbers come back as JS numbers (DuckDB's JSON form turns BIGINT and DECIMAL into strings). */
export function selectExpression(column: Column, alias = column.name): string {
  const ident = quoteIdent(column.name);
  const value = isNumericType(column.type) ? `CAST(${ident} AS DOUBLE)` : ident;
  return `${value} AS ${quoteIdent(alias)}`;
}

export async function readRows(
  conn: DuckDBConnection,
  sql: string,
  maxRows: number,
): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(`${sql} LIMIT ${maxRows + 1}`);
  const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
  if (rows.length > maxRows) {
    throw new BosunError(
      'INVALID_INPUT',
      `the chart would plot more than ${maxRows} rows: aggregate them (chart.aggregate, or GROUP BY in data.sql) or raise maxRows`,
    );
  }
  return rows;
}

/** Writes the source's rows to a CSV file (with a header) for a tool that reads CSV, and returns how many there were. */
export async function exportCsv(conn: DuckDBConnection, relation: string, file: string): Promise<number> {
  const reader = await conn.runAndReadAll(
    `COPY (SELECT * FROM ${relation}) TO ${quoteLiteral(file)} (FORMAT csv, HEADER)`,
  );
  return Number(reader.getRows()[0]?.[0] ?? 0);
}
