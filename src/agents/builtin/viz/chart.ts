import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../../core/index.js';
import type { Lake } from '../../../lake/index.js';
import { columnsOf, readRows, selectExpression, withSource, type Column, type DataSource } from './data.js';
import { chartHtml, renderSvg, svgToPng, type ChartFormat } from './render.js';
import {
  assertNoUrls,
  checkSpecFields,
  compileCompact,
  validateVegaLite,
  type CompactChart,
  type VegaLiteSpec,
} from './spec.js';

/** The viz.chart input (agents/viz.yaml), also what other agents pass to draw their own charts. */
export interface ChartInput {
  data?: DataSource;
  chart?: CompactChart;
  vega_lite?: VegaLiteSpec;
  formats: ChartFormat[];
  /** File name stem of what is written. */
  name: string;
  maxRows: number;
  scale: number;
}

export interface ChartFile {
  format: ChartFormat | 'vega-lite';
  path: string;
  mediaType: string;
}

export interface ChartResult {
  files: ChartFile[];
  rows: number;
  columns: Column[];
  /** The Vega-Lite spec as drawn, rows inlined. */
  spec: VegaLiteSpec;
  timings: { queryMs: number; svgMs: number; pngMs: number };
}

const MEDIA_TYPES: Record<ChartFile['format'], string> = {
  svg: 'image/svg+xml',
  png: 'image/png',
  html: 'text/html',
  'vega-lite': 'application/vnd.vegalite.v6+json',
};

/** The SELECT over `relation` that reads what a chart plots, and the spec that draws it (without its rows). */
export function chartQuery(
  input: Pick<ChartInput, 'chart' | 'vega_lite'>,
  relation: string,
  columns: readonly Column[],
): { sql: string; spec: VegaLiteSpec } {
  if ((input.chart === undefined) === (input.vega_lite === undefined))
    throw new BosunError('INVALID_INPUT', 'give either chart (the compact form) or vega_lite (a full spec)');
  if (input.chart) return compileCompact(input.chart, relation, columns);
  assertNoUrls(input.vega_lite);
  checkSpecFields(input.vega_lite, columns);
  return {
    sql: `SELECT ${columns.map((c) => selectExpression(c)).join(', ')} FROM ${relation}`,
    spec: input.vega_lite!,
  };
}

/** Rows and the spec to draw them: from the data source (aggregated by DuckDB first) or inline values in the spec. */
async function specWithRows(
  lake: () => Promise<Lake>,
  workDir: string,
  input: ChartInput,
): Promise<{ spec: VegaLiteSpec; rows: Record<string, unknown>[]; columns: Column[] }> {
  if (input.vega_lite) assertNoUrls(input.vega_lite);
  if (!input.data) {
    const values = (input.vega_lite?.data as { values?: unknown } | undefined)?.values;
    if (!input.vega_lite || !Array.isArray(values))
      throw new BosunError(
        'INVALID_INPUT',
        'data is required (a lake table, a file or a SQL query) unless vega_lite has data.values',
      );
    const rows = values as Record<string, unknown>[];
    const columns = Object.keys(rows[0] ?? {}).map((name) => ({ name, type: 'JSON' }));
    checkSpecFields(input.vega_lite, columns);
    return { spec: input.vega_lite, rows, columns };
  }
  return withSource(await lake(), workDir, input.data, async (conn, relation) => {
    const columns = await columnsOf(conn, relation);
    const { sql, spec } = chartQuery(input, relation, columns);
    return { spec, rows: await readRows(conn, sql, input.maxRows), columns };
  });
}

/** Checks a spec against the Vega-Lite schema without its rows (a million values would only slow the check down). */
export function validatedSpec(spec: VegaLiteSpec): VegaLiteSpec {
  const { data: _data, ...rest } = spec;
  validateVegaLite({ ...rest, data: { name: 'source' } });
  return rest;
}

/**
 * Draws one chart into `workDir`: the Vega-Lite spec (validated against its schema, rows
 * inlined) and the SVG, PNG and offline HTML asked for. Every step runs here, without a browser
 * or network.
 */
export async function renderChart(lake: () => Promise<Lake>, workDir: string, input: ChartInput): Promise<ChartResult> {
  const started = performance.now();
  const { spec: bare, rows, columns } = await specWithRows(lake, workDir, input);
  const spec: VegaLiteSpec = { ...validatedSpec(bare), data: { values: rows } };
  const queryMs = performance.now() - started;

  await fs.mkdir(workDir, { recursive: true });
  const files: ChartFile[] = [];
  const write = async (format: ChartFile['format'], ext: string, content: string | Buffer) => {
    const file = path.join(workDir, `${input.name}.${ext}`);
    await fs.writeFile(file, content);
    files.push({ format, path: file, mediaType: MEDIA_TYPES[format] });
  };
  await write('vega-lite', 'vl.json', `${JSON.stringify(spec, null, 2)}\n`);
  let svgMs = 0;
  let pngMs = 0;
  if (input.formats.includes('svg') || input.formats.includes('png')) {
    const t = performance.now();
    const { svg } = await renderSvg(spec).catch((err: unknown) => {
      throw new BosunError('INVALID_INPUT', `Vega could not draw the chart: ${(err as Error).message}`);
    });
    svgMs = performance.now() - t;
    if (input.formats.includes('svg')) await write('svg', 'svg', svg);
    if (input.formats.includes('png')) {
      const p = performance.now();
      await write('png', 'png', svgToPng(svg, input.scale));
      pngMs = performance.now() - p;
    }
  }
  const title = typeof spec.title === 'string' ? spec.title : input.name;
  if (input.formats.includes('html')) await write('html', 'html', await chartHtml(spec, title));
  return { files, rows: rows.length, columns, spec, timings: { queryMs, svgMs, pngMs } };
}
