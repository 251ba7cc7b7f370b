import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../../../lake/index.js';
import { describeColumns } from './sources.js';

export interface ColumnProfile {
  name: string;
  type: string;
  nulls: number;
  /** Approximate (HyperLogLog), as DuckDB's SUMMARIZE reports it. */
  distinct: number;
  min: unknown;
  max: unknown;
  mean?: number | null;
  stddev?: number | null;
  /** Approximate 25th, 50th and 75th percentiles. */
  quantiles?: { q25: unknown; q50: unknown; q75: unknown };
  /** The most frequent values (approximate), most frequent first. */
  top: unknown[];
  length?: { min: number | null; max: number | null; mean: number | null };
  /** How many values look like each class: digits, letters, alphanumeric, email, date, blank, other. */
  patterns?: Record<string, number>;
}

export interface Profile {
  rows: number;
  columns: ColumnProfile[];
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const ORDERED = /^(DATE|TIME.*|TIMESTAMP.*|INTERVAL)$/;

const PATTERNS: Record<string, string> = {
  blank: `^\\s*$`,
  digits: `^[0-9]+$`,
  letters: `^[A-Za-z]+$`,
  alphanumeric: `^[A-Za-z0-9]+$`,
  email: `^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$`,
  date: `^\\d{4}-\\d{2}-\\d{2}([ T].*)?$`,
};

/**
 * Profiles every column in one scan of `relation`: one aggregate query whose select list holds
 * each column's statistics (approximate distinct counts, quantiles and top values, as SUMMARIZE
 * does), so the cost is one pass over the data whatever the number of columns.
 */
export async function profileRelation(conn: DuckDBConnection, relation: string): Promise<Profile> {
  const columns = await describeColumns(conn, relation);
  const select: string[] = ['count(*) AS "rows"'];
  columns.forEach((c, i) => {
    const q = quoteIdent(c.name);
    const p = (stat: string, sql: string) => select.push(`${sql} AS "c${i}_${stat}"`);
    p('nulls', `count(*) - count(${q})`);
    p('distinct', `approx_count_distinct(${q})`);
    const nested = /[[\]()]|STRUCT|MAP|UNION/.test(c.type) && !/^DECIMAL/.test(c.type);
    if (!nested) {
      p('min', `CAST(min(${q}) AS VARCHAR)`);
      p('max', `CAST(max(${q}) AS VARCHAR)`);
      p('top', `CAST(approx_top_k(${q}, 5) AS VARCHAR[])`);
    }
    if (NUMERIC.test(c.type)) {
      p('mean', `avg(${q})::DOUBLE`);
      p('stddev', `stddev_samp(${q})::DOUBLE`);
      p('quantiles', `CAST(approx_quantile(${q}, [0.25, 0.5, 0.75]) AS VARCHAR[])`);
    } else if (ORDERED.test(c.type)) {
      p('quantiles', `CAST(approx_quantile(${q}, [0.25, 0.5, 0.75]) AS VARCHAR[])`);
    } else if (c.type === 'VARCHAR') {
      p('len_min', `min(length(${q}))`);
      p('len_max', `max(length(${q}))`);
      p('len_mean', `avg(length(${q}))::DOUBLE`);
      // The first class that matches wins, in the order of PATTERNS.
      const cases = Object.entries(PATTERNS)
        .map(([name, re]) => `WHEN regexp_full_match(${q}, '${re}') THEN '${name}'`)
        .join(' ');
      p('patterns', `CAST(histogram(CASE WHEN ${q} IS NULL THEN NULL ${cases} ELSE 'other' END) AS VARCHAR)`);
    }
  });
  const row = (await conn.runAndReadAll(`SELECT ${select.join(', ')} FROM ${relation}`)).getRowObjectsJson()[0]!;
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    rows: Number(row.rows),
    columns: columns.map((c, i) => {
      const get = (stat: string) => row[`c${i}_${stat}`];
      const profile: ColumnProfile = {
        name: c.name,
        type: c.type,
        nulls: Number(get('nulls')),
        distinct: Number(get('distinct')),
        min: get('min') ?? null,
        max: get('max') ?? null,
        top: (get('top') as unknown[] | undefined) ?? [],
      };
      if (get('mean') !== undefined) {
        profile.mean = num(get('mean'));
        profile.stddev = num(get('stddev'));
      }
      const quantiles = get('quantiles') as unknown[] | null | undefined;
      if (quantiles !== undefined)
        profile.quantiles = { q25: quantiles?.[0] ?? null, q50: quantiles?.[1] ?? null, q75: quantiles?.[2] ?? null };
      if (get('len_min') !== undefined) {
        profile.length = { min: num(get('len_min')), max: num(get('len_max')), mean: num(get('len_mean')) };
        profile.patterns = parseHistogram(get('patterns'));
      }
      return profile;
    }),
  };
}

/** DuckDB renders a MAP cast to text as `{a=1, b=2}`. */
function parseHistogram(value: unknown): Record<string, number> {
  if (typeof value !== 'string') return {};
  const out: Record<string, number> = {};
  for (const m of value.replace(/^\{|\}$/g, '').matchAll(/([a-z]+)=(\d+)/g)) out[m[1]!] = Number(m[2]);
  return out;
}
