import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import { z } from 'zod';
import { BosunError } from '../core/index.js';

/**
 * SQL that callers hand to the lake (a relation to append, a delete predicate, a `lake sql`
 * query) must be exactly one SELECT: DuckDB's own parser says so (`json_serialize_sql` only
 * serialises SELECT statements), so no COPY, ATTACH, INSTALL or second statement gets through.
 */
export async function assertSingleSelect(conn: DuckDBConnection, sql: string, what: string): Promise<void> {
  const reader = await conn.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS parsed', [sql]);
  const parsed = z
    .object({
      error: z.boolean().optional(),
      error_message: z.string().optional(),
      statements: z.array(z.unknown()).optional(),
    })
    .parse(JSON.parse(String(reader.getRowObjectsJson()[0]?.parsed)));
  if (parsed.error) {
    const reason =
      parsed.error_message === 'Only SELECT statements can be serialized to json!'
        ? 'only a SELECT statement is allowed'
        : parsed.error_message;
    throw new BosunError('INVALID_INPUT', `${what} is not a single SELECT: ${reason}`, {
      hint: 'the lake is read-only through SQL; write with import, delete and the library API',
    });
  }
  if (parsed.statements?.length !== 1) {
    throw new BosunError(
      'INVALID_INPUT',
      `${what} must be exactly one SELECT statement, got ${parsed.statements?.length ?? 0}`,
    );
  }
}

/** Names and DuckDB types of what a SELECT returns, without running it. */
export async function relationColumns(
  conn: DuckDBConnection,
  selectSql: string,
  what: string,
): Promise<{ name: string; type: DuckDBType }[]> {
  await assertSingleSelect(conn, selectSql, what);
  let prepared;
  try {
    prepared = await conn.prepare(selectSql);
  } catch (err) {
    throw new BosunError('INVALID_INPUT', `${what} cannot be planned: ${(err as Error).message.split('\n')[0]}`, {
      cause: err,
    });
  }
  try {
    return Array.from({ length: prepared.columnCount }, (_, i) => ({
      name: prepared.columnName(i),
      type: prepared.columnType(i),
    }));
  } finally {
    prepared.destroySync();
  }
}
