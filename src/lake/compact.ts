import fs from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { BosunError, parseWith } from '../core/index.js';
import { columnHistory, globalMetadata, latestSnapshot, type DataFileEntry } from './catalog.js';
import { AmbiguousCommit, commitIntents } from './commit.js';
import { withDuckDB } from './duckdb.js';
import type { FileMerge, Intent } from './intents.js';
import { parseTableName } from './names.js';
import { writeParquet } from './parquet-writer.js';
import { newDataFileName } from './paths.js';
import {
  FieldId,
  FILE_COLUMN,
  readParquetSql,
  ROW_ID_COLUMN,
  ROW_NUMBER_COLUMN,
  SNAPSHOT_ID_COLUMN,
  type ScanFile,
} from './scan.js';
import { quoteIdent, quoteList, quoteLiteral } from './sql.js';
import { loadTables, qualifiedName, type TableState } from './table-state.js';
import { fileColumnStats } from './stats.js';
import type { LakeSession } from './session.js';
import { fieldIdsSql, type LakeColumn } from './column-types.js';

export interface CompactOptions {
  /** `schema.table`; default every table. */
  table?: string;
  /** Files at least this large are left alone, and merged files grow to about this size. */
  targetFileSizeBytes?: number;
}

export interface CompactResult {
  snapshotId: number | null;
  tables: { table: string; filesMerged: number; filesCreated: number }[];
}

/** The extension's default `target_file_size`. */
const DEFAULT_TARGET_FILE_SIZE = 512 * 1024 * 1024;

/**
 * `merge_adjacent_files`: runs of small data files that are adjacent in row ids, written with
 * the same columns and never deleted from, become one file per run. Each row keeps its
 * snapshot in `_ducklake_internal_snapshot_id` (`partial_max` on the file), so every snapshot
 * still reads exactly what it read before; the sources leave the catalog and are scheduled for
 * deletion. One snapshot for all tables.
 */
export async function compact(session: LakeSession, options: CompactOptions): Promise<CompactResult> {
  const opts = parseWith(
    z.object({ table: z.string().optional(), targetFileSizeBytes: z.number().int().positive().optional() }).strict(),
    options,
    'compact options',
  );
  const base = await latestSnapshot(session.pool);
  const target = opts.targetFileSizeBytes ?? (await configuredTargetSize(session));
  const only = opts.table === undefined ? undefined : [qualifiedFromName(opts.table)];
  const tables = (await loadTables(session.pool, session.dataPath, base.id, { only })).filter((t) => !t.unreadable);
  if (only && !tables.length) throw new BosunError('NOT_FOUND', `table ${only[0]} does not exist or cannot be read`);

  const intents: Intent[] = [];
  const compacted: number[] = [];
  const written: string[] = [];
  const summary: CompactResult['tables'] = [];
  try {
    await withDuckDB(async (conn) => {
      for (const table of tables) {
        const runs = await mergeableRuns(session, table, target);
        const merges: FileMerge[] = [];
        for (const run of runs) merges.push(await mergeRun(conn, table, run, written));
        if (!merges.length) continue;
        intents.push({
          kind: 'compact',
          table: { id: table.entry.id, schema: table.entry.schema.name, name: table.entry.name },
          directory: table.directory,
          merges,
        });
        compacted.push(table.entry.id);
        summary.push({
          table: table.qualifiedName,
          filesMerged: merges.reduce((n, m) => n + m.sources.length, 0),
          filesCreated: merges.length,
        });
      }
    });
    if (!intents.length) return { snapshotId: null, tables: [] };
    const result = await commitIntents(
      session.pool,
      {
        baseSnapshotId: base.id,
        intents,
        pending: {
          tokens: compacted.map((id) => ({ kind: 'compacted_table' as const, id })),
          schemaIds: new Map(),
          droppedSchemaNames: new Map(),
        },
        author: null,
        message: null,
        dataPath: session.dataPath,
        writeReplacementDeleteFile: () => Promise.reject(new Error('compaction writes no delete files')),
      },
      session.logger,
    );
    return { snapshotId: result.snapshotId, tables: summary };
  } catch (err) {
    if (!(err instanceof AmbiguousCommit)) await Promise.all(written.map((p) => fs.rm(p, { force: true })));
    throw err;
  }
}

function qualifiedFromName(name: string): string {
  const n = parseTableName(name);
  return qualifiedName(n.schema, n.table);
}

async function configuredTargetSize(session: LakeSession): Promise<number> {
  const value = (await globalMetadata(session.pool)).get('target_file_size');
  const bytes = value === undefined ? NaN : parseSize(value);
  return Number.isFinite(bytes) && bytes > 0 ? bytes : DEFAULT_TARGET_FILE_SIZE;
}

/** `512MB`, `5 MiB`, `1048576`… as bytes (NaN when unreadable). */
function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$/i.exec(text);
  if (!m) return NaN;
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 }[unit] ?? NaN;
  return Number(m[1]) * factor;
}

interface Run {
  files: { entry: DataFileEntry; scan: ScanFile }[];
  columns: LakeColumn[];
}

/** Adjacent, small, never-deleted-from files with the same columns, in runs of two or more. */
async function mergeableRuns(session: LakeSession, table: TableState, target: number): Promise<Run[]> {
  const columnsAt = await columnHistory(session.pool, table.entry.id);
  const candidates = table.fileEntries
    .filter((f) => f.deletes === null && f.fileSizeBytes < target)
    .sort((a, b) => a.rowIdStart - b.rowIdStart)
    .map((entry) => {
      const columns = columnsAt(entry.beginSnapshot);
      return { entry, scan: table.files.find((s) => s.id === entry.id)!, columns, signature: JSON.stringify(columns) };
    });
  const runs: Run[] = [];
  let current: typeof candidates = [];
  let size = 0;
  const close = () => {
    if (current.length > 1)
      runs.push({ files: current.map(({ entry, scan }) => ({ entry, scan })), columns: current[0]!.columns });
    current = [];
    size = 0;
  };
  for (const c of candidates) {
    const last = current.at(-1);
    const adjacent =
      last &&
      last.signature === c.signature &&
      last.entry.rowIdStart + last.entry.recordCount === c.entry.rowIdStart &&
      size + c.entry.fileSizeBytes <= target;
    if (!adjacent) close();
    current.push(c);
    size += c.entry.fileSizeBytes;
  }
  close();
  return runs;
}

/** Writes one merged file: the run's rows in row-id order, each with the snapshot that inserted it. */
async function mergeRun(conn: DuckDBConnection, table: TableState, run: Run, written: string[]): Promise<FileMerge> {
  const files = run.files.map((f) => f.scan);
  // Rows rewritten by an update carry their own row id; then every row of the merged file must.
  const explicitRowIds = await hasFieldId(conn, files, FieldId.rowId);
  const info = files.map((f, i) => `(${quoteLiteral(f.path)}, ${f.beginSnapshot}, ${f.rowIdStart}, ${i})`).join(', ');
  const select = [
    ...run.columns.map((c) => `d.${quoteIdent(c.name)}`),
    `coalesce(d.${SNAPSHOT_ID_COLUMN}, f.begin_snapshot) AS ${SNAPSHOT_ID_COLUMN}`,
    ...(explicitRowIds
      ? [`coalesce(d.${ROW_ID_COLUMN}, f.row_id_start + d.${ROW_NUMBER_COLUMN}) AS ${ROW_ID_COLUMN}`]
      : []),
  ];
  const sql = `SELECT ${select.join(', ')}
    FROM ${readParquetSql(run.columns, files, { snapshotIds: true, rowIds: explicitRowIds, positions: true })} AS d
    JOIN (VALUES ${info}) AS f(file, begin_snapshot, row_id_start, ord) ON d.${FILE_COLUMN} = f.file
    ORDER BY f.ord, d.${ROW_NUMBER_COLUMN}`;
  const path = `${table.directory}${newDataFileName()}`;
  written.push(path);
  const extra = {
    [SNAPSHOT_ID_COLUMN]: FieldId.snapshotId,
    ...(explicitRowIds ? { [ROW_ID_COLUMN]: FieldId.rowId } : {}),
  };
  const file = await writeParquet(conn, sql, path, fieldIdsSql(run.columns, extra));
  const snapshots = run.files.flatMap((f) => [f.entry.beginSnapshot, f.entry.partialMax ?? f.entry.beginSnapshot]);
  const [first, last] = [Math.min(...snapshots), Math.max(...snapshots)];
  return {
    sources: files.map((f) => ({ id: f.id, path: f.path })),
    file,
    relativePath: path.slice(table.directory.length),
    stats: fileColumnStats(run.columns, file.columnStats),
    beginSnapshot: first,
    partialMax: last > first ? last : null,
    rowIdStart: run.files[0]!.entry.rowIdStart,
  };
}

async function hasFieldId(conn: DuckDBConnection, files: readonly ScanFile[], fieldId: number): Promise<boolean> {
  const reader = await conn.runAndReadAll(
    `SELECT count(*) AS n FROM parquet_schema(${quoteList(files.map((f) => f.path))}) WHERE field_id = ${fieldId}`,
  );
  return Number(reader.getRowObjectsJson()[0]?.n) > 0;
}
