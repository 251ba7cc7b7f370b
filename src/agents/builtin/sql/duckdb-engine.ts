import path from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { BosunError } from '../../../core/index.js';
import { quoteIdent, quoteLiteral, type Lake } from '../../../lake/index.js';
import { createLakeViews, duckdbError, withSandboxedDuckDB } from '../tabular/duckdb.js';
import { RESULT_TABLE, uniqueNames } from '../tabular/results.js';
import type { Connection } from './connections.js';

type DuckConnection = Extract<Connection, { engine: 'duckdb' }>;

export interface DuckDBQuery {
  sql: string;
  params: unknown[];
  maxRows: number;
  write: boolean;
  signal: AbortSignal;
  workDir: string;
}

export interface DuckDBQueryResult {
  /** RESULT_TABLE holds the last statement's rows (at most maxRows); false when it returned none (DDL, DML). */
  hasResult: boolean;
  truncated: boolean;
  command: string;
  affectedRows: number | null;
  /** The lake snapshot its views read, when the query ran on the lake. */
  snapshotId: number | null;
}

/** StatementType's names, for messages (the enum is numeric). */
async function statementTypeName(type: number): Promise<string> {
  const { StatementType } = await import('@duckdb/node-api');
  return (StatementType as unknown as Record<number, string>)[type] ?? `statement type ${type}`;
}

/**
 * The DuckDB a query runs in: private, in memory, its file access limited to the task folder and
 * the lake's data path (plus the database file a connection names), with every lake table a view.
 */
export async function withQueryDuckDB<T>(
  connection: DuckConnection,
  lake: () => Promise<Lake>,
  options: { workDir: string; write: boolean; signal: AbortSignal },
  fn: (conn: DuckDBConnection, snapshotId: number | null) => Promise<T>,
): Promise<T> {
  const theLake = connection.file === null ? await lake() : null;
  const directories = [options.workDir, ...(theLake ? [theLake.dataPath] : [])];
  // A writer's database also writes its WAL beside the file.
  if (connection.file && options.write) directories.push(path.dirname(connection.file));
  return withSandboxedDuckDB(
    {
      directories,
      files: connection.file ? [connection.file, `${connection.file}.wal`] : [],
      searchPath: options.workDir,
      signal: options.signal,
    },
    async (conn) => {
      if (connection.file) {
        const mode = options.write ? '' : ' (READ_ONLY)';
        try {
          await conn.run(`ATTACH ${quoteLiteral(connection.file)} AS ${quoteIdent(connection.name)}${mode}`);
        } catch (err) {
          throw duckdbError(err, '', `cannot open ${connection.name} (${connection.file})`);
        }
        await conn.run(`USE ${quoteIdent(connection.name)}`);
        return fn(conn, null);
      }
      return fn(conn, await createLakeViews(conn, theLake!));
    },
  );
}

/**
 * Runs the SQL: without `write`, exactly one SELECT (its type checked when prepared, before it
 * runs); with it, every statement in order. The last statement's rows (up to maxRows) land in
 * RESULT_TABLE through an appender.
 */
export async function runDuckDB(
  conn: DuckDBConnection,
  q: DuckDBQuery,
): Promise<Omit<DuckDBQueryResult, 'snapshotId'>> {
  const { StatementType } = await import('@duckdb/node-api');
  let extracted;
  try {
    extracted = await conn.extractStatements(q.sql);
  } catch (err) {
    throw duckdbError(err, q.sql, 'the SQL does not parse');
  }
  if (!q.write && extracted.count !== 1) {
    throw new BosunError(
      'WRITE_REFUSED',
      `sql.query reads one statement unless write: true; this SQL has ${extracted.count}`,
      {
        hint: 'send one SELECT, or pass write: true to run a script',
        details: { retryable: false },
      },
    );
  }
  let last: Omit<DuckDBQueryResult, 'snapshotId'> = {
    hasResult: false,
    truncated: false,
    command: '',
    affectedRows: null,
  };
  for (let i = 0; i < extracted.count; i++) {
    const isLast = i === extracted.count - 1;
    let prepared;
    try {
      prepared = await extracted.prepare(i);
    } catch (err) {
      throw duckdbError(err, q.sql, 'the SQL cannot be prepared');
    }
    const type = prepared.statementType;
    if (!q.write && type !== StatementType.SELECT) {
      throw new BosunError(
        'WRITE_REFUSED',
        `sql.query only reads unless write: true; this statement is ${await statementTypeName(type)}`,
        { hint: 'pass write: true to run statements that change data', details: { retryable: false } },
      );
    }
    try {
      if (isLast && q.params.length) prepared.bind(q.params as DuckDBValue[]);
      const result = await prepared.stream();
      last = {
        hasResult: false,
        truncated: false,
        command: await statementTypeName(type),
        affectedRows: type === StatementType.SELECT ? null : result.rowsChanged,
      };
      if (!isLast || type !== StatementType.SELECT) {
        await result.fetchAllChunks();
        continue;
      }
      // Chunks are read first and appended after: a statement on the connection ends its stream.
      const chunks = [];
      let rows = 0;
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        if (rows + chunk.rowCount > q.maxRows) {
          chunk.rowCount = q.maxRows - rows;
          last.truncated = true;
        }
        rows += chunk.rowCount;
        if (chunk.rowCount > 0) chunks.push(chunk);
        if (last.truncated) break;
      }
      const names = uniqueNames(result.columnNames());
      const types = result.columnTypes();
      const columns = names.map((n, c) => `${quoteIdent(n)} ${types[c]!.toString()}`).join(', ');
      await conn.run(`CREATE TEMP TABLE ${RESULT_TABLE} (${columns})`);
      const appender = await conn.createAppender(RESULT_TABLE, null, 'temp');
      for (const chunk of chunks) appender.appendDataChunk(chunk);
      appender.flushSync();
      appender.closeSync();
      last.hasResult = true;
    } catch (err) {
      if (err instanceof BosunError) throw err;
      throw duckdbError(err, q.sql, 'the query failed');
    }
  }
  return last;
}
