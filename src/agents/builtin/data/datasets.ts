import type { DuckDBConnection } from '@duckdb/node-api';
import { BosunError } from '../../../core/index.js';
import { quoteIdent, type Lake } from '../../../lake/index.js';
import { formatOf, readerSql, resolveFiles } from './sources.js';

/** A dataset a skill reads: a lake table (optionally at a snapshot: `schema.table@12`) or a file/glob. */
export type DatasetRef =
  | { kind: 'table'; ref: string; table: string; snapshot: number | null }
  | { kind: 'file'; ref: string; pattern: string; directory: string; sql: string };

const TABLE_REF = /^([A-Za-z_]\w*\.[A-Za-z_]\w*)(?:@(\d+))?$/;

export async function resolveDataset(ref: string, workDir: string): Promise<DatasetRef> {
  const table = TABLE_REF.exec(ref);
  if (table && !formatOf(ref))
    return { kind: 'table', ref, table: table[1]!, snapshot: table[2] ? Number(table[2]) : null };
  const format = formatOf(ref);
  if (!format)
    throw new BosunError(
      'INVALID_INPUT',
      `${ref} is neither a lake table (schema.table) nor a csv/tsv/json/ndjson/parquet file`,
      {
        details: { retryable: false },
      },
    );
  const files = await resolveFiles(ref, workDir);
  return {
    kind: 'file',
    ref,
    pattern: files.pattern,
    directory: files.directory,
    sql: readerSql(files.pattern, format, {}),
  };
}

export const datasetDirectories = (refs: readonly DatasetRef[]): string[] =>
  refs.flatMap((r) => (r.kind === 'file' ? [r.directory] : []));

export interface BoundDataset {
  ref: string;
  kind: DatasetRef['kind'];
  /** SQL naming the rows in the connection: a view or a table function. */
  relation: string;
  table?: string;
  snapshotId?: number;
  path?: string;
}

/**
 * Makes a dataset readable on `conn` as `view`: a lake table through its scan at the snapshot
 * asked for (or `latest`, the one the lake views were made at), a file through its reader.
 */
export async function bindDataset(
  conn: DuckDBConnection,
  dataset: DatasetRef,
  view: string,
  lake: Lake | null,
  latest: number | null,
): Promise<BoundDataset> {
  if (dataset.kind === 'file') {
    await conn.run(`CREATE TEMP VIEW ${quoteIdent(view)} AS SELECT * FROM ${dataset.sql}`);
    return { ref: dataset.ref, kind: 'file', relation: quoteIdent(view), path: dataset.pattern };
  }
  if (!lake) throw new Error('a lake table needs the lake');
  const snapshot = dataset.snapshot ?? latest ?? undefined;
  const scan = await lake.scan(dataset.table, snapshot === undefined ? {} : { snapshot });
  await conn.run(`CREATE TEMP VIEW ${quoteIdent(view)} AS ${scan.sql}`);
  return {
    ref: dataset.ref,
    kind: 'table',
    relation: quoteIdent(view),
    table: scan.table,
    snapshotId: scan.snapshotId,
  };
}
