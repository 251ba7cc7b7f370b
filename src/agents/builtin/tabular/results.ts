import fs from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral } from '../../../lake/index.js';
import { artifactFromFile, type Artifact } from '../../envelope.js';

/** The temp table a query's result is materialised in before it is previewed and exported. */
export const RESULT_TABLE = '__bosun_result';

export interface ResultColumn {
  name: string;
  /** The DuckDB type of the column in the CSV/Parquet artifacts. */
  type: string;
  /** The engine's own type name, where it differs (PostgreSQL's). */
  sourceType?: string;
}

export interface ExportedResult {
  columns: ResultColumn[];
  /** The first rows, as JSON values. */
  rows: Record<string, unknown>[];
  rowCount: number;
  artifacts: Artifact[];
}

/**
 * Loads rows that arrive as text (PostgreSQL's text format) into RESULT_TABLE, each column cast
 * to its DuckDB type. The rows go through a newline-delimited JSON file so that DuckDB, not our
 * code, does the parsing and casting.
 */
export async function loadTextRows(
  conn: DuckDBConnection,
  columns: readonly ResultColumn[],
  rows: readonly (string | null)[][],
  scratchDir: string,
): Promise<void> {
  const definition = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
  await conn.run(`CREATE TEMP TABLE ${RESULT_TABLE} (${definition})`);
  if (!rows.length) return;
  await fs.mkdir(scratchDir, { recursive: true });
  const file = path.join(scratchDir, `rows-${process.pid}-${Date.now()}.ndjson`);
  await fs.writeFile(
    file,
    rows.map((r) => JSON.stringify(Object.fromEntries(r.map((v, i) => [`c${i}`, v])))).join('\n') + '\n',
  );
  try {
    const spec = columns.map((_, i) => `c${i}: 'VARCHAR'`).join(', ');
    const casts = columns.map((c, i) => `CAST(c${i} AS ${c.type})`).join(', ');
    await conn.run(
      `INSERT INTO ${RESULT_TABLE} SELECT ${casts} FROM read_json(${quoteLiteral(file)}, format = 'newline_delimited', columns = {${spec}})`,
    );
  } finally {
    await fs.rm(file, { force: true });
  }
}

/** Unique column names: PostgreSQL happily returns two `?column?`s, a table cannot hold them. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const count = (seen.get(n.toLowerCase()) ?? 0) + 1;
    seen.set(n.toLowerCase(), count);
    return count === 1 ? n : `${n}_${count}`;
  });
}

/** RESULT_TABLE's columns, first rows, row count, and the whole of it as `<base>.csv` and `<base>.parquet`. */
export async function exportResult(
  conn: DuckDBConnection,
  options: { workDir: string; baseName: string; previewRows: number; sourceTypes?: Map<string, string> },
): Promise<ExportedResult> {
  const described = (await conn.runAndReadAll(`DESCRIBE ${RESULT_TABLE}`)).getRowObjectsJson();
  const columns: ResultColumn[] = described.map((d) => {
    const name = String(d.column_name);
    const sourceType = options.sourceTypes?.get(name);
    return { name, type: String(d.column_type), ...(sourceType ? { sourceType } : {}) };
  });
  const count = (await conn.runAndReadAll(`SELECT count(*) AS n FROM ${RESULT_TABLE}`)).getRowObjectsJson();
  const preview = (
    await conn.runAndReadAll(`SELECT * FROM ${RESULT_TABLE} LIMIT ${Math.trunc(options.previewRows)}`)
  ).getRowObjectsJson() as Record<string, unknown>[];
  const csv = path.join(options.workDir, `${options.baseName}.csv`);
  const parquet = path.join(options.workDir, `${options.baseName}.parquet`);
  await conn.run(`COPY ${RESULT_TABLE} TO ${quoteLiteral(csv)} (FORMAT csv, HEADER true)`);
  await conn.run(`COPY ${RESULT_TABLE} TO ${quoteLiteral(parquet)} (FORMAT parquet)`);
  return {
    columns,
    rows: preview,
    rowCount: Number(count[0]!.n),
    artifacts: [
      await artifactFromFile(csv, 'text/csv', path.basename(csv)),
      await artifactFromFile(parquet, 'application/vnd.apache.parquet', path.basename(parquet)),
    ],
  };
}
