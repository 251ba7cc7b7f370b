/**
 * bench:lake — what the lake costs over plain DuckDB, in one run:
 *   - appending N chunk-like rows (id, ~1 KB text, list<float32> of 384) through the lake vs.
 *     DuckDB's own `COPY … TO parquet` of the same rows;
 *   - scanning the latest snapshot through the lake's view vs. `read_parquet` of the same files;
 *   - the latency of small commits (one row each).
 * Usage: npm run bench:lake [-- --rows 1000000 --rounds 2 --commits 200]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { openLake } from '../src/lake/index.js';
import { benchDatabase, printTable, summarize } from './support.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '2' },
    commits: { type: 'string', default: '200' },
  },
});
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);
const COMMITS = Number(values.commits);

/** The same rows for both sides: 1,024 characters of text and 384 floats each. */
const chunks = `SELECT i AS id, repeat(md5(i::VARCHAR), 32) AS text,
    list_transform(range(384), x -> ((i * 31 + x) % 997) / 997.0)::FLOAT[] AS embedding
  FROM range(${ROWS}) t(i)`;
const scanQuery = (from: string) => `SELECT count(*) AS n, sum(length(text)) AS chars, sum(list_sum(embedding)) AS total FROM ${from}`;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

async function main() {
  const db = await benchDatabase(10);
  const dataPath = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-bench-lake-'));
  // The baseline: a DuckDB of its own, set up as the lake's (no extension loading).
  const plain = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const conn = await plain.connect();
  try {
    const lake = await openLake({ pool: db.pool, dataPath });
    await lake.createSchema('bench');
    await lake.createTable('bench.chunks', [
      { name: 'id', type: 'BIGINT' },
      { name: 'text', type: 'VARCHAR' },
      { name: 'embedding', type: 'FLOAT[]' },
    ]);

    // Rounds alternate the two sides, and the best of each counts: other work on the machine
    // then slows one round rather than one side.
    const write = { lake: Infinity, plain: Infinity };
    for (let round = 0; round < ROUNDS; round++) {
      const target = path.join(dataPath, `plain-${round}.parquet`);
      write.plain = Math.min(write.plain, (await timed(() => conn.run(`COPY (${chunks}) TO '${target}' (FORMAT parquet)`))).ms);
      write.lake = Math.min(write.lake, (await timed(() => lake.append('bench.chunks', { sql: chunks }))).ms);
      fs.rmSync(target);
    }

    const scan = await lake.scan('bench.chunks');
    const files = (await db.pool.query(`SELECT path FROM ducklake.ducklake_data_file`)).rows.map((r) => `'${dataPath}/bench/chunks/${r.path}'`);
    const bytes = (await db.pool.query(`SELECT sum(file_size_bytes)::BIGINT AS b FROM ducklake.ducklake_data_file`)).rows[0].b as number;
    const read = { lake: Infinity, plain: Infinity };
    let answers: unknown[] = [];
    for (let round = 0; round < 3; round++) {
      const viaLake = await timed(() => lake.withReader({}, async (c) => (await c.runAndReadAll(scanQuery('bench.chunks'))).getRowObjectsJson()));
      const viaPlain = await timed(async () => (await conn.runAndReadAll(scanQuery(`read_parquet([${files.join(', ')}])`))).getRowObjectsJson());
      read.lake = Math.min(read.lake, viaLake.ms);
      read.plain = Math.min(read.plain, viaPlain.ms);
      answers = [viaLake.value, viaPlain.value];
    }
    if (JSON.stringify(answers[0]) !== JSON.stringify(answers[1])) throw new Error(`the two scans disagree: ${JSON.stringify(answers)}`);

    await lake.createTable('bench.small', [{ name: 'id', type: 'BIGINT' }, { name: 'text', type: 'VARCHAR' }]);
    const latencies: number[] = [];
    for (let i = 0; i < COMMITS; i++) {
      latencies.push((await timed(() => lake.append('bench.small', [{ id: i, text: `small commit ${i}` }]))).ms);
    }
    const small = summarize(latencies);

    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    printTable(`bench:lake (${ROWS.toLocaleString('en')} rows × ${ROUNDS} rounds, ${(bytes / 2 ** 30).toFixed(2)} GiB of Parquet in the lake; scan over ${scan.columns.length} columns)`, [
      { measure: `append ${ROWS.toLocaleString('en')} rows`, lake: seconds(write.lake), 'plain DuckDB': seconds(write.plain), ratio: write.lake / write.plain, target: '≤ 1.25' },
      { measure: 'scan the latest snapshot', lake: seconds(read.lake), 'plain DuckDB': seconds(read.plain), ratio: read.lake / read.plain, target: '≤ 1.10' },
      { measure: `small commit p50 (${small.n} commits)`, lake: `${small.p50.toFixed(1)} ms`, 'plain DuckDB': '', ratio: '', target: '≤ 20 ms' },
      { measure: 'small commit p95', lake: `${small.p95.toFixed(1)} ms`, 'plain DuckDB': '', ratio: '', target: '' },
    ]);
  } finally {
    conn.closeSync();
    fs.rmSync(dataPath, { recursive: true, force: true });
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
