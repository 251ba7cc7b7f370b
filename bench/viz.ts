/**
 * bench:viz — chart render time from Parquet files of 10k and 1M rows, aggregated by DuckDB
 * first (sum of a measure per category and month), to SVG and to PNG, through viz.chart's
 * renderer on a real lake reader. Baseline: the same aggregation query alone in DuckDB, so the
 * ratio says what drawing adds. Target: the 1M-row chart to PNG in ≤ 2 s. `--quick`: 10k and 100k.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { silentLogger } from '../src/core/index.js';
import { openLake } from '../src/lake/index.js';
import { renderChart } from '../src/agents/builtin/viz/index.js';
import { benchDatabase, printTable, timed } from './support.js';

const SIZES = process.argv.includes('--quick') ? [10_000, 100_000] : [10_000, 1_000_000];
const TARGET_MS = 2_000;
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

const db = await benchDatabase(4);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-bench-viz-'));
try {
  const lake = await openLake({ pool: db.pool, dataPath: path.join(dir, 'lake'), logger: silentLogger });
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const rows: Record<string, string | number>[] = [];
  for (const size of SIZES) {
    const file = path.join(dir, `sales-${size}.parquet`);
    await duck.run(
      `COPY (SELECT 'region-' || (i % 12) AS region, 1 + (i // 7) % 24 AS month, (i * 7919 % 1000) / 10.0 AS amount
       FROM range(${size}) t(i)) TO '${file}' (FORMAT parquet)`,
    );
    const aggregate = `SELECT region, month, SUM(amount) FROM read_parquet('${file}') GROUP BY ALL`;
    await duck.runAndReadAll(aggregate); // warm the file cache for both sides
    const baseline = await timed(() => duck.runAndReadAll(aggregate));
    const input = (formats: ('svg' | 'png')[], name: string) => ({
      data: { path: file },
      chart: { mark: 'line' as const, x: 'month', y: 'amount', color: 'region', aggregate: 'sum' as const },
      formats,
      name,
      maxRows: 100_000,
      scale: 2,
    });
    await renderChart(async () => lake, dir, input(['svg'], 'warm'));
    const svg = await timed(() => renderChart(async () => lake, dir, input(['svg'], `svg-${size}`)));
    const png = await timed(() => renderChart(async () => lake, dir, input(['png'], `png-${size}`)));
    rows.push({
      'input rows': size,
      'plotted rows': png.value.rows,
      'DuckDB aggregate ms (baseline)': baseline.ms,
      'to SVG ms': svg.ms,
      'to PNG ms': png.ms,
      'PNG / baseline': png.ms / baseline.ms,
      'PNG target': size >= 1_000_000 ? `<= ${TARGET_MS} ms ${png.ms <= TARGET_MS ? 'ok' : 'MISSED'}` : '-',
    });
  }
  duck.closeSync();
  printTable('viz.chart render time (query + Vega-Lite compile + render; PNG via resvg at 2x)', rows);
  printTable('memory', [{ metric: 'peak RSS (MB)', value: peakRssMb() }]);
} finally {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
