import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { BosunError } from '../../../core/index.js';
import { completedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { duckdbError } from '../tabular/duckdb.js';
import { resolveConnection, type Engine } from './connections.js';
import { withQueryDuckDB } from './duckdb-engine.js';
import { planFindings, type Finding, type PlanNode, type RelationFacts } from './findings.js';
import { assertReadOnly, withPostgresTransaction } from './postgres.js';

/** sql.explain's input, as agents/sql.yaml declares it (defaults filled in). */
export interface ExplainInput {
  engine: Engine;
  connection?: string;
  sql: string;
  params: unknown[];
  analyze: boolean;
  settings: Record<string, string>;
  timeout_s: number;
}

/** Planner settings a plan may be tried under (SET LOCAL, for this transaction only). */
const SETTINGS = new Set([
  'work_mem',
  'random_page_cost',
  'effective_cache_size',
  'jit',
  'enable_seqscan',
  'enable_nestloop',
  'enable_hashjoin',
  'enable_mergejoin',
  'max_parallel_workers_per_gather',
]);

function walk(node: PlanNode, visit: (n: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

/** Each scanned relation's size (pg_class.reltuples, the live count when never analysed) and indexed columns. */
async function relationFacts(client: pg.ClientBase, root: PlanNode): Promise<Map<string, RelationFacts>> {
  const names = new Set<string>();
  walk(root, (n) => n['Relation Name'] && names.add(n['Relation Name']));
  const facts = new Map<string, RelationFacts>();
  for (const name of names) {
    const res = await client.query<{ rows: string; live: string | null; columns: string[] | null }>(
      `SELECT c.reltuples::bigint AS rows, s.n_live_tup AS live,
              (SELECT array_agg(DISTINCT a.attname::text) FROM pg_index i
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                WHERE i.indrelid = c.oid) AS columns
         FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
        WHERE c.oid = to_regclass($1)`,
      [name],
    );
    const row = res.rows[0];
    if (!row) continue;
    const rows = Number(row.rows) >= 0 ? Number(row.rows) : Number(row.live ?? 0);
    facts.set(name, { rows, indexedColumns: new Set(row.columns ?? []) });
  }
  return facts;
}

/**
 * The plan of a query and what to do about it. PostgreSQL: EXPLAIN (FORMAT JSON[, ANALYZE,
 * BUFFERS]) in a READ ONLY transaction that is rolled back (ANALYZE runs the query), under the
 * planner settings given, with findings; DuckDB: EXPLAIN [ANALYZE] as text.
 */
export async function runExplain(ctx: AgentContext, input: ExplainInput): Promise<ResultEnvelope> {
  const started = performance.now();
  const connection = resolveConnection(ctx.config, input.engine, input.connection);
  const timeoutMs = Math.min(input.timeout_s * 1000, ctx.timeoutMs);
  let plan: unknown;
  let findings: Finding[] = [];
  if (connection.engine === 'postgres') {
    for (const name of Object.keys(input.settings))
      if (!SETTINGS.has(name))
        throw new BosunError('INVALID_INPUT', `setting ${name} is not one a plan can be tried under`, {
          hint: `allowed: ${[...SETTINGS].join(', ')}`,
          details: { retryable: false },
        });
    ({ plan, findings } = await withPostgresTransaction(
      connection,
      ctx.pool,
      { timeoutMs, write: false, signal: ctx.signal, sql: input.sql },
      async (client, setOffset) => {
        for (const [name, value] of Object.entries(input.settings))
          await client.query('SELECT set_config($1, $2, true)', [name, value]);
        await assertReadOnly(client, input.sql, input.params, setOffset);
        const options = input.analyze ? 'FORMAT JSON, ANALYZE, BUFFERS' : 'FORMAT JSON';
        const prefix = `EXPLAIN (${options}) `;
        setOffset(prefix.length);
        const res = await client.query({
          text: prefix + input.sql,
          values: input.params,
          rowMode: 'array',
        } as pg.QueryConfig);
        // pg parses the json column: one element, the plan.
        const explained = (res.rows[0] as unknown as unknown[])[0] as { Plan: PlanNode }[];
        const root = explained[0]!.Plan;
        return { plan: explained, findings: planFindings(root, await relationFacts(client, root)) };
      },
    ));
  } else {
    plan = await withQueryDuckDB(
      connection,
      ctx.lake,
      { workDir: ctx.workDir, write: false, signal: ctx.signal },
      async (conn) => {
        try {
          const res = await conn.runAndReadAll(`EXPLAIN ${input.analyze ? 'ANALYZE ' : ''}${input.sql}`);
          return res
            .getRowObjectsJson()
            .map((r) => String(r.explain_value ?? Object.values(r).at(-1)))
            .join('\n');
        } catch (err) {
          throw duckdbError(err, input.sql, 'cannot explain the query');
        }
      },
    );
  }
  const durationMs = Math.round(performance.now() - started);
  return completedEnvelope({
    summary: findings.length
      ? `${findings.length} finding${findings.length === 1 ? '' : 's'}: ${findings.map((f) => f.kind).join(', ')}`
      : `plan from ${connection.name}: no findings`,
    outputs: { engine: input.engine, connection: connection.name, analyzed: input.analyze, plan, findings, durationMs },
    metrics: { findings: findings.length, explainMs: durationMs },
  });
}
