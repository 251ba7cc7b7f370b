import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DuckDBConnection } from '@duckdb/node-api';
import { BosunError } from '../../../core/index.js';
import { artifactFromFile, completedEnvelope, sha256File, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { duckdbError, withSandboxedDuckDB } from '../tabular/duckdb.js';
import { bindDataset, datasetDirectories, resolveDataset, type BoundDataset } from './datasets.js';
import { parseTarget, targetDirectories, writeTarget, type Written } from './targets.js';

/** data.transform's input, as agents/data-engineering.yaml declares it (defaults filled in). */
export interface TransformInput {
  sql?: string;
  sql_file?: string;
  inputs: Record<string, string>;
  target: string;
  mode: 'append' | 'replace';
}

/** Which data produced which: the inputs as read (lake snapshots, file hashes) and the output written. */
export interface Lineage {
  inputs: {
    name: string;
    ref: string;
    kind: string;
    table?: string;
    snapshotId?: number;
    path?: string;
    sha256?: string;
  }[];
  output: { kind: string; table?: string; snapshotId?: number | null; path?: string; sha256?: string; rows: number };
  sqlSha256: string;
}

const INPUT_NAME = /^[A-Za-z_]\w*$/;
const TRANSFORMED = '__bosun_transformed';

async function transformSql(input: TransformInput, workDir: string): Promise<string> {
  if ((input.sql === undefined) === (input.sql_file === undefined))
    throw new BosunError('INVALID_INPUT', 'give sql or sql_file', { details: { retryable: false } });
  if (input.sql !== undefined) return input.sql;
  const file = path.resolve(workDir, input.sql_file!);
  return fs.readFile(file, 'utf8').catch(() => {
    throw new BosunError('NOT_FOUND', `no SQL file ${file}`, { details: { retryable: false } });
  });
}

/** The SQL must be one SELECT: a transformation reads its inputs and returns rows, nothing else. */
async function assertOneSelect(conn: DuckDBConnection, sql: string): Promise<void> {
  const { StatementType } = await import('@duckdb/node-api');
  let extracted;
  try {
    extracted = await conn.extractStatements(sql);
  } catch (err) {
    throw duckdbError(err, sql, 'the transformation does not parse');
  }
  const prepared =
    extracted.count === 1
      ? await extracted.prepare(0).catch((err: unknown) => {
          throw duckdbError(err, sql, 'the transformation cannot be prepared');
        })
      : null;
  if (!prepared || prepared.statementType !== StatementType.SELECT)
    throw new BosunError('INVALID_INPUT', 'a transformation is one SELECT over its inputs', {
      hint: 'write the target through target:, not in the SQL',
      details: { retryable: false },
    });
}

async function inputLineage(name: string, b: BoundDataset): Promise<Lineage['inputs'][number]> {
  const entry: Lineage['inputs'][number] = { name, ref: b.ref, kind: b.kind };
  if (b.table) Object.assign(entry, { table: b.table, snapshotId: b.snapshotId });
  if (b.path) {
    entry.path = b.path;
    const hash = await sha256File(b.path).catch(() => null);
    if (hash) entry.sha256 = hash;
  }
  return entry;
}

/**
 * Runs one DuckDB SELECT over named inputs (lake tables at a snapshot, files), each a view under
 * its name, into a lake table or a Parquet file, and records the lineage: which snapshots and
 * files went in, which snapshot or file came out.
 */
export async function runTransform(ctx: AgentContext, input: TransformInput): Promise<ResultEnvelope> {
  const started = performance.now();
  const sql = await transformSql(input, ctx.workDir);
  const names = Object.keys(input.inputs);
  const badName = names.find((n) => !INPUT_NAME.test(n));
  if (badName)
    throw new BosunError('INVALID_INPUT', `input name ${badName} is not an identifier (letters, digits, _)`, {
      details: { retryable: false },
    });
  const datasets = await Promise.all(names.map((n) => resolveDataset(input.inputs[n]!, ctx.workDir)));
  const target = parseTarget(input.target, input.mode, ctx.workDir);
  const lake = datasets.some((d) => d.kind === 'table') || target.kind === 'table' ? await ctx.lake() : null;
  const directories = [
    ctx.workDir,
    ...datasetDirectories(datasets),
    ...targetDirectories(target),
    ...(lake ? [lake.dataPath] : []),
  ];
  const { bound, written } = await withSandboxedDuckDB(
    { directories, searchPath: ctx.workDir, signal: ctx.signal },
    async (conn) => {
      const latest = lake ? (await lake.resolveSnapshot()).id : null;
      const bound: BoundDataset[] = [];
      for (const [i, d] of datasets.entries()) bound.push(await bindDataset(conn, d, names[i]!, lake, latest));
      await assertOneSelect(conn, sql);
      ctx.progress({ message: 'running the transformation' });
      try {
        await conn.run(`CREATE TEMP TABLE ${TRANSFORMED} AS ${sql.replace(/;\s*$/, '')}\n`);
      } catch (err) {
        throw duckdbError(err, sql, 'the transformation failed');
      }
      const written: Written = await writeTarget(conn, TRANSFORMED, target, {
        lake: ctx.lake,
        workDir: ctx.workDir,
        author: 'data-engineering',
        message: `data.transform ${names.join(', ') || '(no inputs)'} → ${input.target}`,
      });
      return { bound, written };
    },
  );
  const lineage: Lineage = {
    inputs: await Promise.all(bound.map((b, i) => inputLineage(names[i]!, b))),
    output: {
      kind: written.kind,
      rows: written.rows,
      ...(written.kind === 'table' ? { table: written.table, snapshotId: written.snapshotId } : {}),
      ...(written.path ? { path: written.path, sha256: await sha256File(written.path) } : {}),
    },
    sqlSha256: createHash('sha256').update(sql).digest('hex'),
  };
  const lineageFile = path.join(ctx.workDir, 'lineage.json');
  await fs.writeFile(lineageFile, JSON.stringify(lineage, null, 2) + '\n');
  const artifacts = [await artifactFromFile(lineageFile, 'application/json', 'lineage.json')];
  if (written.path)
    artifacts.push(await artifactFromFile(written.path, 'application/vnd.apache.parquet', path.basename(written.path)));
  const durationMs = Math.round(performance.now() - started);
  const from = lineage.inputs
    .map((i) => (i.snapshotId !== undefined ? `${i.table}@${i.snapshotId}` : i.ref))
    .join(', ');
  const to = written.kind === 'table' ? `${written.table}@${written.snapshotId}` : written.path;
  return completedEnvelope({
    summary: `transformed ${from || 'nothing'} into ${to}: ${written.rows} rows`,
    outputs: {
      target: written,
      schema: written.schema,
      rows: written.rows,
      lineage,
      durationMs,
      ...(written.kind === 'file' ? { path: written.path } : { table: written.table, snapshotId: written.snapshotId }),
    },
    artifacts,
    metrics: { rows: written.rows, transformMs: durationMs },
  });
}
