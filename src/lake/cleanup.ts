import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseWith } from '../core/index.js';
import type { Queryable } from './catalog.js';
import { lakeFileNamePattern, resolveFilePath, resolveScheduledPath, tableDirectory } from './paths.js';
import type { LakeSession } from './session.js';

export interface CleanupOptions {
  /** List what would be removed; remove nothing. */
  dryRun?: boolean;
  /** Only files scheduled (or, for stray files, last written) longer ago than this; default 0. */
  olderThanMs?: number;
}

export interface CleanupResult {
  dryRun: boolean;
  /** `ageMs`: since the file was last written (a stray file's writer died about then). */
  removed: { path: string; reason: 'scheduled' | 'stray'; bytes: number; ageMs: number }[];
}

/**
 * A stray file younger than this is left alone whatever `olderThanMs` says: it may belong to a
 * writer that has written its Parquet file and is about to commit it.
 */
const STRAY_FILE_MIN_AGE_MS = 60 * 60 * 1000;

/**
 * `cleanup_old_files` plus `delete_orphaned_files`: deletes the files scheduled for deletion
 * (by expiry, compaction, replaced delete files), and stray lake files in the data path that no
 * catalog row refers to, such as those of a writer killed before its commit.
 */
export async function cleanup(session: LakeSession, options: CleanupOptions): Promise<CleanupResult> {
  const opts = parseWith(
    z.object({ dryRun: z.boolean().optional(), olderThanMs: z.number().int().min(0).optional() }).strict(),
    options,
    'cleanup options',
  );
  const dryRun = opts.dryRun ?? false;
  const olderThanMs = opts.olderThanMs ?? 0;
  const referenced = await referencedFiles(session.pool, session.dataPath);
  const removed: CleanupResult['removed'] = [];

  const scheduled = await session.pool.query(
    `SELECT data_file_id, path, path_is_relative FROM ducklake.ducklake_files_scheduled_for_deletion
      WHERE schedule_start <= now() - make_interval(secs => $1::double precision / 1000)`,
    [olderThanMs],
  );
  const scheduledPaths = new Set<string>();
  for (const row of scheduled.rows) {
    const r = parseWith(scheduledRow, row, 'ducklake_files_scheduled_for_deletion row', 'LAKE_ERROR');
    const absolute = resolveScheduledPath(session.dataPath, r.path, r.path_is_relative ?? true);
    scheduledPaths.add(absolute);
    // A file both scheduled and still in use would be a catalog bug; never delete such a file.
    if (referenced.has(absolute)) continue;
    const stat = await fs.stat(absolute).catch(() => null);
    removed.push({
      path: absolute,
      reason: 'scheduled',
      bytes: stat?.size ?? 0,
      ageMs: stat ? Math.round(Date.now() - stat.mtimeMs) : 0,
    });
    if (dryRun) continue;
    await fs.rm(absolute, { force: true });
    await session.pool.query(
      `DELETE FROM ducklake.ducklake_files_scheduled_for_deletion WHERE data_file_id = $1 AND path = $2`,
      [r.data_file_id, r.path],
    );
  }

  const allScheduled = await scheduledFiles(session.pool, session.dataPath);
  const cutoff = Date.now() - Math.max(olderThanMs, STRAY_FILE_MIN_AGE_MS);
  for (const file of await lakeFilesUnder(session.dataPath)) {
    if (referenced.has(file) || allScheduled.has(file) || scheduledPaths.has(file)) continue;
    const stat = await fs.stat(file).catch(() => null);
    if (!stat || stat.mtimeMs > cutoff) continue;
    removed.push({ path: file, reason: 'stray', bytes: stat.size, ageMs: Math.round(Date.now() - stat.mtimeMs) });
    if (!dryRun) await fs.rm(file, { force: true });
  }
  return { dryRun, removed };
}

const scheduledRow = z.object({
  data_file_id: z.coerce.number().int(),
  path: z.string(),
  path_is_relative: z.boolean().nullable(),
});

const fileRow = z.object({
  path: z.string(),
  path_is_relative: z.boolean().nullable(),
  table_id: z.coerce.number().int(),
  table_name: z.string(),
  table_path: z.string().nullable(),
  table_path_is_relative: z.boolean().nullable(),
  schema_id: z.coerce.number().int(),
  schema_name: z.string(),
  schema_path: z.string().nullable(),
  schema_path_is_relative: z.boolean().nullable(),
});

/** Every data and delete file any catalog row names (any snapshot), as absolute paths. */
async function referencedFiles(q: Queryable, dataPath: string): Promise<Set<string>> {
  const res = await q.query(
    `WITH files AS (
       SELECT table_id, path, path_is_relative FROM ducklake.ducklake_data_file
       UNION ALL
       SELECT table_id, path, path_is_relative FROM ducklake.ducklake_delete_file
     ), tables AS (
       SELECT DISTINCT ON (table_id) table_id, table_name, path, path_is_relative, schema_id
         FROM ducklake.ducklake_table ORDER BY table_id, begin_snapshot DESC
     )
     SELECT f.path, f.path_is_relative, t.table_id, t.table_name, t.path AS table_path, t.path_is_relative AS table_path_is_relative,
            s.schema_id, s.schema_name, s.path AS schema_path, s.path_is_relative AS schema_path_is_relative
       FROM files f JOIN tables t USING (table_id) JOIN ducklake.ducklake_schema s ON s.schema_id = t.schema_id`,
  );
  const files = new Set<string>();
  for (const row of res.rows) {
    const r = parseWith(fileRow, row, 'lake file row', 'LAKE_ERROR');
    const directory = tableDirectory(dataPath, {
      id: r.table_id,
      name: r.table_name,
      beginSnapshot: 0,
      path: r.table_path,
      pathIsRelative: r.table_path_is_relative ?? true,
      schema: {
        id: r.schema_id,
        name: r.schema_name,
        path: r.schema_path,
        pathIsRelative: r.schema_path_is_relative ?? true,
      },
    });
    files.add(resolveFilePath(directory, r.path, r.path_is_relative ?? true));
  }
  return files;
}

async function scheduledFiles(q: Queryable, dataPath: string): Promise<Set<string>> {
  const res = await q.query(
    `SELECT data_file_id, path, path_is_relative FROM ducklake.ducklake_files_scheduled_for_deletion`,
  );
  return new Set(
    res.rows.map((row) => {
      const r = parseWith(scheduledRow, row, 'ducklake_files_scheduled_for_deletion row', 'LAKE_ERROR');
      return resolveScheduledPath(dataPath, r.path, r.path_is_relative ?? true);
    }),
  );
}

/** Files under the data path named as lake files are (nothing else there is ever touched). */
async function lakeFilesUnder(dataPath: string): Promise<string[]> {
  const entries = await fs
    .readdir(dataPath, { recursive: true, withFileTypes: true })
    .catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
  return entries
    .filter((e) => e.isFile() && lakeFileNamePattern.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}
