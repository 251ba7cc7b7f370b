import fs from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { BosunError, isBosunError } from '../../../core/index.js';
import { quoteLiteral, type Lake } from '../../../lake/index.js';
import { describeColumns } from './sources.js';

/** Where a skill's rows go: a lake table (appended to or replaced, one snapshot) or a Parquet file. */
export type Target = { kind: 'table'; table: string; mode: 'append' | 'replace' } | { kind: 'file'; path: string };

export interface Written {
  kind: Target['kind'];
  table?: string;
  mode?: 'append' | 'replace';
  /** The lake snapshot that holds the rows (a table target). */
  snapshotId?: number | null;
  path?: string;
  rows: number;
  schema: { name: string; type: string }[];
}

const TABLE_NAME = /^[A-Za-z_][\w]*\.[A-Za-z_][\w]*$/;

/** `schema.table` is a lake table; a name ending in .parquet a file (relative ones in the task folder). */
export function parseTarget(target: string, mode: 'append' | 'replace', workDir: string): Target {
  if (/\.parquet$/i.test(target)) return { kind: 'file', path: path.resolve(workDir, target) };
  if (TABLE_NAME.test(target)) return { kind: 'table', table: target, mode };
  throw new BosunError('INVALID_INPUT', `target ${target} is neither a lake table (schema.table) nor a .parquet file`, {
    details: { retryable: false },
  });
}

/** The directories a sandboxed DuckDB needs for a target. */
export const targetDirectories = (target: Target): string[] =>
  target.kind === 'file' ? [path.dirname(target.path)] : [];

/**
 * Writes the rows of `relation` (a table or view on `conn`) to the target. A lake table gets
 * them through one lake transaction, created (with its schema) when missing, so an ingest is one
 * snapshot; the rows travel as a staging Parquet file in the task folder, removed afterwards.
 */
export async function writeTarget(
  conn: DuckDBConnection,
  relation: string,
  target: Target,
  options: { lake: () => Promise<Lake>; workDir: string; author: string; message: string },
): Promise<Written> {
  const schema = await describeColumns(conn, relation);
  const count = Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM ${relation}`)).getRowObjectsJson()[0]!.n);
  if (target.kind === 'file') {
    await fs.mkdir(path.dirname(target.path), { recursive: true });
    await conn.run(`COPY ${relation} TO ${quoteLiteral(target.path)} (FORMAT parquet)`);
    return { kind: 'file', path: target.path, rows: count, schema };
  }
  const staging = path.join(options.workDir, `.staging-${process.pid}-${Date.now()}.parquet`);
  await conn.run(`COPY ${relation} TO ${quoteLiteral(staging)} (FORMAT parquet)`);
  try {
    const lake = await options.lake();
    const [schemaName] = target.table.split('.') as [string, string];
    const result = await lake.transaction(
      async (tx) => {
        const exists = (await lake.tables({ snapshot: tx.baseSnapshotId })).some((t) => t.name === target.table);
        if (!exists) {
          await tx.createSchema(schemaName).catch((err: unknown) => {
            if (!isBosunError(err, 'CONFLICT')) throw err;
          });
          await tx.createTable(target.table, { as: `SELECT * FROM read_parquet(${quoteLiteral(staging)})` });
          return tx.append(target.table, { parquetFile: staging });
        }
        return target.mode === 'replace'
          ? tx.overwrite(target.table, { parquetFile: staging })
          : tx.append(target.table, { parquetFile: staging });
      },
      { author: options.author, message: options.message, conflictRetries: 3 },
    );
    return {
      kind: 'table',
      table: target.table,
      mode: target.mode,
      snapshotId: result.snapshotId,
      rows: count,
      schema,
    };
  } finally {
    await fs.rm(staging, { force: true });
  }
}
