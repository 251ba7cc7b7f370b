import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { BosunError } from '../../../core/index.js';
import { quoteIdent, quoteLiteral, type Lake } from '../../../lake/index.js';

export interface SandboxedDuckDBOptions {
  /** Directories DuckDB may read and write (the task folder, the lake's data path). */
  directories: readonly string[];
  /** Single files DuckDB may open besides (a DuckDB database file). */
  files?: readonly string[];
  /** The task folder, which SQL reads as getvariable('task_dir'); DuckDB's temporary files go under it. */
  searchPath: string;
  signal?: AbortSignal;
}

/**
 * A private in-memory DuckDB whose file access is limited to the given directories, with the
 * configuration locked so that SQL cannot widen it again. Extensions are never installed or
 * loaded (nothing downloads at run time). A fired signal interrupts the running statement.
 */
export async function withSandboxedDuckDB<T>(
  options: SandboxedDuckDBOptions,
  fn: (conn: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  const interrupt = () => conn.interrupt();
  options.signal?.addEventListener('abort', interrupt, { once: true });
  try {
    const dirs = options.directories.map((d) => quoteLiteral(path.resolve(d) + path.sep));
    const files = (options.files ?? []).map((f) => quoteLiteral(path.resolve(f)));
    await conn.run(`SET TimeZone = 'UTC'`);
    await conn.run(`SET allowed_directories = [${dirs.join(', ')}]`);
    if (files.length) await conn.run(`SET allowed_paths = [${files.join(', ')}]`);
    // Relative names are checked against the allowed directories before any search path applies,
    // so SQL names task files through this variable: getvariable('task_dir') || '/orders.csv'.
    await conn.run(`SET VARIABLE task_dir = ${quoteLiteral(path.resolve(options.searchPath))}`);
    await conn.run(`SET temp_directory = ${quoteLiteral(path.join(path.resolve(options.searchPath), '.duckdb-tmp'))}`);
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');
    return await fn(conn);
  } finally {
    options.signal?.removeEventListener('abort', interrupt);
    conn.closeSync();
    instance.closeSync();
  }
}

/** Every lake table as the view `schema.table`, all as of one snapshot; returns that snapshot. */
export async function createLakeViews(conn: DuckDBConnection, lake: Lake): Promise<number> {
  const snapshot = await lake.resolveSnapshot();
  const tables = await lake.tables({ snapshot: snapshot.id });
  for (const table of tables) {
    if (table.unreadable) continue;
    const scan = await lake.scan(table.name, { snapshot: snapshot.id });
    const [schema, name] = scan.table.split('.') as [string, string];
    if (schema !== 'main') await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await conn.run(`CREATE VIEW ${quoteIdent(schema)}.${quoteIdent(name)} AS ${scan.sql}`);
  }
  return snapshot.id;
}

/** The first line of a DuckDB error and, for a parser error, where in the SQL it points. */
export function duckdbError(err: unknown, sql: string, doing: string): BosunError {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0]!.replace(/^Failed to extract statements: /, '');
  const details: Record<string, unknown> = { retryable: false, engineMessage: first };
  const position = caretPosition(message, sql);
  if (position) Object.assign(details, position);
  const where = position ? ` (line ${position.line}, column ${position.column})` : '';
  const code = /^(Parser|Syntax) Error/.test(first)
    ? 'SQL_SYNTAX'
    : /^Interrupt/.test(first)
      ? 'CANCELED'
      : 'SQL_ERROR';
  return new BosunError(code, `${doing}: ${first}${where}`, { details });
}

/** DuckDB marks the error under a `LINE n: …` echo with a caret; turn it into an offset in `sql`. */
function caretPosition(message: string, sql: string): { position: number; line: number; column: number } | null {
  const lines = message.split('\n');
  const at = lines.findIndex((l) => /^LINE \d+: /.test(l));
  if (at < 0 || !lines[at + 1]?.includes('^')) return null;
  const prefix = /^LINE \d+: /.exec(lines[at]!)![0].length;
  const echoed = lines[at]!.slice(prefix);
  const caret = lines[at + 1]!.indexOf('^') - prefix;
  // DuckDB echoes a window of the statement; find it in the SQL to place the caret.
  const start = sql.indexOf(echoed.replace(/^\.\.\./, '').replace(/\.\.\.$/, ''));
  const offset = (start < 0 ? 0 : start) + Math.max(0, caret - (echoed.startsWith('...') ? 3 : 0));
  return positionOf(sql, offset);
}

/** 1-based position, line and column of a 0-based offset in `text`. */
export function positionOf(text: string, offset: number): { position: number; line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { position: offset + 1, line, column };
}
