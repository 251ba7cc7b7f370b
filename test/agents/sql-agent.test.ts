import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, openAgentRegistry, type AgentRegistry } from '../../src/agents/index.js';
import { bosunPaths, configSchema } from '../../src/core/index.js';
import { openLake, type Lake } from '../../src/lake/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

interface QueryOutputs {
  columns: { name: string; type: string; sourceType?: string }[];
  rows: Record<string, unknown>[];
  rowCount: number;
  truncated: boolean;
  affectedRows: number | null;
  command: string;
  connection: string;
  durationMs: number;
  snapshotId?: number;
  error?: { code: string; message: string; position?: number; line?: number; column?: number; connections?: string[] };
}

/** Reads a Parquet artifact back with a DuckDB of the test's own. */
async function parquetRows(file: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(`SELECT * FROM read_parquet('${file}')`)).getRowObjectsJson();
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('the SQL agent', () => {
  let db: TestDatabase;
  let registry: AgentRegistry;
  let lake: Lake;
  let home: string;
  let duckFile: string;
  const role = `t_ext_${crypto.randomBytes(4).toString('hex')}`;
  const secret = `pw-${crypto.randomBytes(8).toString('hex')}`;
  let n = 0;

  const run = async (skillId: string, input: Record<string, unknown>, workDir?: string) => {
    const dir = workDir ?? fs.mkdtempSync(path.join(home, `run-${++n}-`));
    const envelope = await executeAgent({ registry, agentId: 'sql', skillId, input, workDir: dir, noCache: true });
    return { envelope, outputs: envelope.outputs as unknown as QueryOutputs, dir };
  };
  const query = (input: Record<string, unknown>, workDir?: string) => run('sql.query', input, workDir);

  beforeAll(async () => {
    db = await createTestDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-sql-'));
    const paths = bosunPaths(home);
    await db.pool.query(
      `CREATE TABLE public.orders (id integer PRIMARY KEY, amount numeric(10,2), customer text, placed timestamptz)`,
    );
    await db.pool.query(
      `INSERT INTO public.orders SELECT g, g * 1.5, 'c' || (g % 3), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 day' FROM generate_series(1, 5) g`,
    );
    await db.pool.query(`CREATE ROLE ${role} LOGIN PASSWORD '${secret}'`);
    await db.pool.query(`GRANT ALL ON public.orders TO ${role}`);
    const url = new URL(db.url);
    url.username = role;
    url.password = 'PASSWORD_PLACEHOLDER';
    process.env.BOSUN_TEST_EXT_PASSWORD = secret;
    duckFile = path.join(home, 'shop.duckdb');
    const duck = await DuckDBInstance.create(duckFile);
    const dc = await duck.connect();
    await dc.run(`CREATE TABLE items AS SELECT range AS id, 'item ' || range AS label FROM range(3)`);
    dc.closeSync();
    duck.closeSync();
    const config = configSchema.parse({
      connections: {
        ext: { url: url.toString().replace('PASSWORD_PLACEHOLDER', '${BOSUN_TEST_EXT_PASSWORD}') },
        shop: { url: `duckdb:${duckFile}` },
        needsvar: { url: 'postgres://u:${BOSUN_TEST_NOT_SET_ANYWHERE}@127.0.0.1/x' },
      },
    });
    lake = await openLake({ pool: db.pool, dataPath: paths.lake });
    registry = await openAgentRegistry({ pool: db.pool, paths, endpoints: {}, config, lake: async () => lake });
    await lake.createSchema('shop');
    await lake.createTable('shop.customers', [
      { name: 'id', type: 'INTEGER' },
      { name: 'name', type: 'VARCHAR' },
    ]);
    await lake.append('shop.customers', [
      { id: 1, name: 'Ada' },
      { id: 2, name: 'Grace' },
    ]);
  });
  afterAll(async () => {
    await db.pool.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    await db.drop();
    const admin = new (await import('pg')).default.Client({
      connectionString: db.url.replace(/\/[^/]*$/, '/postgres'),
    });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.end();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("reads Bosun's own database by default: typed columns, rows inline, CSV and Parquet of every row", async () => {
    const { envelope, outputs } = await query({
      engine: 'postgres',
      sql: 'SELECT id, amount, customer, placed FROM public.orders WHERE id <= $1 ORDER BY id',
      params: [3],
    });
    expect(envelope.status).toBe('completed');
    expect(outputs.connection).toBe('bosun');
    expect(outputs.columns).toEqual([
      { name: 'id', type: 'INTEGER', sourceType: 'integer' },
      { name: 'amount', type: 'DECIMAL(10,2)', sourceType: 'numeric(10,2)' },
      { name: 'customer', type: 'VARCHAR', sourceType: 'text' },
      { name: 'placed', type: 'TIMESTAMP WITH TIME ZONE', sourceType: 'timestamp with time zone' },
    ]);
    expect(outputs.rowCount).toBe(3);
    expect(outputs.rows[1]).toMatchObject({ id: 2, amount: '3.00', customer: 'c2' });
    expect(outputs.durationMs).toBeGreaterThanOrEqual(0);
    const csv = envelope.artifacts.find((a) => a.name === 'result.csv')!;
    expect(fs.readFileSync(csv.path!, 'utf8').trim().split('\n')).toHaveLength(4);
    const parquet = envelope.artifacts.find((a) => a.name === 'result.parquet')!;
    const back = await parquetRows(parquet.path!);
    expect(back.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(String(back[0]!.placed)).toMatch(/^2024-01-02/);
  });

  it('caps the rows at max_rows and says the result was truncated', async () => {
    const { envelope, outputs } = await query({
      engine: 'postgres',
      sql: 'SELECT g FROM generate_series(1, 500) g',
      max_rows: 10,
      preview_rows: 3,
    });
    expect(envelope.status).toBe('completed');
    expect(outputs).toMatchObject({ rowCount: 10, truncated: true });
    expect(outputs.rows).toHaveLength(3);
    const csv = envelope.artifacts.find((a) => a.name === 'result.csv')!;
    expect(fs.readFileSync(csv.path!, 'utf8').trim().split('\n')).toHaveLength(11);
  });

  it('refuses writes without write: true before they run, data-modifying CTEs and piggy-backed statements included', async () => {
    const count = async () => Number((await db.pool.query('SELECT count(*) AS n FROM public.orders')).rows[0].n);
    for (const sql of [
      'DELETE FROM public.orders',
      'WITH gone AS (DELETE FROM public.orders RETURNING id) SELECT count(*) FROM gone',
      'SELECT 1; DELETE FROM public.orders',
    ]) {
      const { envelope } = await query({ engine: 'postgres', sql });
      expect(envelope.status, sql).toBe('failed');
      expect(['WRITE_REFUSED', 'SQL_ERROR', 'SQL_SYNTAX'], sql).toContain(envelope.error!.code);
      expect(await count(), sql).toBe(5);
    }
    const { envelope } = await query({ engine: 'postgres', sql: 'DELETE FROM public.orders' });
    expect(envelope.error!.code).toBe('WRITE_REFUSED');
    const own = await query({ engine: 'postgres', sql: 'DELETE FROM public.orders', write: true });
    expect(own.envelope.error!.code).toBe('WRITE_REFUSED');
    expect(own.envelope.error!.message).toMatch(/read-only/);
  });

  it('uses a named connection whose password comes from the environment, and never echoes it', async () => {
    const { envelope, outputs } = await query({
      engine: 'postgres',
      connection: 'ext',
      sql: `INSERT INTO public.orders VALUES (100, 9.99, 'ext', now())`,
      write: true,
    });
    expect(envelope.status).toBe('completed');
    expect(outputs).toMatchObject({ connection: 'ext', command: 'INSERT', affectedRows: 1 });
    const who = await query({ engine: 'postgres', connection: 'ext', sql: 'SELECT current_user AS who' });
    expect(who.outputs.rows).toEqual([{ who: role }]);
    expect(JSON.stringify([envelope, who.envelope])).not.toContain(secret);
    const missing = await query({ engine: 'postgres', connection: 'needsvar', sql: 'SELECT 1' });
    expect(missing.envelope.error!.message).toContain('BOSUN_TEST_NOT_SET_ANYWHERE');
    await db.pool.query('DELETE FROM public.orders WHERE id = 100');
  });

  it('names the configured connections when asked for an unknown one', async () => {
    const { envelope, outputs } = await query({ engine: 'postgres', connection: 'warehouse', sql: 'SELECT 1' });
    expect(envelope.status).toBe('failed');
    expect(envelope.error!.code).toBe('NOT_FOUND');
    expect(outputs.error!.connections).toEqual(['bosun', 'ext', 'needsvar', 'shop']);
  });

  it('returns syntax errors with the engine message and the position in the SQL, for both engines', async () => {
    const sql = 'SELECT id\nFROM public.orders WHERE AND id = 1';
    const pgErr = await query({ engine: 'postgres', sql });
    expect(pgErr.envelope.error!.code).toBe('SQL_SYNTAX');
    expect(pgErr.outputs.error).toMatchObject({ line: 2, column: 26, position: sql.indexOf('AND') + 1 });
    expect(pgErr.envelope.error!.message).toMatch(/syntax error at or near "AND"/);
    const duckErr = await query({ engine: 'duckdb', sql });
    expect(duckErr.envelope.error!.code).toBe('SQL_SYNTAX');
    expect(duckErr.envelope.error!.message).toMatch(/syntax error at or near "AND"/);
    expect(duckErr.outputs.error).toMatchObject({ line: 2, position: sql.indexOf('AND') + 1 });
  });

  it('cancels a query past its timeout on the server', async () => {
    const started = Date.now();
    const { envelope } = await query({ engine: 'postgres', sql: 'SELECT pg_sleep(30) AS slept', timeout_s: 1 });
    expect(envelope.status).toBe('failed');
    expect(envelope.error!.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(15_000);
    const active = await db.pool.query(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND state = 'active' AND pid <> pg_backend_pid()`,
    );
    expect(Number(active.rows[0].n)).toBe(0);
  });

  it('reads lake tables and files in the task folder with DuckDB, and nothing outside them', async () => {
    const dir = fs.mkdtempSync(path.join(home, 'duck-'));
    fs.writeFileSync(path.join(dir, 'orders.csv'), 'customer_id,total\n1,10\n2,5\n1,7\n');
    const snapshot = await lake.latestSnapshotId();
    const { envelope, outputs } = await query(
      {
        engine: 'duckdb',
        sql: `SELECT c.name, sum(o.total) AS total FROM read_csv(getvariable('task_dir') || '/orders.csv') o JOIN shop.customers c ON c.id = o.customer_id GROUP BY c.name ORDER BY c.name`,
      },
      dir,
    );
    expect(envelope.status).toBe('completed');
    expect(outputs.rows).toEqual([
      { name: 'Ada', total: '17' },
      { name: 'Grace', total: '5' },
    ]);
    expect(outputs.columns.map((c) => c.type)).toEqual(['VARCHAR', 'HUGEINT']);
    expect(outputs.snapshotId).toBe(snapshot);
    const outside = await query({ engine: 'duckdb', sql: `SELECT * FROM read_csv('/etc/passwd')` });
    expect(outside.envelope.status).toBe('failed');
    expect(outside.envelope.error!.message).toMatch(/disabled by configuration/);
    for (const sql of [`COPY (SELECT 1) TO '${dir}/x.csv'`, 'CREATE TABLE t AS SELECT 1', 'SELECT 1; SELECT 2']) {
      const refused = await query({ engine: 'duckdb', sql }, dir);
      expect(refused.envelope.error!.code, sql).toBe('WRITE_REFUSED');
    }
    expect(fs.existsSync(path.join(dir, 'x.csv'))).toBe(false);
  });

  it('opens a configured DuckDB file read-only, and writes to it only with write: true', async () => {
    const read = await query({ engine: 'duckdb', connection: 'shop', sql: 'SELECT count(*) AS n FROM items' });
    expect(read.outputs.rows).toEqual([{ n: '3' }]);
    const refused = await query({ engine: 'duckdb', connection: 'shop', sql: `INSERT INTO items VALUES (9, 'x')` });
    expect(refused.envelope.error!.code).toBe('WRITE_REFUSED');
    const wrote = await query({
      engine: 'duckdb',
      connection: 'shop',
      sql: `INSERT INTO items VALUES (9, 'x'); SELECT count(*) AS n FROM items`,
      write: true,
    });
    expect(wrote.envelope.status).toBe('completed');
    expect(wrote.outputs.rows).toEqual([{ n: '4' }]);
  });
});
