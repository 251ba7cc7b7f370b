import { performance } from 'node:perf_hooks';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { BosunError, formatZodIssues } from '../../../core/index.js';
import { quoteIdent, quoteLiteral } from '../../../lake/index.js';
import { artifactFromFile, completedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { duckdbError, withSandboxedDuckDB } from '../tabular/duckdb.js';
import { bindDataset, datasetDirectories, resolveDataset, type DatasetRef } from './datasets.js';
import { parseTarget, targetDirectories, writeTarget } from './targets.js';

const literal = z.union([z.string(), z.number(), z.boolean()]);
const columnSpec = z
  .object({
    name: z.string().regex(/^[A-Za-z_]\w*$/, 'a column name is letters, digits and _'),
    type: z.enum(['integer', 'double', 'string', 'boolean', 'date', 'timestamp', 'category']),
    min: z.union([z.number(), z.string()]).optional(),
    max: z.union([z.number(), z.string()]).optional(),
    distribution: z.enum(['uniform', 'normal']).default('uniform'),
    mean: z.number().optional(),
    stddev: z.number().min(0).optional(),
    nullable: z.number().min(0).max(1).default(0).describe('share of NULLs'),
    values: z.array(literal).min(1).optional(),
    weights: z.array(z.number().min(0)).optional(),
    unique: z.boolean().default(false),
    prefix: z.string().optional(),
    probability: z.number().min(0).max(1).optional(),
    references: z.string().optional().describe('schema.table.column or file:column whose values this column takes'),
  })
  .strict();
export type ColumnSpec = z.infer<typeof columnSpec>;
const schemaSpec = z.object({ columns: z.array(columnSpec).min(1) }).strict();

/** data.synthetic's input, as agents/data-engineering.yaml declares it (defaults filled in). */
export interface SyntheticInput {
  schema?: unknown;
  sample?: string;
  rows: number;
  seed: number;
  target: string;
  mode: 'append' | 'replace';
}

/**
 * A uniform number in [0, 1) for (row, column, draw), from DuckDB's hash of them and the seed:
 * the same for a seed however many threads DuckDB runs, unlike random().
 */
const uniform = (seed: number, column: number, draw: number) =>
  `((hash(i, ${seed}, ${column}, ${draw}) % 1000000007) / 1000000007.0)`;

function valueSql(c: ColumnSpec, k: number, seed: number, refs: Map<string, string>): string {
  const u = uniform(seed, k, 0);
  const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  switch (c.type) {
    case 'integer': {
      if (c.references)
        return `${refs.get(c.references)}[1 + CAST(floor(${u} * len(${refs.get(c.references)})) AS BIGINT)]`;
      const min = num(c.min, 1);
      if (c.unique) return `CAST(i + ${min} AS BIGINT)`;
      if (c.distribution === 'normal') return `CAST(round(${normal(c, k, seed)}) AS BIGINT)`;
      return `CAST(${min} + floor(${u} * ${num(c.max, 1000) - min + 1}) AS BIGINT)`;
    }
    case 'double': {
      if (c.distribution === 'normal') return normal(c, k, seed);
      const min = num(c.min, 0);
      return `(${min} + ${u} * ${num(c.max, 1) - min})`;
    }
    case 'string':
      if (c.references)
        return `${refs.get(c.references)}[1 + CAST(floor(${u} * len(${refs.get(c.references)})) AS BIGINT)]`;
      return c.unique
        ? `${quoteLiteral(c.prefix ?? `${c.name}_`)} || CAST(i + 1 AS VARCHAR)`
        : `${quoteLiteral(c.prefix ?? `${c.name}_`)} || CAST(1 + floor(${u} * ${num(c.max, 1000)}) AS BIGINT)`;
    case 'boolean':
      return `(${u} < ${c.probability ?? 0.5})`;
    case 'date':
    case 'timestamp': {
      const start = String(c.min ?? '2020-01-01');
      const end = String(c.max ?? '2025-12-31');
      const type = c.type === 'date' ? 'DATE' : 'TIMESTAMP';
      const span = `epoch(${type} ${quoteLiteral(end)}) - epoch(${type} ${quoteLiteral(start)})`;
      const at = `to_timestamp(epoch(${type} ${quoteLiteral(start)}) + floor(${u} * (${span})))`;
      return `CAST(${at} AS ${type})`;
    }
    case 'category': {
      if (!c.values) throw invalid(`column ${c.name}: a category needs values`);
      const weights = c.weights ?? c.values.map(() => 1);
      if (weights.length !== c.values.length) throw invalid(`column ${c.name}: one weight per value`);
      const total = weights.reduce((a, b) => a + b, 0);
      let cumulative = 0;
      const cases = c.values.map((v, i) => {
        cumulative += weights[i]! / total;
        const lit = typeof v === 'string' ? quoteLiteral(v) : String(v);
        return i === c.values!.length - 1 ? `ELSE ${lit}` : `WHEN ${u} < ${cumulative} THEN ${lit}`;
      });
      return c.values.length === 1 ? cases[0]!.replace(/^ELSE /, '') : `CASE ${cases.join(' ')} END`;
    }
  }
}

/** Box–Muller from two of the row's uniforms, clamped to [min, max] when given. */
function normal(c: ColumnSpec, k: number, seed: number): string {
  const z = `(sqrt(-2 * ln(1 - ${uniform(seed, k, 1)})) * cos(2 * pi() * ${uniform(seed, k, 2)}))`;
  let v = `(${c.mean ?? 0} + ${c.stddev ?? 1} * ${z})`;
  if (typeof c.min === 'number') v = `greatest(${c.min}, ${v})`;
  if (typeof c.max === 'number') v = `least(${c.max}, ${v})`;
  return v;
}

const invalid = (message: string) =>
  new BosunError('INVALID_INPUT', `invalid synthetic schema: ${message}`, {
    hint: 'see docs/agents.md, "data.synthetic"',
    details: { retryable: false },
  });

/** Column specs that mimic a sample: its null shares, numeric mean/stddev/range, category frequencies. */
async function mimic(conn: DuckDBConnection, relation: string): Promise<ColumnSpec[]> {
  const described = (await conn.runAndReadAll(`DESCRIBE ${relation}`)).getRowObjectsJson();
  const specs: ColumnSpec[] = [];
  for (const d of described) {
    const name = String(d.column_name);
    const type = String(d.column_type);
    const q = quoteIdent(name);
    const stats = (
      await conn.runAndReadAll(
        `SELECT (count(*) - count(${q})) / greatest(count(*), 1)::DOUBLE AS nulls, count(DISTINCT ${q}) AS distinct FROM ${relation}`,
      )
    ).getRowObjectsJson()[0]!;
    const base = { name, nullable: Number(stats.nulls), distribution: 'uniform' as const, unique: false };
    if (/INT|DOUBLE|FLOAT|DECIMAL/.test(type) && Number(stats.distinct) > 20) {
      const s = (
        await conn.runAndReadAll(
          `SELECT avg(${q})::DOUBLE AS m, stddev_samp(${q})::DOUBLE AS sd, min(${q})::DOUBLE AS lo, max(${q})::DOUBLE AS hi FROM ${relation}`,
        )
      ).getRowObjectsJson()[0]!;
      specs.push({
        ...base,
        type: /INT/.test(type) ? 'integer' : 'double',
        distribution: 'normal',
        mean: Number(s.m),
        stddev: Number(s.sd ?? 0),
        min: Number(s.lo),
        max: Number(s.hi),
      });
    } else if (/^(DATE|TIMESTAMP)/.test(type)) {
      const s = (
        await conn.runAndReadAll(
          `SELECT CAST(min(${q}) AS VARCHAR) AS lo, CAST(max(${q}) AS VARCHAR) AS hi FROM ${relation}`,
        )
      ).getRowObjectsJson()[0]!;
      specs.push({ ...base, type: type === 'DATE' ? 'date' : 'timestamp', min: String(s.lo), max: String(s.hi) });
    } else {
      // Categories keep their frequencies (the 1000 most frequent values).
      const freq = (
        await conn.runAndReadAll(
          `SELECT CAST(${q} AS VARCHAR) AS v, count(*) AS n FROM ${relation} WHERE ${q} IS NOT NULL GROUP BY ALL ORDER BY n DESC, v LIMIT 1000`,
        )
      ).getRowObjectsJson();
      if (!freq.length) specs.push({ ...base, type: 'string', nullable: 1 });
      else
        specs.push({
          ...base,
          type: 'category',
          values: freq.map((f) => String(f.v)),
          weights: freq.map((f) => Number(f.n)),
        });
    }
  }
  return specs;
}

/** Rows that follow a declared schema or mimic a sample, the same for the same seed; into a lake table or Parquet. */
export async function runSynthetic(ctx: AgentContext, input: SyntheticInput): Promise<ResultEnvelope> {
  const started = performance.now();
  if ((input.schema === undefined) === (input.sample === undefined))
    throw new BosunError('INVALID_INPUT', 'give schema (the columns to generate) or sample (a dataset to mimic)', {
      details: { retryable: false },
    });
  let declared: ColumnSpec[] | null = null;
  if (input.schema !== undefined) {
    const parsed = schemaSpec.safeParse(input.schema);
    if (!parsed.success) throw invalid(formatZodIssues(parsed.error));
    declared = parsed.data.columns;
  }
  const sample = input.sample ? await resolveDataset(input.sample, ctx.workDir) : null;
  const refNames = [...new Set((declared ?? []).flatMap((c) => (c.references ? [c.references] : [])))];
  const refs: { ref: string; dataset: DatasetRef; column: string }[] = [];
  for (const r of refNames) {
    const at = r.lastIndexOf(r.includes(':') ? ':' : '.');
    refs.push({ ref: r, dataset: await resolveDataset(r.slice(0, at), ctx.workDir), column: r.slice(at + 1) });
  }
  const target = parseTarget(input.target, input.mode, ctx.workDir);
  const all = [...(sample ? [sample] : []), ...refs.map((r) => r.dataset)];
  const lake = all.some((d) => d.kind === 'table') || target.kind === 'table' ? await ctx.lake() : null;
  const directories = [
    ctx.workDir,
    ...datasetDirectories(all),
    ...targetDirectories(target),
    ...(lake ? [lake.dataPath] : []),
  ];
  const { written, columns } = await withSandboxedDuckDB(
    { directories, searchPath: ctx.workDir, signal: ctx.signal },
    async (conn) => {
      const latest = lake ? (await lake.resolveSnapshot()).id : null;
      const columns =
        declared ?? (await mimic(conn, (await bindDataset(conn, sample!, '__bosun_sample', lake, latest)).relation));
      const refSql = new Map<string, string>();
      for (const [i, r] of refs.entries()) {
        const b = await bindDataset(conn, r.dataset, `__bosun_ref_${i}`, lake, latest);
        await conn.run(
          `CREATE TEMP TABLE __bosun_ref_values_${i} AS SELECT list(DISTINCT ${quoteIdent(r.column)} ORDER BY ${quoteIdent(r.column)}) AS v FROM ${b.relation}`,
        );
        refSql.set(r.ref, `(SELECT v FROM __bosun_ref_values_${i})`);
      }
      const select = columns.map((c, k) => {
        const value = valueSql(c, k, input.seed, refSql);
        const withNulls =
          c.nullable > 0 ? `CASE WHEN ${uniform(input.seed, k, 3)} < ${c.nullable} THEN NULL ELSE ${value} END` : value;
        return `${withNulls} AS ${quoteIdent(c.name)}`;
      });
      try {
        await conn.run(
          `CREATE TEMP TABLE __bosun_synthetic AS SELECT ${select.join(', ')} FROM range(${input.rows}) AS t(i) ORDER BY i`,
        );
      } catch (err) {
        throw duckdbError(err, '', 'cannot generate the rows');
      }
      const written = await writeTarget(conn, '__bosun_synthetic', target, {
        lake: ctx.lake,
        workDir: ctx.workDir,
        author: 'data-engineering',
        message: `data.synthetic ${input.rows} rows (seed ${input.seed})`,
      });
      return { written, columns };
    },
  );
  const durationMs = Math.round(performance.now() - started);
  const artifacts = written.path ? [await artifactFromFile(written.path, 'application/vnd.apache.parquet')] : [];
  const where = written.kind === 'table' ? `${written.table} (snapshot ${written.snapshotId})` : written.path;
  return completedEnvelope({
    summary: `generated ${written.rows} rows (seed ${input.seed}) into ${where}`,
    outputs: {
      target: written,
      schema: written.schema,
      generator: { columns, seed: input.seed },
      rows: written.rows,
      seed: input.seed,
      durationMs,
      ...(written.kind === 'file' ? { path: written.path } : { table: written.table, snapshotId: written.snapshotId }),
    },
    artifacts,
    metrics: { rows: written.rows, syntheticMs: durationMs },
  });
}
