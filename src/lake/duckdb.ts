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

/**
 * Runs `fn` on a DuckDB of its own that can reach no file outside `directories` (the lake's
 * data path): for SQL a person or a model wrote, where `read_text('/etc/passwd')`, `glob()` or
 * `read_csv()` of a credentials file must fail. The limits are set, then locked, before the
 * query can run, so it cannot lift them; the instance goes with the call.
 */
export async function withConfinedDuckDB<T>(
  directories: readonly string[],
  fn: (conn: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await db.connect();
  try {
    const list = `[${directories.map((d) => `'${(d.endsWith('/') ? d : `${d}/`).replace(/'/g, "''")}'`).join(', ')}]`;
    await conn.run(`SET TimeZone = 'UTC'`);
    await conn.run(`SET allowed_directories = ${list}`);
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');
    return await fn(conn);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
