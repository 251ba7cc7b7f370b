import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BosunError } from '../../../core/index.js';
import { quoteLiteral } from '../../../lake/index.js';
import { artifactFromFile, completedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { duckdbError, withSandboxedDuckDB } from '../tabular/duckdb.js';
import { loadTextRows, RESULT_TABLE } from '../tabular/results.js';
import { resolveConnection } from '../sql/connections.js';
import { runPostgres } from '../sql/postgres.js';
import {
  download,
  formatOf,
  formatOfContentType,
  readerSql,
  rejectedRows,
  resolveFiles,
  type FileFormat,
  type Rejected,
} from './sources.js';
import { parseTarget, targetDirectories, writeTarget } from './targets.js';

/** data.ingest's input, as agents/data-engineering.yaml declares it (defaults filled in). */
export interface IngestInput {
  source: string | { connection?: string; query: string; params?: unknown[] };
  format?: FileFormat;
  options: Record<string, unknown>;
  target: string;
  mode: 'append' | 'replace';
  max_bytes: number;
  max_rows: number;
  timeout_s: number;
  reject_examples: number;
}

const INGESTED = '__bosun_ingested';

/**
 * Lands a file, a glob, a URL or a PostgreSQL query in a lake table or a Parquet file: DuckDB
 * infers the schema; rows read_csv cannot parse are kept out of the target but counted, shown,
 * and written to rejected.csv.
 */
export async function runIngest(ctx: AgentContext, input: IngestInput): Promise<ResultEnvelope> {
  const started = performance.now();
  const target = parseTarget(input.target, input.mode, ctx.workDir);
  const scratch = path.join(ctx.workDir, '.ingest');
  let described: string;
  let bytes: number | null = null;
  let reader: { sql: string; format: FileFormat; directory: string } | null = null;
  let pgRows: Awaited<ReturnType<typeof runPostgres>> | null = null;

  if (typeof input.source === 'object') {
    const connection = resolveConnection(ctx.config, 'postgres', input.source.connection);
    if (connection.engine !== 'postgres') throw new Error('unreachable: resolveConnection keeps the engine');
    described = `query on ${connection.name}`;
    ctx.progress({ message: `reading the query on ${connection.name}` });
    pgRows = await runPostgres(connection, ctx.pool, {
      sql: input.source.query,
      params: input.source.params ?? [],
      maxRows: input.max_rows,
      timeoutMs: Math.min(input.timeout_s * 1000, ctx.timeoutMs),
      write: false,
      signal: ctx.signal,
    });
    if (pgRows.truncated)
      throw new BosunError('TOO_LARGE', `the query returned more than max_rows (${input.max_rows}) rows`, {
        hint: 'raise max_rows; an ingest never keeps part of a result',
        details: { retryable: false },
      });
  } else if (/^https?:\/\//i.test(input.source)) {
    described = input.source;
    ctx.progress({ message: `downloading ${input.source}` });
    const got = await download(input.source, scratch, {
      maxBytes: input.max_bytes,
      timeoutMs: Math.min(input.timeout_s * 1000, ctx.timeoutMs),
      signal: ctx.signal,
    });
    bytes = got.bytes;
    const format = input.format ?? formatOf(input.source) ?? formatOfContentType(got.contentType);
    if (!format) throw unknownFormat(input.source);
    reader = { sql: readerSql(got.file, format, input.options), format, directory: scratch };
  } else {
    described = input.source;
    // A file:// URL (what a template's url param holds) is a path.
    const local = /^file:\/\//i.test(input.source) ? fileURLToPath(input.source) : input.source;
    const files = await resolveFiles(local, ctx.workDir);
    const format = input.format ?? formatOf(input.source);
    if (!format) throw unknownFormat(input.source);
    bytes = await fs.stat(files.pattern).then(
      (s) => s.size,
      () => null,
    );
    reader = { sql: readerSql(files.pattern, format, input.options), format, directory: files.directory };
  }

  const directories = [ctx.workDir, ...targetDirectories(target), ...(reader ? [reader.directory] : [])];
  const { written, rejected } = await withSandboxedDuckDB(
    { directories, searchPath: ctx.workDir, signal: ctx.signal },
    async (conn) => {
      let rejected: Rejected = { count: 0, examples: [] };
      if (pgRows) {
        await loadTextRows(conn, pgRows.columns, pgRows.rows, scratch);
        await conn.run(`ALTER TABLE ${RESULT_TABLE} RENAME TO ${INGESTED}`);
      } else {
        ctx.progress({ message: `reading ${described}` });
        try {
          await conn.run(`CREATE TEMP TABLE ${INGESTED} AS SELECT * FROM ${reader!.sql}`);
        } catch (err) {
          throw duckdbError(err, '', `cannot read ${described} as ${reader!.format}`);
        }
        rejected = await rejectedRows(conn, reader!.format, input.reject_examples);
        if (rejected.count)
          await conn.run(
            `COPY (SELECT line, column_name, error_type, error_message, csv_line FROM reject_errors ORDER BY file_id, line) TO ${quoteLiteral(path.join(ctx.workDir, 'rejected.csv'))} (FORMAT csv, HEADER true)`,
          );
      }
      ctx.progress({ message: `writing ${input.target}` });
      const written = await writeTarget(conn, INGESTED, target, {
        lake: ctx.lake,
        workDir: ctx.workDir,
        author: 'data-engineering',
        message: `data.ingest ${described}`,
      });
      return { written, rejected };
    },
  );
  const durationMs = Math.round(performance.now() - started);
  const artifacts = [];
  if (rejected.count) {
    artifacts.push(await artifactFromFile(path.join(ctx.workDir, 'rejected.csv'), 'text/csv', 'rejected.csv'));
  }
  if (written.kind === 'file') {
    artifacts.push(
      await artifactFromFile(written.path!, 'application/vnd.apache.parquet', path.basename(written.path!)),
    );
  }
  const where = written.kind === 'table' ? `${written.table} (snapshot ${written.snapshotId})` : written.path;
  const bad = rejected.count ? `, ${rejected.count} rejected row${rejected.count === 1 ? '' : 's'}` : '';
  return completedEnvelope({
    summary: `ingested ${written.rows} rows from ${described} into ${where}${bad}`,
    outputs: {
      source: described,
      format: reader?.format ?? 'postgres',
      target: written,
      schema: written.schema,
      rows: written.rows,
      rejected,
      bytes,
      durationMs,
      ...(written.kind === 'file' ? { path: written.path } : { table: written.table, snapshotId: written.snapshotId }),
    },
    artifacts,
    metrics: {
      rows: written.rows,
      rejected: rejected.count,
      ...(bytes !== null ? { bytes } : {}),
      ingestMs: durationMs,
    },
  });
}

function unknownFormat(source: string): BosunError {
  return new BosunError('INVALID_INPUT', `cannot tell the format of ${source}`, {
    hint: 'pass format: csv, tsv, json, ndjson or parquet',
    details: { retryable: false },
  });
}
