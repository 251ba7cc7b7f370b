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
