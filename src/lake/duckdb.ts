import os from 'node:os';
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
      ...sizedForTheMachine(),
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

/**
 * DuckDB's defaults (80% of memory, a thread per core) size it for a database server; here it
 * shares the machine with PostgreSQL, the MCP servers and the user's work, and writes Parquet
 * files a batch at a time. An eighth of the memory (256 MB to 2 GB) and at most 4 threads;
 * larger work spills to DuckDB's temporary files instead of growing.
 */
function sizedForTheMachine(): Record<string, string> {
  const mb = Math.min(2048, Math.max(256, Math.floor(os.totalmem() / 2 ** 20 / 8)));
  return { memory_limit: `${mb}MB`, threads: String(Math.min(4, os.availableParallelism())) };
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
