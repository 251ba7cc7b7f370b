import { createRequire } from 'node:module';
import { Validator, type OutputUnit } from '@cfworker/json-schema';
import { BosunError } from '../../../core/index.js';
import { quoteIdent } from '../../../lake/index.js';
import { isNumericType, isTemporalType, selectExpression, type Column } from './data.js';

/** A field of the compact chart: a column name, or the column with an explicit Vega-Lite type / time unit. */
export type FieldRef = string | { field: string; type?: string; timeUnit?: string; title?: string };

/** The compact chart form: enough for the common charts, turned into a Vega-Lite spec here. */
export interface CompactChart {
  mark: 'bar' | 'line' | 'area' | 'point' | 'circle' | 'tick' | 'rect' | 'arc' | 'boxplot';
  x: FieldRef;
  y?: FieldRef;
  color?: FieldRef;
  facet?: FieldRef;
  /** Aggregates y (or counts rows) per x, color and facet in DuckDB before plotting. */
  aggregate?: 'count' | 'sum' | 'mean' | 'median' | 'min' | 'max';
  title?: string;
  width?: number;
  height?: number;
}

export type VegaLiteSpec = Record<string, unknown>;

const AGGREGATE_SQL: Record<NonNullable<CompactChart['aggregate']>, string> = {
  count: 'COUNT',
  sum: 'SUM',
  mean: 'AVG',
  median: 'MEDIAN',
  min: 'MIN',
  max: 'MAX',
};

const fieldName = (ref: FieldRef) => (typeof ref === 'string' ? ref : ref.field);

function unknownField(field: string, where: string, columns: readonly Column[]): BosunError {
  return new BosunError(
    'INVALID_INPUT',
    `${where}: field '${field}' is not in the data; its columns are ${columns.map((c) => c.name).join(', ')}`,
  );
}

function columnFor(ref: FieldRef, where: string, columns: readonly Column[]): Column {
  const column = columns.find((c) => c.name === fieldName(ref));
  if (!column) throw unknownField(fieldName(ref), where, columns);
  return column;
}

/** The Vega-Lite type a column plots as: numbers are quantitative (ordinal on a bar's band axis), dates temporal. */
function encodingType(column: Column, band: boolean): string {
  if (isTemporalType(column.type)) return 'temporal';
  if (isNumericType(column.type)) return band ? 'ordinal' : 'quantitative';
  return 'nominal';
}

function channel(ref: FieldRef, column: Column, band = false): Record<string, unknown> {
  const extra = typeof ref === 'string' ? {} : ref;
  return { type: encodingType(column, band), ...extra, field: column.name };
}

/**
 * The SELECT that reads what a compact chart plots (grouped and aggregated by DuckDB when asked,
 * so a million rows become a handful) and the Vega-Lite spec that draws it.
 */
export function compileCompact(
  chart: CompactChart,
  relation: string,
  columns: readonly Column[],
): { sql: string; spec: VegaLiteSpec } {
  const x = columnFor(chart.x, 'chart.x', columns);
  const color = chart.color !== undefined ? columnFor(chart.color, 'chart.color', columns) : null;
  const facet = chart.facet !== undefined ? columnFor(chart.facet, 'chart.facet', columns) : null;
  const y = chart.y !== undefined ? columnFor(chart.y, 'chart.y', columns) : null;
  if (!y && chart.aggregate !== 'count')
    throw new BosunError('INVALID_INPUT', 'chart.y is required unless chart.aggregate is count');
  if (y && chart.aggregate && chart.aggregate !== 'count' && !isNumericType(y.type))
    throw new BosunError(
      'INVALID_INPUT',
      `chart.aggregate ${chart.aggregate} needs a numeric y; ${y.name} is ${y.type}`,
    );

  const dims = [x, color, facet].filter((c): c is Column => c !== null);
  const unique = [...new Map(dims.map((c) => [c.name, c])).values()];
  let sql: string;
  let measure: Column | null = y;
  if (chart.aggregate) {
    const name = y && chart.aggregate !== 'count' ? y.name : 'count';
    const agg = chart.aggregate === 'count' ? 'COUNT(*)' : `${AGGREGATE_SQL[chart.aggregate]}(${quoteIdent(y!.name)})`;
    const keys = unique.map((c) => quoteIdent(c.name)).join(', ');
    sql =
      `SELECT ${[...unique.map((c) => selectExpression(c)), `CAST(${agg} AS DOUBLE) AS ${quoteIdent(name)}`].join(', ')}` +
      ` FROM ${relation} GROUP BY ${keys} ORDER BY ${keys}`;
    measure = { name, type: 'DOUBLE' };
  } else {
    const all = y && !unique.some((c) => c.name === y.name) ? [...unique, y] : unique;
    sql = `SELECT ${all.map((c) => selectExpression(c)).join(', ')} FROM ${relation}`;
  }

  const band = chart.mark === 'bar' || chart.mark === 'rect' || chart.mark === 'boxplot';
  const encoding: Record<string, unknown> = {};
  if (chart.mark === 'arc') {
    encoding.theta = { field: measure!.name, type: 'quantitative' };
    encoding.color = channel(chart.x, x);
  } else {
    encoding.x = channel(chart.x, x, band);
    if (measure) {
      const yRef = chart.aggregate ? measure.name : chart.y!;
      encoding.y = channel(yRef, measure, chart.mark === 'rect');
      if (chart.aggregate) (encoding.y as Record<string, unknown>).title = `${chart.aggregate} of ${y?.name ?? 'rows'}`;
    }
    if (color) encoding.color = channel(chart.color!, color);
  }
  if (facet) encoding.facet = { ...channel(chart.facet!, facet), columns: 3 };
  const spec: VegaLiteSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(chart.title ? { title: chart.title } : {}),
    ...(chart.width ? { width: chart.width } : {}),
    ...(chart.height ? { height: chart.height } : {}),
    mark: chart.mark === 'line' || chart.mark === 'area' ? { type: chart.mark, point: false } : chart.mark,
    encoding,
  };
  return { sql, spec };
}

/**
 * Names a raw Vega-Lite spec plots: every `field` of an encoding, less the names its transforms
 * create (`as`). Checked against the data so a typo is an error naming the real columns.
 */
export function checkSpecFields(spec: unknown, columns: readonly Column[]): void {
  const created = new Set<string>();
  const used: string[] = [];
  const walk = (node: unknown, inEncoding: boolean, inTransform: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, inEncoding, inTransform));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (inTransform && key === 'as') [value].flat().forEach((v) => typeof v === 'string' && created.add(v));
      if (inEncoding && key === 'field' && typeof value === 'string') used.push(value);
      walk(value, inEncoding || key === 'encoding', inTransform || key === 'transform');
    }
  };
  walk(spec, false, false);
  const known = new Set(columns.map((c) => c.name));
  // A field may name a nested property (`a.b`) or an escaped dot; its first segment must exist.
  const missing = used.find((f) => !known.has(f) && !created.has(f) && !known.has(f.split('.')[0]!.replace(/\\$/, '')));
  if (missing !== undefined) throw unknownField(missing, 'vega_lite', columns);
}

/** A raw spec reads only the rows Bosun gives it: no URLs (files or network) anywhere in it. */
export function assertNoUrls(spec: unknown): void {
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}[${i}]`));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'url')
        throw new BosunError(
          'INVALID_INPUT',
          `vega_lite${where}.url: charts read their rows from the data input, not from URLs`,
        );
      walk(value, `${where}.${key}`);
    }
  };
  walk(spec, '');
}

let validator: Validator | undefined;

/** The deepest errors are the useful ones; the schema's anyOf branches report dozens of shallow ones. */
function describeErrors(errors: readonly OutputUnit[]): string {
  const depth = (e: OutputUnit) => e.instanceLocation.split('/').length;
  const deepest = Math.max(...errors.map(depth));
  const messages = [
    ...new Set(errors.filter((e) => depth(e) === deepest).map((e) => `${e.instanceLocation}: ${e.error}`)),
  ];
  return messages.slice(0, 3).join('; ');
}

/** Validates a spec against the Vega-Lite JSON schema shipped with the vega-lite package. */
export function validateVegaLite(spec: VegaLiteSpec): void {
  validator ??= new Validator(
    createRequire(import.meta.url)('vega-lite/vega-lite-schema.json') as Record<string, unknown>,
    '7',
    false,
  );
  const result = validator.validate(spec);
  if (!result.valid)
    throw new BosunError('INVALID_INPUT', `the chart is not a valid Vega-Lite spec: ${describeErrors(result.errors)}`);
}
