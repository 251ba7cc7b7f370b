import pg from 'pg';
import { BosunError } from '../../../core/index.js';
import type { Pool } from '../../../db/index.js';
import { positionOf } from '../tabular/duckdb.js';
import type { ResultColumn } from '../tabular/results.js';
import type { Connection } from './connections.js';

export interface PostgresQuery {
  sql: string;
  params: unknown[];
  maxRows: number;
  timeoutMs: number;
  write: boolean;
  signal: AbortSignal;
}

export interface PostgresResult {
  columns: ResultColumn[];
  /** In PostgreSQL's text format, at most maxRows of them. */
  rows: (string | null)[][];
  truncated: boolean;
  /** The command tag's verb (SELECT, INSERT…) and the rows it touched. */
  command: string;
  affectedRows: number | null;
}

type PgConnection = Extract<Connection, { engine: 'postgres' }>;

/** Every value as PostgreSQL's text: DuckDB casts it to the column's type, so nothing is lost in JavaScript numbers. */
const textTypes = { getTypeParser: () => (value: string) => value };

/** Statements that only read; anything else needs `write: true`. */
const READING = new Set(['select', 'with', 'values', 'table', 'show']);

/** The statement's first keyword, past comments and opening parentheses. */
export function firstKeyword(sql: string): string {
  const stripped = sql.replace(/^(\s|--[^\n]*\n?|\/\*[\s\S]*?\*\/|\()*/, '');
  return (/^[A-Za-z]+/.exec(stripped)?.[0] ?? '').toLowerCase();
}

/** A client on the connection: one of Bosun's pool (returned after) or a new one (closed after). */
async function connect(connection: PgConnection, pool: Pool, timeoutMs: number) {
  if (connection.own) {
    const client = await pool.connect();
    return { client, release: () => client.release(), cancelVia: pool as pg.Pool | null };
  }
  const client = new pg.Client({
    connectionString: connection.url,
    connectionTimeoutMillis: Math.min(timeoutMs, 30_000),
  });
  try {
    await client.connect();
  } catch (err) {
    throw new BosunError('DB_UNAVAILABLE', `cannot connect to ${connection.name}: ${(err as Error).message}`, {
      hint: `check connections.${connection.name}.url and that the server is up`,
      details: { retryable: true },
    });
  }
  return { client, release: () => void client.end().catch(() => undefined), cancelVia: null };
}

/** A PostgreSQL error as a BosunError; a syntax error carries the position in the caller's SQL. */
export function postgresError(err: unknown, sql: string, offset: number, connection: string): BosunError {
  if (err instanceof BosunError) return err;
  const e = err as pg.DatabaseError;
  const details: Record<string, unknown> = { retryable: false, engineMessage: e.message, sqlstate: e.code };
  let where = '';
  if (e.position) {
    const at = Math.max(0, Number(e.position) - 1 - offset);
    Object.assign(details, positionOf(sql, at));
    const p = positionOf(sql, at);
    where = ` (line ${p.line}, column ${p.column})`;
  }
  if (e.code === '57014')
    return new BosunError('TIMEOUT', `the query on ${connection} was cancelled: ${e.message}`, { details });
  const code = e.code === '42601' ? 'SQL_SYNTAX' : e.code === '25006' ? 'WRITE_REFUSED' : 'SQL_ERROR';
  return new BosunError(code, `${connection}: ${e.message}${where}`, {
    details,
    ...(e.hint ? { hint: e.hint } : {}),
  });
}

/** Column names and PostgreSQL types (as `format_type` writes them) → DuckDB types for the artifacts. */
async function resultColumns(client: pg.ClientBase, fields: readonly pg.FieldDef[]): Promise<ResultColumn[]> {
  if (!fields.length) return [];
  const res = await client.query<{ i: number; type: string }>(
    `SELECT f.i, format_type(f.oid, f.typmod) AS type
       FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS f(oid, typmod, i)`,
    [fields.map((f) => f.dataTypeID), fields.map((f) => f.dataTypeModifier)],
  );
  const types = new Map(res.rows.map((r) => [Number(r.i), r.type]));
  return fields.map((f, i) => {
    const sourceType = types.get(i + 1) ?? 'unknown';
    return { name: f.name, type: duckdbTypeFor(sourceType), sourceType };
  });
}

/** The DuckDB type that holds a PostgreSQL type's values; anything without a twin stays text. */
export function duckdbTypeFor(pgType: string): string {
  const decimal = /^numeric\((\d+),(\d+)\)$/.exec(pgType);
  if (decimal) return Number(decimal[1]) <= 38 ? `DECIMAL(${decimal[1]},${decimal[2]})` : 'DOUBLE';
  const simple: Record<string, string> = {
    smallint: 'SMALLINT',
    integer: 'INTEGER',
    bigint: 'BIGINT',
    real: 'FLOAT',
    'double precision': 'DOUBLE',
    numeric: 'DOUBLE',
    boolean: 'BOOLEAN',
    date: 'DATE',
    'timestamp without time zone': 'TIMESTAMP',
    'timestamp with time zone': 'TIMESTAMPTZ',
    'time without time zone': 'TIME',
    uuid: 'UUID',
    interval: 'INTERVAL',
  };
  return simple[pgType.replace(/\(\d+\)/, '')] ?? 'VARCHAR';
}

/** Refuses, before it runs, a statement that is not a query: by its first keyword and, for a query, a plan that is not executed. */
export async function assertReadOnly(
  client: pg.ClientBase,
  sql: string,
  params: unknown[],
  setOffset: (offset: number) => void,
): Promise<string> {
  const keyword = firstKeyword(sql);
  if (!READING.has(keyword)) {
    throw new BosunError(
      'WRITE_REFUSED',
      `sql.query only reads unless write: true; this statement is ${keyword ? keyword.toUpperCase() : 'not a query'}`,
      { hint: 'pass write: true to run statements that change data', details: { retryable: false } },
    );
  }
  if (keyword === 'show') return keyword;
  const prefix = 'EXPLAIN (FORMAT JSON) ';
  setOffset(prefix.length);
  const plan = await extendedQuery(client, prefix + sql, params);
  setOffset(0);
  if (modifiesTables(JSON.parse(String((plan.rows[0] as unknown as string[])[0])))) {
    throw new BosunError('WRITE_REFUSED', 'sql.query only reads unless write: true; this query modifies a table', {
      hint: 'pass write: true to run statements that change data',
      details: { retryable: false },
    });
  }
  return keyword;
}

/**
 * Runs `fn` in one transaction on the connection: READ ONLY unless `write`, with a
 * `statement_timeout` so the server cancels a slow statement itself, and the backend cancelled
 * when the run is. A reader's transaction is rolled back, a writer's committed. Errors come back
 * as BosunErrors whose position is in the caller's SQL (`setOffset` says how much was prefixed).
 */
export async function withPostgresTransaction<T>(
  connection: PgConnection,
  pool: Pool,
  options: { timeoutMs: number; write: boolean; signal: AbortSignal; sql: string },
  fn: (client: pg.ClientBase, setOffset: (offset: number) => void) => Promise<T>,
): Promise<T> {
  if (connection.own && options.write) {
    throw new BosunError('WRITE_REFUSED', "Bosun's own database (connection bosun) is read-only for queries", {
      hint: 'name a configured connection to write',
      details: { retryable: false },
    });
  }
  const { client, release, cancelVia } = await connect(connection, pool, options.timeoutMs);
  const pid = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
  const cancel = () => {
    const cancelling = cancelVia
      ? cancelVia.query('SELECT pg_cancel_backend($1)', [pid])
      : (async () => {
          const other = new pg.Client({ connectionString: (connection as { url: string }).url });
          await other.connect();
          await other.query('SELECT pg_cancel_backend($1)', [pid]).finally(() => other.end());
        })();
    cancelling.catch(() => undefined);
  };
  options.signal.addEventListener('abort', cancel, { once: true });
  let offset = 0;
  try {
    await client.query(options.write ? 'BEGIN' : 'BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.trunc(options.timeoutMs))}`);
    const result = await fn(client, (o) => (offset = o));
    await client.query(options.write ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw postgresError(err, options.sql, offset, connection.name);
  } finally {
    options.signal.removeEventListener('abort', cancel);
    release();
  }
}

/**
 * Runs one query on PostgreSQL. Without `write`, only a reading statement is accepted (checked
 * before it runs), in a READ ONLY transaction, through a cursor so at most maxRows+1 rows ever
 * leave the server.
 */
export async function runPostgres(connection: PgConnection, pool: Pool, q: PostgresQuery): Promise<PostgresResult> {
  return withPostgresTransaction(connection, pool, { ...q }, async (client, setOffset) => {
    if (q.write) return runWrite(client, q);
    const keyword = await assertReadOnly(client, q.sql, q.params, setOffset);
    if (keyword === 'show') {
      const res = await extendedQuery(client, q.sql, q.params);
      return { ...(await shaped(client, res, q.maxRows)), command: 'SHOW' };
    }
    const declare = 'DECLARE bosun_result NO SCROLL CURSOR FOR ';
    setOffset(declare.length);
    await extendedQuery(client, declare + q.sql, q.params);
    setOffset(0);
    const res = await extendedQuery(client, `FETCH FORWARD ${q.maxRows + 1} FROM bosun_result`, []);
    return { ...(await shaped(client, res, q.maxRows)), command: 'SELECT' };
  });
}

/**
 * One statement through the extended protocol (which takes exactly one: `select 1; drop table t`
 * cannot ride along), rows as arrays of text. pg's types lack `queryMode`, which it supports.
 */
function extendedQuery(client: pg.ClientBase, text: string, values: unknown[]): Promise<pg.QueryResult> {
  const config = { text, values, queryMode: 'extended', types: textTypes, rowMode: 'array' };
  return client.query(config as pg.QueryConfig);
}

async function runWrite(client: pg.ClientBase, q: PostgresQuery): Promise<PostgresResult> {
  // Without parameters a script of several statements is one simple query; the last result counts.
  const raw = (await client.query({
    text: q.sql,
    types: textTypes,
    rowMode: 'array',
    ...(q.params.length ? { values: q.params } : {}),
  })) as unknown as pg.QueryResult | pg.QueryResult[];
  const last = Array.isArray(raw) ? raw.at(-1)! : raw;
  return { ...(await shaped(client, last, q.maxRows)), command: last.command ?? '' };
}

async function shaped(client: pg.ClientBase, res: pg.QueryResult, maxRows: number) {
  const columns = await resultColumns(client, res.fields ?? []);
  const rows = res.rows as unknown as (string | null)[][];
  return {
    columns,
    rows: rows.slice(0, maxRows),
    truncated: rows.length > maxRows,
    affectedRows: res.rowCount ?? null,
  };
}

/** Whether an EXPLAIN (FORMAT JSON) plan writes: a ModifyTable node anywhere (a data-modifying CTE too). */
function modifiesTables(plan: unknown): boolean {
  if (Array.isArray(plan)) return plan.some(modifiesTables);
  if (!plan || typeof plan !== 'object') return false;
  const node = plan as Record<string, unknown>;
  if (node['Node Type'] === 'ModifyTable') return true;
  return Object.values(node).some((v) => typeof v === 'object' && modifiesTables(v));
}
