import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { completedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { withSandboxedDuckDB } from '../tabular/duckdb.js';
import { exportResult, loadTextRows } from '../tabular/results.js';
import { resolveConnection, type Engine } from './connections.js';
import { runDuckDB, withQueryDuckDB } from './duckdb-engine.js';
import { runPostgres } from './postgres.js';

/** sql.query's input, as agents/sql.yaml declares it (defaults filled in). */
export interface QueryInput {
  engine: Engine;
  connection?: string;
  sql: string;
  params: unknown[];
  max_rows: number;
  preview_rows: number;
  timeout_s: number;
  write: boolean;
}

/** One query on PostgreSQL or DuckDB: columns with types, the first rows inline, CSV and Parquet of all rows kept. */
export async function runQuery(ctx: AgentContext, input: QueryInput): Promise<ResultEnvelope> {
  const started = performance.now();
  const connection = resolveConnection(ctx.config, input.engine, input.connection);
  const timeoutMs = Math.min(input.timeout_s * 1000, ctx.timeoutMs);
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
  const scratch = path.join(ctx.workDir, '.sql');
  const exportOptions = { workDir: ctx.workDir, baseName: 'result', previewRows: input.preview_rows };
  ctx.progress({ message: `running the query on ${connection.name}` });

  let outcome;
  if (connection.engine === 'postgres') {
    const res = await runPostgres(connection, ctx.pool, {
      sql: input.sql,
      params: input.params,
      maxRows: input.max_rows,
      timeoutMs,
      write: input.write,
      signal: ctx.signal,
    });
    const exported = res.columns.length
      ? await withSandboxedDuckDB({ directories: [ctx.workDir], searchPath: ctx.workDir }, async (conn) => {
          await loadTextRows(conn, res.columns, res.rows, scratch);
          return exportResult(conn, {
            ...exportOptions,
            sourceTypes: new Map(res.columns.map((c) => [c.name, c.sourceType ?? c.type])),
          });
        })
      : null;
    outcome = { ...res, exported, snapshotId: null };
  } else {
    outcome = await withQueryDuckDB(
      connection,
      ctx.lake,
      { workDir: ctx.workDir, write: input.write, signal },
      async (conn, snapshotId) => {
        const res = await runDuckDB(conn, {
          sql: input.sql,
          params: input.params,
          maxRows: input.max_rows,
          write: input.write,
          signal,
          workDir: ctx.workDir,
        });
        return { ...res, exported: res.hasResult ? await exportResult(conn, exportOptions) : null, snapshotId };
      },
    );
  }
  const durationMs = Math.round(performance.now() - started);
  const rowCount = outcome.exported?.rowCount ?? 0;
  const what = outcome.exported
    ? `${rowCount}${outcome.truncated ? '+' : ''} row${rowCount === 1 ? '' : 's'}`
    : `${outcome.command}${outcome.affectedRows !== null ? ` (${outcome.affectedRows} rows)` : ''}`;
  return completedEnvelope({
    summary: `${what} from ${connection.name} (${input.engine}) in ${durationMs} ms`,
    outputs: {
      engine: input.engine,
      connection: connection.name,
      command: outcome.command,
      columns: outcome.exported?.columns ?? [],
      rows: outcome.exported?.rows ?? [],
      rowCount,
      truncated: outcome.truncated,
      affectedRows: outcome.affectedRows,
      durationMs,
      ...(outcome.snapshotId !== null ? { snapshotId: outcome.snapshotId } : {}),
      readOnly: !input.write,
    },
    artifacts: outcome.exported?.artifacts ?? [],
    metrics: { rows: rowCount, queryMs: durationMs },
  });
}
