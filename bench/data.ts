/**
 * bench:data — the data agents against DuckDB's own plain SQL, in one run:
 *   - data.ingest of a CSV into a lake table vs. read_csv → COPY … TO parquet;
 *   - data.quality's profile vs. one SUMMARIZE;
 *   - data.quality with 10 rules vs. one hand-written count_if query;
 *   - data.synthetic vs. COPY (SELECT … FROM range(n)) TO parquet.
 * Peak RSS is the process's high-water mark after each step (the agents run in this process).
 * Usage: npm run bench:data [-- --rows 10000000 --synthetic-rows 1000000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { executeAgent, openAgentRegistry, type ResultEnvelope } from '../src/agents/index.js';
import { bosunPaths, configSchema, silentLogger } from '../src/core/index.js';
import { openLake } from '../src/lake/index.js';
import { benchDatabase, printTable, timed } from './support.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'synthetic-rows': { type: 'string', default: '1000000' },
  },
});
const ROWS = Number(values.rows);
const SYNTHETIC_ROWS = Number(values['synthetic-rows']);

const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

const db = await benchDatabase();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-bench-data-'));
const paths = bosunPaths(home);
const lake = await openLake({ pool: db.pool, dataPath: paths.lake });
const registry = await openAgentRegistry({
  pool: db.pool,
  paths,
  endpoints: {},
  config: configSchema.parse({}),
  lake: async () => lake,
  logger: silentLogger,
});
const duck = await DuckDBInstance.create(':memory:');
const conn = await duck.connect();
const plain = async (sql: string) => (await timed(() => conn.run(sql))).ms;

let n = 0;
const agent = async (
  skillId: string,
  input: Record<string, unknown>,
): Promise<{ ms: number; envelope: ResultEnvelope }> => {
  const workDir = path.join(home, `run-${++n}`);
  const { value, ms } = await timed(() =>
    executeAgent({
      registry,
      agentId: 'data-engineering',
      skillId,
      input,
      workDir,
      noCache: true,
      timeoutSeconds: 3600,
    }),
  );
  if (value.status !== 'completed' && !(skillId === 'data.quality' && value.error?.code === 'QUALITY_FAILED'))
    throw new Error(`${skillId}: ${value.error?.message}`);
  return { ms, envelope: value };
};

// 8 columns: ids, integers, doubles, a category, free text, a timestamp, a boolean.
const csv = path.join(home, 'orders.csv');
await conn.run(`COPY (
  SELECT i AS id, i % 100000 AS customer_id, round(random() * 1000, 2) AS amount, (random() * 50)::INT AS quantity,
         ['paid', 'refunded', 'pending', 'lost'][1 + i % 4] AS status, 'note ' || md5(i::VARCHAR) AS note,
         TIMESTAMP '2024-01-01' + to_seconds(i % 31536000) AS placed, i % 7 = 0 AS flagged
    FROM range(${ROWS}) t(i)) TO '${csv}' (FORMAT csv, HEADER true)`);
const csvMb = fs.statSync(csv).size / 1024 / 1024;
const rows: Record<string, string | number>[] = [];
const add = (step: string, agentMs: number, baselineMs: number, extra: Record<string, string | number> = {}) =>
  rows.push({
    step,
    'agent s': agentMs / 1000,
    'plain DuckDB s': baselineMs / 1000,
    ratio: agentMs / baselineMs,
    ...extra,
    'peak RSS MB': peakMb(),
  });

const ingest = await agent('data.ingest', { source: csv, target: 'bench.orders' });
const ingestBase = await plain(
  `COPY (SELECT * FROM read_csv('${csv}')) TO '${path.join(home, 'plain.parquet')}' (FORMAT parquet)`,
);
add(`ingest ${csvMb.toFixed(0)} MB CSV (${ROWS} rows)`, ingest.ms, ingestBase, {
  'agent MB/s': csvMb / (ingest.ms / 1000),
});

const files = (await lake.scan('bench.orders')).sql;
const profile = await agent('data.quality', { table: 'bench.orders', profile: true });
const profileBase = await plain(`SUMMARIZE (${files})`);
add(`profile ${ROWS} rows × 8 columns`, profile.ms, profileBase);

const rules = [
  { not_null: ['id', 'customer_id'] },
  { unique: 'id' },
  { accepted_values: { column: 'status', values: ['paid', 'refunded', 'pending', 'lost'] } },
  { range: { column: 'amount', min: 0, max: 1000 } },
  { range: { column: 'quantity', min: 0, max: 50 } },
  { regex: { column: 'note', pattern: 'note [0-9a-f]{32}' } },
  { row_count: { min: 1 } },
  { expression: 'amount >= 0' },
  { not_null: 'placed' },
  { accepted_values: { column: 'flagged', values: [true, false] } },
];
const checks = await agent('data.quality', { table: 'bench.orders', rules, profile: false });
const checksBase =
  await plain(`SELECT count_if(id IS NULL OR customer_id IS NULL), count_if(status NOT IN ('paid','refunded','pending','lost')),
    count_if(amount < 0 OR amount > 1000), count_if(quantity < 0 OR quantity > 50), count_if(NOT regexp_full_match(note, 'note [0-9a-f]{32}')),
    count(*) >= 1, count_if(NOT (amount >= 0)), count_if(placed IS NULL), count_if(flagged NOT IN (true, false)),
    (SELECT count(*) FROM (SELECT id FROM (${files}) GROUP BY id HAVING count(*) > 1))
  FROM (${files})`);
add(`10 rules over ${ROWS} rows`, checks.ms, checksBase, {
  passed: String((checks.envelope.outputs as { passed: boolean }).passed),
});

const schema = {
  columns: [
    { name: 'id', type: 'integer', unique: true },
    { name: 'amount', type: 'double', distribution: 'normal', mean: 100, stddev: 20 },
    { name: 'status', type: 'category', values: ['a', 'b', 'c'], weights: [5, 3, 2] },
    { name: 'placed', type: 'timestamp', min: '2024-01-01', max: '2024-12-31' },
  ],
};
const synthetic = await agent('data.synthetic', { schema, rows: SYNTHETIC_ROWS, seed: 1, target: 'synthetic.parquet' });
const syntheticBase =
  await plain(`COPY (SELECT i AS id, 100 + 20 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS amount,
    ['a','b','c'][1 + (random() * 3)::INT % 3] AS status, TIMESTAMP '2024-01-01' + to_seconds((random() * 31536000)::BIGINT) AS placed
    FROM range(${SYNTHETIC_ROWS}) t(i)) TO '${path.join(home, 'plain-synthetic.parquet')}' (FORMAT parquet)`);
add(`synthetic ${SYNTHETIC_ROWS} rows × 4 columns`, synthetic.ms, syntheticBase);

printTable(`bench:data — ${ROWS} rows, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`, rows);
conn.closeSync();
duck.closeSync();
await db.close();
fs.rmSync(home, { recursive: true, force: true });
