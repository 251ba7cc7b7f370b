import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

let instance: Promise<DuckDBInstance> | null = null;

/**
 * One in-memory DuckDB per process, created on first use (the module itself is loaded then:
 * it takes most of a second, which commands that never touch the lake should not pay). It only ever reads and writes
 * Parquet files in place; extension auto-install and auto-load are off so that nothing is
 * downloaded (core, parquet and json are built in). Timestamps render in UTC so that output
 * does not depend on the machine's zone.
 */
function sharedInstance(): Promise<DuckDBInstance> {
  instance ??= (async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const conn = await db.connect();
    try {
      await conn.run(`SET GLOBAL TimeZone = 'UTC'`);
    } finally {
      conn.closeSync();
    }
    return db;
  })();
  return instance;
}

/** Runs `fn` on a fresh connection of the shared instance, closed afterwards. */
export async function withDuckDB<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const conn = await (await sharedInstance()).connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
  }
}
