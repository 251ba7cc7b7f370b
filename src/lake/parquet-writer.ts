import fs from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { parseWith } from '../core/index.js';
import { quoteLiteral } from './sql.js';

/** What DuckDB reports for a file it wrote (`RETURN_STATS`): the numbers the catalog needs. */
export interface WrittenFile {
  path: string;
  recordCount: number;
  fileSizeBytes: number;
  footerSize: number;
  /** Per leaf column, keyed like `"meta"."lang"`: min, max, null_count, num_values, column_size_bytes, has_nan. */
  columnStats: Map<string, Map<string, string>>;
}

const keyValue = z.object({ key: z.string(), value: z.string() });
const returnStatsRow = z.object({
  count: z.coerce.number().int(),
  file_size_bytes: z.coerce.number().int(),
  footer_size_bytes: z.coerce.number().int(),
  column_statistics: z.array(z.object({ key: z.string(), value: z.array(keyValue) })).nullable(),
});

/**
 * Writes the result of `selectSql` to one Parquet file with the given `FIELD_IDS` (see
 * types.fieldIdsSql) and returns DuckDB's own statistics of what it wrote, so the catalog's
 * numbers are the file's numbers without reading it back.
 */
export async function writeParquet(
  conn: DuckDBConnection,
  selectSql: string,
  file: string,
  fieldIds: string,
  params?: DuckDBValue[],
): Promise<WrittenFile> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const reader = await conn.runAndReadAll(
    `COPY (${selectSql}) TO ${quoteLiteral(file)} (FORMAT parquet, FIELD_IDS ${fieldIds}, RETURN_STATS true)`,
    params,
  );
  const row = parseWith(returnStatsRow, reader.getRowObjectsJson()[0], 'DuckDB COPY statistics', 'LAKE_ERROR');
  return {
    path: file,
    recordCount: row.count,
    fileSizeBytes: row.file_size_bytes,
    footerSize: row.footer_size_bytes,
    columnStats: new Map(
      (row.column_statistics ?? []).map((c) => [c.key, new Map(c.value.map((kv) => [kv.key, kv.value]))]),
    ),
  };
}
