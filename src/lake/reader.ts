import fs from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { BosunError } from '../core/index.js';
import { withConfinedDuckDB, withDuckDB } from './duckdb.js';
import { tableScanSql } from './scan.js';
import { quoteIdent, quoteLiteral } from './sql.js';
import type { TableState } from './table-state.js';
import { duckdbType } from './column-types.js';
import { uuid7 } from './uuid7.js';

/**
 * Runs `fn` on a DuckDB connection where every lake table is a view `schema.table` as of one
 * snapshot. The views live in a private in-memory database that only this connection uses
 * (`USE`), so readers at different snapshots never see each other's views.
 */
export async function withTableViews<T>(
  tables: readonly TableState[],
  snapshotId: number,
  fn: (conn: DuckDBConnection) => Promise<T>,
  /** Only files under these folders can be read (user-written SQL); default: the shared instance, unconfined. */
  confineTo?: readonly string[],
): Promise<T> {
  const run = confineTo ? (f: typeof fn) => withConfinedDuckDB(confineTo, f) : withDuckDB;
  return run(async (conn) => {
    const database = `lake_${uuid7().replace(/-/g, '')}`;
    await conn.run(`ATTACH ':memory:' AS ${database}`);
    try {
      await conn.run(`USE ${database}`);
      for (const schema of new Set(tables.map((t) => t.entry.schema.name))) {
        if (schema !== 'main') await conn.run(`CREATE SCHEMA ${quoteIdent(schema)}`);
      }
      for (const table of tables) await createTableView(conn, table, snapshotId);
      return await fn(conn);
    } finally {
      await conn.run('USE memory');
      await conn.run(`DETACH ${database}`);
    }
  });
}

async function createTableView(conn: DuckDBConnection, table: TableState, snapshotId: number): Promise<void> {
  const view = `${quoteIdent(table.entry.schema.name)}.${quoteIdent(table.entry.name)}`;
  try {
    if (table.unreadable) throw table.unreadable;
    await conn.run(`CREATE VIEW ${view} AS ${tableScanSql(table.columns, table.files, snapshotId)}`);
  } catch (err) {
    // A table that cannot be read must not stop queries on the others: its view fails when used.
    const failure = table.unreadable ?? readFailure(table, err);
    const columns = table.unreadable
      ? []
      : table.columns.map((c) => `CAST(NULL AS ${duckdbType(c)}) AS ${quoteIdent(c.name)}`);
    const message = quoteLiteral(`${failure.code}: ${failure.message}`);
    await conn.run(
      `CREATE VIEW ${view} AS SELECT ${[...columns, 'NULL AS unreadable'].join(', ')} WHERE error(${message}) IS NULL`,
    );
  }
}

/**
 * Names the file behind a read failure: a missing data or delete file is LAKE_FILE_MISSING,
 * anything else (a corrupt file, say) keeps DuckDB's message, which names the file.
 */
function readFailure(table: TableState, err: unknown): BosunError {
  const missing = table.files
    .flatMap((f) => [f.path, ...(f.deletes ? [f.deletes.path] : [])])
    .find((p) => !fs.existsSync(p));
  if (missing) {
    return new BosunError('LAKE_FILE_MISSING', `table ${table.qualifiedName}: file ${missing} is missing`, {
      hint: 'the catalog refers to a file that is gone from the data path; restore it from a backup',
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new BosunError('LAKE_ERROR', `table ${table.qualifiedName} cannot be read: ${message}`, { cause: err });
}

/**
 * A failed DuckDB statement over lake files as a BosunError: the failure of an unreadable
 * table's view keeps its code; DuckDB's own errors about files are lake errors (they name the
 * file); the rest are mistakes in what was asked (`doing` says what that was).
 */
export function lakeQueryError(err: unknown, doing = 'the query failed'): BosunError {
  if (err instanceof BosunError) return err;
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  const fromView = /\b(LAKE_FILE_MISSING|LAKE_ERROR|UNSUPPORTED): (.*)$/.exec(message);
  if (fromView) return new BosunError(fromView[1]!, fromView[2]!, { cause: err });
  if (/No files found that match the pattern/.test(message))
    return new BosunError('LAKE_FILE_MISSING', message, { cause: err });
  if (/^Permission Error: Cannot access file/.test(message))
    return new BosunError('INVALID_INPUT', `${doing}: ${message}`, {
      hint: "SQL on the lake reads the lake's tables only: files outside its data path are not reachable",
      cause: err,
    });
  if (/^IO Error|magic bytes|too small to be a Parquet file|[Cc]orrupt/.test(message))
    return new BosunError('LAKE_ERROR', message, { cause: err });
  return new BosunError('INVALID_INPUT', `${doing}: ${message}`, { cause: err });
}
