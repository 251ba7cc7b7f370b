import crypto from 'node:crypto';
import pg from 'pg';
import { BosunError, isConnectionLost, redactUrl, type Logger } from '../core/index.js';

/** int8 as a JS number: Bosun's ids and counters stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20
      ? (v: string) => Number(v)
      : (pg.types.getTypeParser(oid, format as 'text') as (v: string) => unknown)) as typeof pg.types.getTypeParser,
};

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function createPool(
  url: string,
  options: { max?: number; logger?: Logger; applicationName?: string } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 10_000,
    application_name: options.applicationName ?? 'bosun',
    types,
  });
  // An idle client's error (server restart) must not crash the process.
  pool.on('error', (err) => options.logger?.warn({ err }, 'idle PostgreSQL connection failed'));
  return pool;
}

const statementNames = new Map<string, string>();

/**
 * A query the server parses and plans once per connection (a named prepared statement), for
 * the statements a busy worker runs many times a second: for those short statements, parsing
 * and planning cost as much as running them. The name comes from the text, so one text is one
 * statement on every connection; use it only with fixed texts (values go in parameters).
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (!name) {
    name = `bosun_${crypto.createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

/**
 * A uuid column matched against ids in a prepared statement: `column = $n` for one id, `column =
 * ANY($n::uuid[])` for several, with the value to bind. Given one id, the server keeps a generic
 * plan for the statement; given an array, whose length it cannot know, it finds a plan for that
 * array cheaper and plans every call again, which costs more than running these statements.
 */
export function idsMatch(
  column: string,
  param: number,
  ids: readonly string[],
): { sql: string; value: string | readonly string[] } {
  return ids.length === 1
    ? { sql: `${column} = $${param}::uuid`, value: ids[0]! }
    : { sql: `${column} = ANY($${param}::uuid[])`, value: ids };
}

/** Runs `fn` in one transaction on one client; rolls back on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Turns a connection failure into an error that says where and what to do. */
export function unreachable(url: string, err: unknown): BosunError {
  return new BosunError('DB_UNAVAILABLE', `cannot reach PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`, {
    hint: 'check BOSUN_DATABASE_URL / database.url, or unset it to use the embedded server (`bosun up`)',
    cause: err,
  });
}

/**
 * The error as DB_UNAVAILABLE when it says PostgreSQL was lost (shut down, restarted, refused,
 * or the connection dropped), else null.
 */
export function connectionLost(err: unknown, doing: string): BosunError | null {
  if (!isConnectionLost(err)) return null;
  const e = err as { code?: string; message?: string } | null;
  return new BosunError(
    'DB_UNAVAILABLE',
    `lost the connection to PostgreSQL while ${doing}: ${e?.message ?? e?.code}`,
    {
      hint: 'start it again (`bosun up`, or check BOSUN_DATABASE_URL) and retry',
      cause: err,
      details: { retryable: true },
    },
  );
}
