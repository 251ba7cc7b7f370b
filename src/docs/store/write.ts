import { setTimeout as sleep } from 'node:timers/promises';
import { BosunError, assertSlug, isBosunError } from '../../core/index.js';
import { ensureLakeTables, type Lake, type LakeTransaction } from '../../lake/index.js';
import { ensureIndexTables, writeChunkIndex } from '../postings/index.js';
import { storedChunkIds } from './read.js';
import {
  CHUNKS_TABLE,
  chunkColumns,
  PAGES_TABLE,
  pageColumns,
  toDefinitions,
  type ChunkRow,
  type PageRow,
} from './tables.js';

export interface CommitOptions {
  author: string;
  message: string;
}

/** One sync's changes to a library: new rows for added and changed pages, and the pages whose old rows go. */
export interface LibraryChanges {
  library: string;
  pages: readonly PageRow[];
  chunks: readonly ChunkRow[];
  /** Changed and removed pages: their rows (and chunks) are deleted before the new rows land. */
  replacedPageIds: readonly string[];
}

export interface CommitResult {
  /** Null when there was nothing to write (no snapshot is made). */
  snapshotId: number | null;
  removedChunks: number;
}

/**
 * Creates docs.pages and docs.chunks on first use, in a commit of their own so that two
 * libraries' first syncs do not collide on creating them; a concurrent creator is fine.
 */
export function ensureDocsTables(lake: Lake): Promise<void> {
  return ensureLakeTables(
    lake,
    [
      { name: PAGES_TABLE, columns: toDefinitions(pageColumns) },
      { name: CHUNKS_TABLE, columns: toDefinitions(chunkColumns) },
    ],
    { author: 'bosun docs', message: 'create the documentation tables' },
  );
}

/** Page ids are hex digests we computed; checked anyway before they go into a predicate. */
function pageIdPredicate(pageIds: readonly string[]): string {
  for (const id of pageIds) {
    if (!/^[0-9a-f]{16}$/.test(id)) throw new BosunError('INTERNAL', `not a page id: ${JSON.stringify(id)}`);
  }
  return `page_id IN (${pageIds.map((id) => `'${id}'`).join(', ')})`;
}

const COMMIT_ATTEMPTS = 5;

/**
 * Runs a lake transaction again when another writer's commit conflicts with it: syncs of
 * different libraries write the same tables, and DuckLake counts a delete concurrent with an
 * insert into the same table as a conflict. Each attempt starts over from the new snapshot
 * (reading the chunk ids to remove again), so a retry is as correct as a first try.
 */
async function withConflictRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isBosunError(err, 'LAKE_CONFLICT') || attempt >= COMMIT_ATTEMPTS) throw err;
      await sleep(Math.random() * 50 * 2 ** attempt);
    }
  }
}

/**
 * Writes a sync's changes as ONE lake snapshot: old rows of replaced pages deleted, new page
 * and chunk rows appended, and the search index updated in the same transaction, so readers
 * see the library either before or after the sync, never half of it.
 */
export async function commitLibraryChanges(
  lake: Lake,
  changes: LibraryChanges,
  options: CommitOptions,
): Promise<CommitResult> {
  if (changes.pages.length === 0 && changes.replacedPageIds.length === 0) return { snapshotId: null, removedChunks: 0 };
  await ensureDocsTables(lake);
  await ensureIndexTables(lake);
  const result = await withConflictRetry(() => lake.transaction((tx) => writeChanges(lake, tx, changes), options));
  return { snapshotId: result.snapshotId, removedChunks: result.value };
}

/**
 * Rows travel to DuckDB as one JSON document per append, which it holds in memory while it
 * writes the Parquet file; the search index's rows (one per chunk, with term lists) are as
 * large. Batches of about 500 K characters of text bound what a large first sync holds at
 * once (bench:ingest prints the peak per phase); each batch is one more data file of the same
 * snapshot.
 */
const BATCH_CHARS = 500_000;

/** The body of a sync's transaction; returns how many chunks it removed. */
async function writeChanges(lake: Lake, tx: LakeTransaction, changes: LibraryChanges): Promise<number> {
  const removedChunkIds = await storedChunkIds(lake, tx.baseSnapshotId, changes.library, changes.replacedPageIds);
  if (changes.replacedPageIds.length) {
    const predicate = pageIdPredicate(changes.replacedPageIds);
    await tx.delete(PAGES_TABLE, predicate);
    await tx.delete(CHUNKS_TABLE, predicate);
  }
  for (const batch of batches(changes.pages, (p) => p.markdown.length)) await tx.append(PAGES_TABLE, batch);
  // The index goes batch by batch too (its rows are as large as the chunks'). Removals go with
  // the first batch and apply before its additions: a changed page's unchanged chunk is in both.
  let removals: readonly string[] = removedChunkIds;
  for (const batch of batches(changes.chunks, (c) => c.text.length)) {
    await tx.append(CHUNKS_TABLE, batch);
    await writeChunkIndex(tx, { added: batch, removedChunkIds: removals });
    removals = [];
  }
  if (removals.length) await writeChunkIndex(tx, { added: [], removedChunkIds: removals });
  return removedChunkIds.length;
}

function* batches<T>(rows: readonly T[], size: (row: T) => number): Generator<T[]> {
  let batch: T[] = [];
  let chars = 0;
  for (const row of rows) {
    batch.push(row);
    chars += size(row) + 200;
    if (chars >= BATCH_CHARS) {
      yield batch;
      batch = [];
      chars = 0;
    }
  }
  if (batch.length) yield batch;
}

/** Deletes every page and chunk of a library (and its search index entries) as one snapshot; null when it had none. */
export async function deleteLibraryRows(lake: Lake, library: string, options: CommitOptions): Promise<number | null> {
  const tables = new Set((await lake.tables()).map((t) => t.name));
  if (!tables.has(PAGES_TABLE)) return null;
  const result = await withConflictRetry(() => lake.transaction((tx) => deleteLibrary(lake, tx, library), options));
  return result.snapshotId;
}

async function deleteLibrary(lake: Lake, tx: LakeTransaction, library: string): Promise<void> {
  const removedChunkIds = await storedChunkIds(lake, tx.baseSnapshotId, library);
  // A slug has no quotes to escape.
  const predicate = `library = '${assertSlug(library, 'library name')}'`;
  await tx.delete(PAGES_TABLE, predicate);
  await tx.delete(CHUNKS_TABLE, predicate);
  await writeChunkIndex(tx, { added: [], removedChunkIds });
}
