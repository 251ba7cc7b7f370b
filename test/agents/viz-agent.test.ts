import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, type AgentRegistry } from '../../src/agents/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

interface ChartOutputs {
  files: Record<string, string>;
  rows: number;
  columns: { name: string; type: string }[];
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const png = fs.readFileSync(file);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the viz agent: viz.chart', { timeout: 120_000 }, () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  let scratch: string;
  let n = 0;
  const orders = Array.from({ length: 60 }, (_, i) => ({
    region: ['north', 'south', 'east'][i % 3]!,
    month: 1 + (i % 4),
    amount: 10 + ((i * 7) % 23),
  }));
  const chart = async (input: Record<string, unknown>) => {
    const workDir = path.join(scratch, `run-${++n}`);
    const envelope = await executeAgent({
      registry,
      agentId: 'viz',
      skillId: 'viz.chart',
      input,
      workDir,
      noCache: true,
    });
    return { envelope, outputs: envelope.outputs as unknown as ChartOutputs, workDir };
  };
  const spec = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as { data: { values: any[] } };

  beforeAll(async () => {
    f = await agentsFixture();
    registry = await f.open();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-viz-'));
    const lake = await registry.lake();
    await lake.createSchema('sales');
    await lake.createTable('sales.orders', [
      { name: 'region', type: 'VARCHAR' },
      { name: 'month', type: 'INTEGER' },
      { name: 'amount', type: 'BIGINT' },
    ]);
    await lake.append('sales.orders', orders);
  });
  afterAll(async () => {
    await f.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('draws a lake table aggregated by DuckDB to a validated spec, SVG, PNG and offline HTML', async () => {
    const { envelope, outputs } = await chart({
      data: { table: 'sales.orders' },
      chart: { mark: 'bar', x: 'region', y: 'amount', aggregate: 'sum', title: 'Revenue by region' },
    });
    expect(envelope.status, envelope.error?.message).toBe('completed');
    const expected = new Map<string, number>();
    for (const o of orders) expected.set(o.region, (expected.get(o.region) ?? 0) + o.amount);
    const values = spec(outputs.files['vega-lite']!).data.values;
    expect(Object.fromEntries(values.map((v) => [v.region, v.amount]))).toEqual(Object.fromEntries(expected));
    expect(outputs.rows).toBe(3);

    const svg = fs.readFileSync(outputs.files.svg!, 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('Revenue by region');
    // One bar per region: Vega draws each as a path in the mark group.
    expect(svg.match(/aria-roledescription="bar"/g)?.length).toBe(3);
    const { width, height } = pngSize(outputs.files.png!);
    const svgWidth = Number(/width="(\d+)"/.exec(svg)![1]);
    expect(width).toBe(svgWidth * 2);
    expect(height).toBeGreaterThan(100);

    const html = fs.readFileSync(outputs.files.html!, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/cdn\.jsdelivr|unpkg\.com/);
    expect(html).toContain('vegaEmbed(');
    expect(envelope.artifacts.map((a) => [path.basename(a.path!), a.mediaType]).sort()).toEqual([
      ['chart.html', 'text/html'],
      ['chart.png', 'image/png'],
      ['chart.svg', 'image/svg+xml'],
      ['chart.vl.json', 'application/vnd.vegalite.v6+json'],
    ]);
  });

  it('reads a lake table as of an older snapshot', async () => {
    const lake = await registry.lake();
    const before = await lake.latestSnapshotId();
    await lake.append('sales.orders', [{ region: 'west', month: 1, amount: 1000 }]);
    const now = await chart({
      data: { table: 'sales.orders' },
      chart: { mark: 'bar', x: 'region', aggregate: 'count' },
      formats: ['svg'],
    });
    const then = await chart({
      data: { table: 'sales.orders', snapshot: before },
      chart: { mark: 'bar', x: 'region', aggregate: 'count' },
      formats: ['svg'],
    });
    expect(now.outputs.rows).toBe(4);
    expect(then.outputs.rows).toBe(3);
    expect(spec(then.outputs.files['vega-lite']!).data.values.map((v) => v.count)).toEqual([20, 20, 20]);
  });

  it('draws a raw Vega-Lite spec over a Parquet file and a SQL query', async () => {
    const dir = fs.mkdtempSync(path.join(scratch, 'parquet-'));
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(
      `COPY (SELECT i AS day, i * i AS value FROM range(1, 31) t(i)) TO '${path.join(dir, 'series.parquet')}' (FORMAT parquet)`,
    );
    conn.closeSync();
    const line = {
      mark: 'line',
      encoding: { x: { field: 'day', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' } },
    };
    const fromFile = await chart({
      data: { path: path.join(dir, 'series.parquet') },
      vega_lite: line,
      formats: ['png'],
    });
    expect(fromFile.envelope.status, fromFile.envelope.error?.message).toBe('completed');
    expect(fromFile.outputs.rows).toBe(30);
    expect(pngSize(fromFile.outputs.files.png!).width).toBeGreaterThan(200);

    const fromSql = await chart({
      data: { sql: 'SELECT month AS day, SUM(amount) AS value FROM sales.orders GROUP BY month' },
      vega_lite: line,
      formats: ['svg'],
    });
    expect(fromSql.envelope.status, fromSql.envelope.error?.message).toBe('completed');
    expect(fromSql.outputs.rows).toBe(4);
  });

  it('names the columns when a field is not in the data, and rejects specs the schema does not allow', async () => {
    const typo = await chart({ data: { table: 'sales.orders' }, chart: { mark: 'bar', x: 'regoin', y: 'amount' } });
    expect(typo.envelope.status).toBe('failed');
    expect(typo.envelope.error?.message).toBe(
      "chart.x: field 'regoin' is not in the data; its columns are region, month, amount",
    );
    const raw = await chart({
      data: { table: 'sales.orders' },
      vega_lite: { mark: 'point', encoding: { x: { field: 'amont', type: 'quantitative' } } },
    });
    expect(raw.envelope.error?.message).toContain(
      "field 'amont' is not in the data; its columns are region, month, amount",
    );

    const bad = await chart({ data: { table: 'sales.orders' }, vega_lite: { mark: 'barz', encoding: {} } });
    expect(bad.envelope.status).toBe('failed');
    expect(bad.envelope.error?.message).toMatch(/^the chart is not a valid Vega-Lite spec: .*#\/mark/);

    const url = await chart({ vega_lite: { data: { url: 'https://example.com/x.csv' }, mark: 'bar' } });
    expect(url.envelope.error?.message).toContain('charts read their rows from the data input, not from URLs');
    const write = await chart({ data: { sql: "COPY (SELECT 1) TO '/tmp/x.csv'" }, chart: { mark: 'bar', x: 'a' } });
    expect(write.envelope.error?.message).toContain('data.sql is not a single SELECT');
  });
});
