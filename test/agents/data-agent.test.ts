import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, openAgentRegistry, type AgentRegistry } from '../../src/agents/index.js';
import { bosunPaths, configSchema } from '../../src/core/index.js';
import { openLake, type Lake } from '../../src/lake/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

type Outputs = Record<string, any>;

async function duck<T>(fn: (conn: Awaited<ReturnType<DuckDBInstance['connect']>>) => Promise<T>): Promise<T> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('the data-engineering agent', () => {
  let db: TestDatabase;
  let registry: AgentRegistry;
  let lake: Lake;
  let home: string;
  let server: http.Server;
  let baseUrl: string;
  let n = 0;

  const newDir = () => fs.mkdtempSync(path.join(home, `run-${++n}-`));
  const run = async (skillId: string, input: Record<string, unknown>, workDir = newDir()) => {
    const envelope = await executeAgent({
      registry,
      agentId: 'data-engineering',
      skillId,
      input,
      workDir,
      noCache: true,
    });
    return { envelope, outputs: envelope.outputs as Outputs, dir: workDir };
  };
  const lakeRows = async (table: string, order = 'id') => {
    const scan = await lake.scan(table);
    return duck(async (c) =>
      (await c.runAndReadAll(`SELECT * FROM (${scan.sql}) ORDER BY ${order}`)).getRowObjectsJson(),
    );
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-data-'));
    const paths = bosunPaths(home);
    lake = await openLake({ pool: db.pool, dataPath: paths.lake });
    registry = await openAgentRegistry({
      pool: db.pool,
      paths,
      endpoints: {},
      config: configSchema.parse({}),
      lake: async () => lake,
    });
    server = http.createServer((req, res) => {
      if (req.url === '/orders.csv') {
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.end('id,amount\n1,10\n2,20\n');
      } else if (req.url === '/big.csv') {
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.end('id\n' + '1\n'.repeat(5000));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await db.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  describe('data.ingest', () => {
    it('lands a CSV in a new lake table in one snapshot, and counts and shows the rows it rejected', async () => {
      const dir = newDir();
      fs.writeFileSync(path.join(dir, 'orders.csv'), 'id,amount,customer\n1,10.5,ada\n2,oops,bob\n3,7,cy\n');
      const before = await lake.latestSnapshotId();
      const { envelope, outputs } = await run(
        'data.ingest',
        {
          source: 'orders.csv',
          target: 'raw.orders',
          options: { columns: { id: 'INTEGER', amount: 'DOUBLE', customer: 'VARCHAR' } },
        },
        dir,
      );
      expect(envelope.status).toBe('completed');
      expect(outputs.schema).toEqual([
        { name: 'id', type: 'INTEGER' },
        { name: 'amount', type: 'DOUBLE' },
        { name: 'customer', type: 'VARCHAR' },
      ]);
      expect(outputs.rows).toBe(2);
      expect(outputs.rejected.count).toBe(1);
      expect(outputs.rejected.examples[0]).toMatchObject({ line: 3, column: 'amount', text: '2,oops,bob' });
      expect(envelope.summary).toContain('1 rejected row');
      const rejectedCsv = envelope.artifacts.find((a) => a.name === 'rejected.csv')!;
      expect(fs.readFileSync(rejectedCsv.path!, 'utf8')).toContain('2,oops,bob');
      expect(outputs.snapshotId).toBe(before + 1);
      expect(await lake.latestSnapshotId()).toBe(before + 1);
      expect(await lakeRows('raw.orders')).toEqual([
        { id: 1, amount: 10.5, customer: 'ada' },
        { id: 3, amount: 7, customer: 'cy' },
      ]);
    });

    it('appends to and replaces an existing table', async () => {
      const dir = newDir();
      fs.writeFileSync(path.join(dir, 'more.csv'), 'id,amount,customer\n4,1,dee\n');
      const appended = await run('data.ingest', { source: 'more.csv', target: 'raw.orders' }, dir);
      expect(appended.envelope.status).toBe('completed');
      expect((await lakeRows('raw.orders')).map((r) => r.id)).toEqual([1, 3, 4]);
      const replaced = await run('data.ingest', { source: 'more.csv', target: 'raw.orders', mode: 'replace' }, dir);
      expect(replaced.outputs.rows).toBe(1);
      expect((await lakeRows('raw.orders')).map((r) => r.id)).toEqual([4]);
    });

    it('reads a glob of NDJSON files into a Parquet file', async () => {
      const dir = newDir();
      fs.mkdirSync(path.join(dir, 'events'));
      fs.writeFileSync(path.join(dir, 'events', 'a.ndjson'), '{"id":1,"kind":"click"}\n{"id":2,"kind":"view"}\n');
      fs.writeFileSync(path.join(dir, 'events', 'b.ndjson'), '{"id":3,"kind":"click"}\n');
      const { envelope, outputs } = await run(
        'data.ingest',
        { source: 'events/*.ndjson', target: 'out/events.parquet' },
        dir,
      );
      expect(envelope.status).toBe('completed');
      expect(outputs.format).toBe('ndjson');
      expect(outputs.rows).toBe(3);
      expect(outputs.schema).toEqual([
        { name: 'id', type: 'BIGINT' },
        { name: 'kind', type: 'VARCHAR' },
      ]);
      const file = path.join(dir, 'out', 'events.parquet');
      expect(outputs.path).toBe(file);
      const count = await duck(async (c) =>
        (await c.runAndReadAll(`SELECT count(*) AS n FROM '${file}'`)).getRowObjectsJson(),
      );
      expect(count).toEqual([{ n: '3' }]);
    });

    it('fetches an http URL with a size limit', async () => {
      const { envelope, outputs } = await run('data.ingest', {
        source: `${baseUrl}/orders.csv`,
        target: 'raw.web_orders',
      });
      expect(envelope.status).toBe('completed');
      expect(outputs).toMatchObject({ rows: 2, bytes: 20, format: 'csv' });
      const tooBig = await run('data.ingest', { source: `${baseUrl}/big.csv`, target: 'raw.big', max_bytes: 1000 });
      expect(tooBig.envelope.status).toBe('failed');
      expect(tooBig.envelope.error!.code).toBe('TOO_LARGE');
      const missing = await run('data.ingest', { source: `${baseUrl}/nope.csv`, target: 'raw.nope' });
      expect(missing.envelope.error!.message).toContain('404');
    });

    it("lands a PostgreSQL query's rows with their types", async () => {
      await db.pool.query(
        `CREATE TABLE public.accounts (id bigint, opened date, balance numeric(12,2), active boolean)`,
      );
      await db.pool.query(`INSERT INTO public.accounts VALUES (1, '2024-03-01', 12.50, true), (2, NULL, -3.25, false)`);
      const { envelope, outputs } = await run('data.ingest', {
        source: { query: 'SELECT * FROM public.accounts ORDER BY id' },
        target: 'raw.accounts',
      });
      expect(envelope.status).toBe('completed');
      expect(outputs.schema).toEqual([
        { name: 'id', type: 'BIGINT' },
        { name: 'opened', type: 'DATE' },
        { name: 'balance', type: 'DECIMAL(12,2)' },
        { name: 'active', type: 'BOOLEAN' },
      ]);
      expect(await lakeRows('raw.accounts')).toEqual([
        { id: '1', opened: '2024-03-01', balance: '12.50', active: true },
        { id: '2', opened: null, balance: '-3.25', active: false },
      ]);
    });
  });
});
