/**
 * bench:lake — what the lake costs over plain DuckDB, in one run:
 *   - appending N chunk-like rows (id, ~1 KB text, list<float32> of 384) through the lake vs.
 *     DuckDB's own `COPY … TO parquet` of the same rows;
 *   - scanning the latest snapshot through the lake's view vs. `read_parquet` of the same files;
 *   - the latency of small commits (one row each).
 * Usage: npm run bench:lake [-- --rows 1000000 --rounds 3 --commits 200]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { openLake } from '../src/lake/index.js';
import { benchDatabase, printTable, summarize, timed } from './support.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    commits: { type: 'string', default: '200' },
  },
});
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);
const COMMITS = Number(values.commits);

/** The rows: an id, 1,024 characters of hex text (32 different digests) and 384 floats. */
const generate = `SELECT i AS id,
    (SELECT string_agg(md5((i * 32 + k)::VARCHAR), '') FROM range(32) r(k)) AS text,
    list_transform(range(384), x -> ((i * 31 + x) % 997) / 997.0)::FLOAT[] AS embedding
  FROM range(${ROWS}) t(i)`;
const scanQuery = (from: string) =>
  `SELECT count(*) AS n, sum(length(text)) AS chars, sum(list_sum(embedding)) AS total FROM ${from}`;

async function main() {
  const db = await benchDatabase(10);
  const dataPath = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-bench-lake-'));
  // The baseline: a DuckDB of its own, set up as the lake's (no extension loading).
  const plain = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await plain.connect();
  try {
    // Both sides write the same rows from memory, so the timings are of writing, not generating.
    const source = path.join(dataPath, 'source.parquet');
    await conn.run(`COPY (${generate}) TO '${source}' (FORMAT parquet)`);
    await conn.run(`CREATE TABLE chunks AS SELECT * FROM read_parquet('${source}')`);
    const lake = await openLake({ pool: db.pool, dataPath });
    await lake.withReader({}, (c) =>
      c.run(`CREATE TABLE memory.main.bench_chunks AS SELECT * FROM read_parquet('${source}')`),
    );
    fs.rmSync(source);
    await lake.createSchema('bench');
    await lake.createTable('bench.chunks', [
      { name: 'id', type: 'BIGINT' },
      { name: 'text', type: 'VARCHAR' },
      { name: 'embedding', type: 'FLOAT[]' },
    ]);

    // Each round runs both sides, in alternating order, and the best of each counts: other work
    // on the machine then slows a round rather than one side.
    const write = { lake: Infinity, plain: Infinity };
    for (let round = 0; round < ROUNDS; round++) {
      const target = path.join(dataPath, `plain-${round}.parquet`);
      const plainWrite = async () => {
        write.plain = Math.min(
          write.plain,
          (await timed(() => conn.run(`COPY (SELECT * FROM chunks) TO '${target}' (FORMAT parquet)`))).ms,
        );
      };
      const lakeWrite = async () => {
        write.lake = Math.min(
          write.lake,
          (await timed(() => lake.append('bench.chunks', { sql: 'SELECT * FROM memory.main.bench_chunks' }))).ms,
        );
      };
      for (const side of round % 2 ? [lakeWrite, plainWrite] : [plainWrite, lakeWrite]) await side();
      fs.rmSync(target);
    }

    await lake.withReader({}, (c) => c.run('DROP TABLE memory.main.bench_chunks'));
    await conn.run('DROP TABLE chunks');
    const scan = await lake.scan('bench.chunks');
    const files = (await db.pool.query(`SELECT path FROM ducklake.ducklake_data_file`)).rows.map(
      (r) => `'${dataPath}/bench/chunks/${r.path}'`,
    );
    const bytes = (await db.pool.query(`SELECT sum(file_size_bytes)::BIGINT AS b FROM ducklake.ducklake_data_file`))
      .rows[0].b as number;
    const read = { lake: Infinity, plain: Infinity };
    let answers: unknown[] = [];
    for (let round = 0; round < 5; round++) {
      const viaLake = await timed(() =>
        lake.withReader({}, async (c) => (await c.runAndReadAll(scanQuery('bench.chunks'))).getRowObjectsJson()),
      );
      const viaPlain = await timed(async () =>
        (await conn.runAndReadAll(scanQuery(`read_parquet([${files.join(', ')}])`))).getRowObjectsJson(),
      );
      read.lake = Math.min(read.lake, viaLake.ms);
      read.plain = Math.min(read.plain, viaPlain.ms);
      answers = [viaLake.value, viaPlain.value];
    }
    // Float sums may differ in the last digits (parallel summation order); counts may not.
    const [a, b] = answers as { n: string; chars: string; total: number }[][];
    const same =
      a![0]!.n === b![0]!.n &&
      a![0]!.chars === b![0]!.chars &&
      Math.abs(a![0]!.total - b![0]!.total) <= 1e-9 * Math.abs(b![0]!.total);
    if (!same) throw new Error(`the two scans disagree: ${JSON.stringify(answers)}`);

    await lake.createTable('bench.small', [
      { name: 'id', type: 'BIGINT' },
      { name: 'text', type: 'VARCHAR' },
    ]);
    const latencies: number[] = [];
    for (let i = 0; i < COMMITS; i++) {
      latencies.push((await timed(() => lake.append('bench.small', [{ id: i, text: `small commit ${i}` }]))).ms);
    }
    const small = summarize(latencies);

    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    printTable(
      `bench:lake (${ROWS.toLocaleString('en')} rows × ${ROUNDS} rounds, ${(bytes / 2 ** 30).toFixed(2)} GiB of Parquet in the lake; scan over ${scan.columns.length} columns)`,
      [
        {
          measure: `append ${ROWS.toLocaleString('en')} rows`,
          lake: seconds(write.lake),
          'plain DuckDB': seconds(write.plain),
          ratio: write.lake / write.plain,
          target: '≤ 1.25',
        },
        {
          measure: 'scan the latest snapshot',
          lake: seconds(read.lake),
          'plain DuckDB': seconds(read.plain),
          ratio: read.lake / read.plain,
          target: '≤ 1.10',
        },
        {
          measure: `small commit p50 (${small.n} commits)`,
          lake: `${small.p50.toFixed(1)} ms`,
          'plain DuckDB': '',
          ratio: '',
          target: '≤ 20 ms',
        },
        { measure: 'small commit p95', lake: `${small.p95.toFixed(1)} ms`, 'plain DuckDB': '', ratio: '', target: '' },
      ],
    );
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
