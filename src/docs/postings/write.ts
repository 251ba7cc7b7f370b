import { z } from 'zod';
import { BosunError, isBosunError, parseWith } from '../../core/index.js';
import { ensureLakeTables, type Lake, type LakeTransaction } from '../../lake/index.js';
import { hasDocsTables } from '../store/read.js';
import { toDefinitions } from '../store/tables.js';
import { chunkTerms, type IndexableChunk } from './fields.js';
import {
  CHUNK_TERMS_TABLE,
  chunkTermsColumns,
  EMBEDDINGS_TABLE,
  embeddingColumns,
  INDEX_SCHEMA,
  PAGE_ANCHORS_TABLE,
  pageAnchorColumns,
  TERM_ASSOCIATIONS_TABLE,
  termAssociationColumns,
  type IndexColumns,
} from './tables.js';

export interface ChunkIndexUpdate {
  added: readonly IndexableChunk[];
  /** Removals apply before additions: an id may be in both when a changed page kept a chunk. */
  removedChunkIds: readonly string[];
}

/**
 * Brings the search index in line with a sync's chunk changes, inside the sync's own lake
 * transaction, so that chunks and their postings land in one snapshot. Embeddings of removed
 * chunks go too, except those of chunks the sync adds back unchanged (same id, same text):
 * computing them again would cost an embeddings call for nothing. New chunks are embedded
 * later, outside the sync (`bosun docs embed`), because a network call does not belong in a
 * lake transaction.
 */
export async function writeChunkIndex(tx: LakeTransaction, update: ChunkIndexUpdate): Promise<void> {
  const removed = update.removedChunkIds.map(checkedChunkId);
  const termsCreated = await createIfMissing(tx, CHUNK_TERMS_TABLE, chunkTermsColumns);
  if (!termsCreated && removed.length) await tx.delete(CHUNK_TERMS_TABLE, chunkIdPredicate(removed));
  if (update.added.length)
    await tx.append(
      CHUNK_TERMS_TABLE,
      update.added.map((chunk) => chunkTerms(chunk)),
    );

  const readded = new Set(update.added.map((c) => c.chunk_id));
  const gone = removed.filter((id) => !readded.has(id));
  if (gone.length) await deleteIfPresent(tx, EMBEDDINGS_TABLE, chunkIdPredicate(gone));
}

const indexableRow = z.object({
  chunk_id: z.string(),
  path: z.string(),
  title: z.string().nullable(),
  heading_path: z.array(z.string()).nullable(),
  text: z.string(),
});

/**
 * Rebuilds docs.chunk_terms from docs.chunks as one snapshot: after a tokenizer change, or for
 * chunks written before the index existed. Returns the chunks indexed and the snapshot (null
 * when there are no chunks).
 */
export async function rebuildChunkIndex(lake: Lake): Promise<{ chunks: number; snapshotId: number | null }> {
  await ensureIndexTables(lake);
  const base = await lake.latestSnapshotId();
  const chunks = await lake.withReader({ snapshot: base }, async (conn) => {
    if (!(await hasDocsTables(conn, ['chunks']))) return [];
    const rows = (
      await conn.runAndReadAll(`SELECT chunk_id, path, title, heading_path, text FROM docs.chunks`)
    ).getRowObjectsJS();
    return rows.map((r) => parseWith(indexableRow, r, 'docs.chunks row', 'LAKE_ERROR'));
  });
  if (!chunks.length) return { chunks: 0, snapshotId: null };
  const rows = chunks.map((c) => chunkTerms({ ...c, title: c.title ?? '', heading_path: c.heading_path ?? [] }));
  const result = await lake.transaction((tx) => tx.overwrite(CHUNK_TERMS_TABLE, rows), {
    author: 'bosun docs reindex',
    message: `rebuild the search index of ${rows.length} chunks`,
  });
  return { chunks: rows.length, snapshotId: result.snapshotId };
}

/**
 * Creates the index tables in a commit of their own when they are missing, so that the first
 * syncs of two libraries running at once do not both try to create them in their syncs'
 * transactions (one would fail on commit). `writeChunkIndex` still creates a missing table
 * itself, so calling this first is an optimisation for concurrency, not a requirement.
 */
export function ensureIndexTables(lake: Lake): Promise<void> {
  return ensureLakeTables(
    lake,
    [
      { name: CHUNK_TERMS_TABLE, columns: toDefinitions(chunkTermsColumns) },
      { name: EMBEDDINGS_TABLE, columns: toDefinitions(embeddingColumns) },
      { name: PAGE_ANCHORS_TABLE, columns: toDefinitions(pageAnchorColumns) },
      { name: TERM_ASSOCIATIONS_TABLE, columns: toDefinitions(termAssociationColumns) },
    ],
    { author: 'bosun docs', message: 'create the search index tables' },
  );
}

/** Creates the table (and the schema) unless the transaction's base snapshot has it; true when created. */
export async function createIfMissing(tx: LakeTransaction, table: string, columns: IndexColumns): Promise<boolean> {
  await tx.createSchema(INDEX_SCHEMA).catch(ignoreConflict);
  try {
    await tx.createTable(table, toDefinitions(columns));
    return true;
  } catch (err) {
    ignoreConflict(err);
    return false;
  }
}

/** A table that does not exist has nothing to delete (docs.embeddings exists once something was embedded). */
async function deleteIfPresent(tx: LakeTransaction, table: string, predicate: string): Promise<void> {
  try {
    await tx.delete(table, predicate);
  } catch (err) {
    if (!isBosunError(err, 'NOT_FOUND')) throw err;
  }
}

function ignoreConflict(err: unknown): void {
  if (!isBosunError(err, 'CONFLICT')) throw err;
}

/** Chunk ids are hex digests (docs/store/ids.ts); checked before they go into a predicate. */
function checkedChunkId(id: string): string {
  if (!/^[0-9a-f]{8,64}$/.test(id)) throw new BosunError('INTERNAL', `not a chunk id: ${JSON.stringify(id)}`);
  return id;
}

function chunkIdPredicate(ids: readonly string[]): string {
  return `chunk_id IN (${ids.map((id) => `'${id}'`).join(', ')})`;
}
