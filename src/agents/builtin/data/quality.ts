import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DuckDBConnection } from '@duckdb/node-api';
import { BosunError } from '../../../core/index.js';
import { quoteIdent } from '../../../lake/index.js';
import { artifactFromFile, completedEnvelope, failedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { createLakeViews, duckdbError, withSandboxedDuckDB } from '../tabular/duckdb.js';
import { bindDataset, datasetDirectories, resolveDataset, type BoundDataset } from './datasets.js';
import { profileRelation, type Profile } from './profile.js';
import { qualityReport } from './quality-report.js';
import { parseRules, parseRulesText, ruleCheck, type Rule } from './rules.js';

/** data.quality's input, as agents/data-engineering.yaml declares it (defaults filled in). */
export interface QualityInput {
  table?: string;
  path?: string;
  /** A table or a path, told apart by its shape (what a template passes on). */
  dataset?: string;
  rules?: unknown[];
  rules_file?: string;
  profile: boolean;
  sample_rows: number;
}

export interface RuleResult {
  name: string;
  rule: Rule['kind'];
  severity: Rule['severity'];
  passed: boolean;
  /** Rows that break the rule (duplicated rows for unique, orphans for relationships); null for table rules. */
  failingRows: number | null;
  message: string;
  sample: Record<string, unknown>[];
}

/** The rules given inline, then those of rules_file (an empty name, as an unset template param reads, is none). */
async function loadRules(input: QualityInput, workDir: string): Promise<Rule[]> {
  const inline = input.rules ? parseRules(input.rules) : [];
  if (!input.rules_file) return inline;
  const file = path.resolve(workDir, input.rules_file);
  const text = await fs.readFile(file, 'utf8').catch(() => {
    throw new BosunError('NOT_FOUND', `no rules file ${file}`, { details: { retryable: false } });
  });
  return [...inline, ...parseRulesText(text, file)];
}

/**
 * Profiles a lake table or a file and checks it against rules. Row rules are counted together in
 * one scan; unique, relationships and table rules get a query each; every failing rule shows a
 * sample of its rows. An `error` rule that fails fails the run (what stops an ETL's load).
 */
export async function runQuality(ctx: AgentContext, input: QualityInput): Promise<ResultEnvelope> {
  const started = performance.now();
  const given = [input.table, input.path, input.dataset].filter((x) => x !== undefined);
  const ref = given[0];
  if (!ref || given.length > 1)
    throw new BosunError(
      'INVALID_INPUT',
      'give the dataset once: table (schema.table), path (a file) or dataset (either)',
      {
        details: { retryable: false },
      },
    );
  const rules = await loadRules(input, ctx.workDir);
  const dataset = await resolveDataset(ref, ctx.workDir);
  const related = await Promise.all(
    rules
      .filter((r) => r.kind === 'relationships')
      .map((r) => resolveDataset(String((r.body as { to_table: string }).to_table), ctx.workDir)),
  );
  const needsLake = [dataset, ...related].some((d) => d.kind === 'table');
  const lake = needsLake ? await ctx.lake() : null;
  const directories = [ctx.workDir, ...datasetDirectories([dataset, ...related]), ...(lake ? [lake.dataPath] : [])];

  const { bound, profile, results } = await withSandboxedDuckDB(
    { directories, searchPath: ctx.workDir, signal: ctx.signal },
    async (conn) => {
      const latest = lake ? await createLakeViews(conn, lake) : null;
      const bound = await bindDataset(conn, dataset, '__bosun_dataset', lake, latest);
      const relations = new Map<string, string>();
      for (const [i, r] of related.entries())
        relations.set(r.ref, (await bindDataset(conn, r, `__bosun_related_${i}`, lake, latest)).relation);
      try {
        ctx.progress({ message: `profiling ${ref}` });
        const profile = input.profile ? await profileRelation(conn, bound.relation) : null;
        ctx.progress({ message: `checking ${rules.length} rules` });
        const results = await checkRules(conn, bound.relation, rules, (t) => relations.get(t)!, input.sample_rows);
        return { bound, profile, results };
      } catch (err) {
        if (err instanceof BosunError) throw err;
        throw duckdbError(err, '', `cannot check ${ref}`);
      }
    },
  );
  return qualityEnvelope(ctx, { bound, profile, results, durationMs: Math.round(performance.now() - started) });
}

async function checkRules(
  conn: DuckDBConnection,
  relation: string,
  rules: readonly Rule[],
  relatedRelation: (table: string) => string,
  sampleRows: number,
): Promise<RuleResult[]> {
  const checks = rules.map((r) => ruleCheck(r, relatedRelation));
  const rowChecks = checks.flatMap((c, i) => (c.kind === 'row' ? [{ i, failing: c.failing }] : []));
  const counts = new Map<number, number>();
  if (rowChecks.length) {
    const select = rowChecks.map((c) => `count_if(${c.failing}) AS "r${c.i}"`).join(', ');
    const row = (await conn.runAndReadAll(`SELECT ${select} FROM ${relation}`)).getRowObjectsJson()[0]!;
    for (const c of rowChecks) counts.set(c.i, Number(row[`r${c.i}`]));
  }
  const sample = async (sql: string) =>
    (await conn.runAndReadAll(`${sql} LIMIT ${Math.trunc(sampleRows)}`)).getRowObjectsJson() as Record<
      string,
      unknown
    >[];
  const results: RuleResult[] = [];
  for (const [i, rule] of rules.entries()) {
    const check = checks[i]!;
    const base = { name: rule.name, rule: rule.kind, severity: rule.severity };
    if (check.kind === 'row') {
      const failing = counts.get(i)!;
      results.push({
        ...base,
        passed: failing === 0,
        failingRows: failing,
        message: failing ? `${failing} row${failing === 1 ? '' : 's'} fail` : 'every row passes',
        sample: failing ? await sample(`SELECT * FROM ${relation} WHERE ${check.failing}`) : [],
      });
    } else if (check.kind === 'duplicates') {
      const key = check.key.map(quoteIdent).join(', ');
      const notNull = check.key.map((k) => `${quoteIdent(k)} IS NOT NULL`).join(' AND ');
      const dupes = `SELECT ${key}, count(*) AS occurrences FROM ${relation} WHERE ${notNull} GROUP BY ${key} HAVING count(*) > 1`;
      const stats = (
        await conn.runAndReadAll(`SELECT count(*) AS keys, coalesce(sum(occurrences), 0) AS "rows" FROM (${dupes})`)
      ).getRowObjectsJson()[0]!;
      const rows = Number(stats.rows);
      results.push({
        ...base,
        passed: rows === 0,
        failingRows: rows,
        message: rows
          ? `${Number(stats.keys)} duplicated key${Number(stats.keys) === 1 ? '' : 's'} over ${rows} rows`
          : 'every key is unique',
        sample: rows ? await sample(`${dupes} ORDER BY occurrences DESC`) : [],
      });
    } else if (check.kind === 'orphans') {
      const orphans = `SELECT * FROM ${relation} AS d WHERE d.${quoteIdent(check.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${check.toRelation} AS p WHERE p.${quoteIdent(check.toColumn)} = d.${quoteIdent(check.column)})`;
      const count = Number(
        (await conn.runAndReadAll(`SELECT count(*) AS n FROM (${orphans})`)).getRowObjectsJson()[0]!.n,
      );
      results.push({
        ...base,
        passed: count === 0,
        failingRows: count,
        message: count ? `${count} row${count === 1 ? '' : 's'} point at nothing` : 'every reference resolves',
        sample: count ? await sample(orphans) : [],
      });
    } else {
      const row = (await conn.runAndReadAll(check.sql(relation))).getRowObjectsJson()[0]!;
      results.push({
        ...base,
        passed: row.ok === true,
        failingRows: null,
        message: check.describe(row.value),
        sample: [],
      });
    }
  }
  return results;
}

async function qualityEnvelope(
  ctx: AgentContext,
  run: { bound: BoundDataset; profile: Profile | null; results: RuleResult[]; durationMs: number },
): Promise<ResultEnvelope> {
  const errors = run.results.filter((r) => !r.passed && r.severity === 'error');
  const warnings = run.results.filter((r) => !r.passed && r.severity === 'warn');
  const report = path.join(ctx.workDir, 'quality-report.md');
  await fs.writeFile(report, qualityReport(run.bound, run.profile, run.results));
  const outputs = {
    dataset: {
      ref: run.bound.ref,
      kind: run.bound.kind,
      table: run.bound.table,
      snapshotId: run.bound.snapshotId,
      path: run.bound.path,
    },
    passed: errors.length === 0,
    failed_checks: errors.length,
    warnings: warnings.length,
    results: run.results,
    ...(run.profile ? { profile: run.profile, rows: run.profile.rows } : {}),
    durationMs: run.durationMs,
  };
  const parts = {
    outputs,
    artifacts: [await artifactFromFile(report, 'text/markdown', 'quality-report.md')],
    metrics: {
      rules: run.results.length,
      failedChecks: errors.length,
      warnings: warnings.length,
      qualityMs: run.durationMs,
    },
  };
  const counts = `${run.results.length - errors.length - warnings.length}/${run.results.length} rules pass`;
  if (errors.length)
    return failedEnvelope(
      {
        code: 'QUALITY_FAILED',
        message: `${run.bound.ref}: ${errors.map((e) => `${e.name}: ${e.message}`).join('; ')}`,
        retryable: false,
      },
      {
        ...parts,
        summary: `${run.bound.ref}: ${counts}; ${errors.length} error rule${errors.length === 1 ? '' : 's'} failed`,
      },
    );
  return completedEnvelope({
    ...parts,
    summary: `${run.bound.ref}: ${counts}${warnings.length ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : ''}`,
  });
}
