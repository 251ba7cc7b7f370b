import crypto from 'node:crypto';
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
import { runBosun } from '../support/cli.js';
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

  describe('data.quality', () => {
    const orders =
      'id,customer_id,amount,status,email,placed\n' +
      '1,1,10.5,paid,ada@example.com,2024-01-01 10:00:00\n' +
      '2,2,20,paid,bob@example.com,2024-01-02 10:00:00\n' +
      '2,1,-5,refunded,not-an-email,2024-01-03 10:00:00\n' +
      '4,9,7,lost,,2024-01-04 10:00:00\n';
    const customers = 'id,name\n1,Ada\n2,Bob\n';

    it('profiles every column: nulls, distinct, ranges, quantiles, top values, lengths and patterns', async () => {
      const dir = newDir();
      fs.writeFileSync(path.join(dir, 'orders.csv'), orders);
      const { envelope, outputs } = await run('data.quality', { path: 'orders.csv' }, dir);
      expect(envelope.status).toBe('completed');
      expect(outputs.rows).toBe(4);
      const byName = Object.fromEntries(outputs.profile.columns.map((c: any) => [c.name, c]));
      expect(byName.amount).toMatchObject({ type: 'DOUBLE', nulls: 0, min: '-5.0', max: '20.0', mean: 8.125 });
      const amounts = [10.5, 20, -5, 7];
      const sampleVariance = amounts.reduce((sum, a) => sum + (a - 8.125) ** 2, 0) / (amounts.length - 1);
      expect(byName.amount.stddev).toBeCloseTo(Math.sqrt(sampleVariance), 6);
      expect(byName.id.distinct).toBe(3);
      expect(byName.status.top[0]).toBe('paid');
      expect(byName.email).toMatchObject({ nulls: 1, length: { min: 12, max: 15 } });
      expect(byName.email.patterns).toEqual({ email: 2, other: 1 });
      expect(byName.placed.quantiles.q50).toMatch(/^2024-01-0/);
      const report = fs.readFileSync(envelope.artifacts.find((a) => a.name === 'quality-report.md')!.path!, 'utf8');
      expect(report).toContain('| amount | DOUBLE | 0 |');
    });

    it('checks every rule kind, with failing-row counts and samples, and fails the run on an error rule', async () => {
      const dir = newDir();
      fs.writeFileSync(path.join(dir, 'orders.csv'), orders);
      fs.writeFileSync(path.join(dir, 'customers.csv'), customers);
      const rules = [
        { not_null: ['id', 'email'], severity: 'warn' },
        { unique: 'id', name: 'order ids are unique' },
        { unique: ['id', 'customer_id'] },
        { accepted_values: { column: 'status', values: ['paid', 'refunded'] } },
        { range: { column: 'amount', min: 0 } },
        { regex: { column: 'email', pattern: '[^@]+@[^@]+' } },
        { row_count: { min: 1, max: 3 } },
        { freshness: { column: 'placed', max_age: '7d' }, severity: 'warn' },
        { relationships: { column: 'customer_id', to_table: 'customers.csv', to_column: 'id' } },
        { expression: 'amount < 100' },
      ];
      const { envelope, outputs } = await run('data.quality', { path: 'orders.csv', rules, profile: false }, dir);
      expect(envelope.status).toBe('failed');
      expect(envelope.error!.code).toBe('QUALITY_FAILED');
      const r = Object.fromEntries(outputs.results.map((x: any) => [x.name, x]));
      expect(r['not_null(id, email)']).toMatchObject({ passed: false, failingRows: 1, severity: 'warn' });
      expect(r['order ids are unique']).toMatchObject({ passed: false, failingRows: 2 });
      expect(r['order ids are unique'].sample).toEqual([{ id: '2', occurrences: '2' }]);
      expect(r['unique(id, customer_id)']).toMatchObject({ passed: true, failingRows: 0 });
      expect(r['accepted_values(status)']).toMatchObject({ passed: false, failingRows: 1 });
      expect(r['accepted_values(status)'].sample[0]).toMatchObject({ id: '4', status: 'lost' });
      expect(r['range(amount)']).toMatchObject({ passed: false, failingRows: 1 });
      expect(r['regex(email)']).toMatchObject({ passed: false, failingRows: 1 });
      expect(r['row_count(1..3)']).toMatchObject({ passed: false, failingRows: null, message: '4 rows' });
      expect(r['freshness(placed)']).toMatchObject({ passed: false, severity: 'warn' });
      expect(r['relationships(customer_id → customers.csv.id)']).toMatchObject({ passed: false, failingRows: 1 });
      expect(r['expression(amount < 100)']).toMatchObject({ passed: true });
      expect(outputs.failed_checks).toBe(6);
      expect(outputs.warnings).toBe(2);
      const report = fs.readFileSync(envelope.artifacts[0]!.path!, 'utf8');
      expect(report).toContain('| order ids are unique | error | FAIL | 2 |');
    });

    it('passes a clean lake table, reads rules from a YAML file, and says which snapshot it checked', async () => {
      const dir = newDir();
      fs.writeFileSync(path.join(dir, 'good.csv'), 'id,amount\n1,5\n2,6\n');
      await run('data.ingest', { source: 'good.csv', target: 'dq.good' }, dir);
      fs.writeFileSync(
        path.join(dir, 'rules.yaml'),
        'rules:\n  - unique: id\n  - range: { column: amount, min: 0, max: 10 }\n  - row_count: { min: 2 }\n',
      );
      const { envelope, outputs } = await run('data.quality', { table: 'dq.good', rules_file: 'rules.yaml' }, dir);
      expect(envelope.status).toBe('completed');
      expect(outputs).toMatchObject({ passed: true, failed_checks: 0, warnings: 0 });
      expect(outputs.dataset.snapshotId).toBe((await lake.snapshots({ table: 'dq.good' })).at(-1)!.id);
      const bad = await run('data.quality', { table: 'dq.good', rules: [{ nope: 'id' }] }, dir);
      expect(bad.envelope.error!.message).toMatch(/exactly one rule key out of not_null, unique/);
    });
  });

  describe('data.transform', () => {
    it('runs a SELECT over named lake tables and files into a lake table, and records the lineage', async () => {
      const dir = newDir();
      fs.writeFileSync(path.join(dir, 'customers.csv'), 'id,name\n1,Ada\n2,Bob\n');
      fs.writeFileSync(path.join(dir, 'sales.csv'), 'customer_id,amount\n1,10\n1,5\n2,7\n');
      const ingested = await run('data.ingest', { source: 'sales.csv', target: 'tx.sales' }, dir);
      const salesSnapshot = ingested.outputs.snapshotId as number;
      await run('data.ingest', { source: 'sales.csv', target: 'tx.sales' }, dir); // appended: the sales double
      const sql =
        'SELECT c.name, sum(s.amount) AS revenue FROM sales s JOIN customers c ON c.id = s.customer_id GROUP BY c.name';
      const { envelope, outputs } = await run(
        'data.transform',
        { sql, inputs: { sales: `tx.sales@${salesSnapshot}`, customers: 'customers.csv' }, target: 'mart.revenue' },
        dir,
      );
      expect(envelope.status).toBe('completed');
      expect(await lakeRows('mart.revenue', 'name')).toEqual([
        { name: 'Ada', revenue: 15 },
        { name: 'Bob', revenue: 7 },
      ]);
      const latest = await lake.latestSnapshotId();
      expect(outputs.lineage.inputs).toEqual([
        {
          name: 'sales',
          ref: `tx.sales@${salesSnapshot}`,
          kind: 'table',
          table: 'tx.sales',
          snapshotId: salesSnapshot,
        },
        {
          name: 'customers',
          ref: 'customers.csv',
          kind: 'file',
          path: path.join(dir, 'customers.csv'),
          sha256: crypto
            .createHash('sha256')
            .update(fs.readFileSync(path.join(dir, 'customers.csv')))
            .digest('hex'),
        },
      ]);
      expect(outputs.lineage.output).toMatchObject({
        kind: 'table',
        table: 'mart.revenue',
        snapshotId: latest,
        rows: 2,
      });
      const lineageFile = envelope.artifacts.find((a) => a.name === 'lineage.json')!;
      expect(JSON.parse(fs.readFileSync(lineageFile.path!, 'utf8'))).toEqual(outputs.lineage);
      const current = await run(
        'data.transform',
        { sql: 'SELECT count(*) AS n FROM sales', inputs: { sales: 'tx.sales' }, target: 'out/n.parquet' },
        dir,
      );
      expect(current.outputs.lineage.inputs[0].snapshotId).toBe(latest);
      expect(current.outputs.lineage.output.sha256).toMatch(/^[0-9a-f]{64}$/);
      const refused = await run(
        'data.transform',
        { sql: 'DROP TABLE sales', inputs: { sales: 'tx.sales' }, target: 'mart.x' },
        dir,
      );
      expect(refused.envelope.error!.message).toMatch(/one SELECT/);
    });
  });

  describe('data.synthetic', () => {
    const readAll = (file: string, order: string) =>
      duck(async (c) => (await c.runAndReadAll(`SELECT * FROM '${file}' ORDER BY ${order}`)).getRowObjectsJson());

    it('follows a declared schema, is the same for a seed, and keeps foreign keys into another generated table', async () => {
      const dir = newDir();
      const customers = {
        columns: [
          { name: 'id', type: 'integer', unique: true },
          { name: 'tier', type: 'category', values: ['gold', 'silver', 'bronze'], weights: [1, 3, 6] },
          { name: 'score', type: 'double', distribution: 'normal', mean: 50, stddev: 10, min: 0, max: 100 },
          { name: 'email', type: 'string', unique: true, prefix: 'user', nullable: 0.2 },
          { name: 'joined', type: 'date', min: '2024-01-01', max: '2024-12-31' },
        ],
      };
      const first = await run(
        'data.synthetic',
        { schema: customers, rows: 20000, seed: 7, target: 'a/customers.parquet' },
        dir,
      );
      expect(first.envelope.status, JSON.stringify(first.envelope.error)).toBe('completed');
      await run('data.synthetic', { schema: customers, rows: 20000, seed: 7, target: 'b/customers.parquet' }, dir);
      await run('data.synthetic', { schema: customers, rows: 20000, seed: 8, target: 'c/customers.parquet' }, dir);
      const [a, b, c] = await Promise.all(
        ['a', 'b', 'c'].map((x) => readAll(path.join(dir, x, 'customers.parquet'), 'id')),
      );
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
      const stats = await duck(
        async (conn) =>
          (
            await conn.runAndReadAll(
              `SELECT count(DISTINCT id) AS ids, avg(score) AS mean, stddev_samp(score) AS sd, min(score) >= 0 AS floor,
                    avg((email IS NULL)::INT) AS nulls, avg((tier = 'bronze')::INT) AS bronze, min(joined) >= DATE '2024-01-01' AS from_ok
               FROM '${path.join(dir, 'a', 'customers.parquet')}'`,
            )
          ).getRowObjectsJson()[0]!,
      );
      expect(Number(stats.ids)).toBe(20000);
      expect(Number(stats.mean)).toBeCloseTo(50, 0);
      expect(Math.abs(Number(stats.sd) - 10)).toBeLessThan(0.5);
      expect(Math.abs(Number(stats.nulls) - 0.2)).toBeLessThan(0.02);
      expect(Math.abs(Number(stats.bronze) - 0.6)).toBeLessThan(0.02);
      expect(stats).toMatchObject({ floor: true, from_ok: true });
      const orders = await run(
        'data.synthetic',
        {
          schema: { columns: [{ name: 'customer_id', type: 'integer', references: 'a/customers.parquet:id' }] },
          rows: 5000,
          target: 'syn.orders',
        },
        dir,
      );
      expect(orders.envelope.status, JSON.stringify(orders.envelope.error)).toBe('completed');
      const orphans = await run(
        'data.quality',
        {
          table: 'syn.orders',
          rules: [{ relationships: { column: 'customer_id', to_table: 'a/customers.parquet', to_column: 'id' } }],
          profile: false,
        },
        dir,
      );
      expect(orphans.outputs.results[0]).toMatchObject({ passed: true, failingRows: 0 });
    });

    it("mimics a sample's categories and null share", async () => {
      const dir = newDir();
      const lines = ['city,visits'];
      for (let i = 0; i < 400; i++) lines.push(`${i % 4 === 0 ? 'Oslo' : 'Lima'},${i % 10 === 0 ? '' : i}`);
      fs.writeFileSync(path.join(dir, 'sample.csv'), lines.join('\n') + '\n');
      const { envelope, outputs } = await run(
        'data.synthetic',
        { sample: 'sample.csv', rows: 10000, target: 'mimic.parquet' },
        dir,
      );
      expect(envelope.status, JSON.stringify(envelope.error)).toBe('completed');
      expect(outputs.schema.map((c: any) => c.name)).toEqual(['city', 'visits']);
      const s = await duck(
        async (c) =>
          (
            await c.runAndReadAll(
              `SELECT avg((city = 'Oslo')::INT) AS oslo, count(DISTINCT city) AS cities, avg((visits IS NULL)::INT) AS nulls FROM '${path.join(dir, 'mimic.parquet')}'`,
            )
          ).getRowObjectsJson()[0]!,
      );
      expect(Math.abs(Number(s.oslo) - 0.25)).toBeLessThan(0.02);
      expect(Number(s.cities)).toBe(2);
      expect(Math.abs(Number(s.nulls) - 0.1)).toBeLessThan(0.02);
    });
  });

  it('runs from the terminal: agents list says automatic, and data.quality reads its input from --input-file', async () => {
    const bosun = (...args: string[]) => runBosun([...args, '--json'], { home, env: { BOSUN_DATABASE_URL: db.url } });
    const list = await bosun('agents', 'list');
    const byId = Object.fromEntries((list.json.agents ?? list.json).map((a: any) => [a.id, a]));
    expect(byId['data-engineering'].executor).toBe('builtin');
    expect(byId.sql.executor).toBe('builtin');
    const dir = newDir();
    fs.writeFileSync(path.join(dir, 'orders.csv'), 'id,amount\n1,5\n1,-2\n');
    const inputFile = path.join(dir, 'rules.json');
    fs.writeFileSync(
      inputFile,
      JSON.stringify({
        path: path.join(dir, 'orders.csv'),
        rules: [{ unique: 'id' }, { range: { column: 'amount', min: 0 }, severity: 'warn' }],
      }),
    );
    const res = await bosun(
      'agents',
      'run',
      'data-engineering',
      'data.quality',
      '--input-file',
      inputFile,
      '--work-dir',
      dir,
    );
    expect(res.json.envelope.status).toBe('failed');
    expect(res.json.envelope.outputs).toMatchObject({ failed_checks: 1, warnings: 1 });
    expect(res.exitCode).not.toBe(0);
  });
});
