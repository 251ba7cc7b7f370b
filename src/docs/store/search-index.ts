import type { LakeTransaction } from '../../lake/index.js';
import type { ChunkRow } from './tables.js';

export interface ChunkIndexChange {
  added: readonly ChunkRow[];
  /** Chunks whose rows were deleted. Removals apply before additions: an id may be in both when a changed page kept a chunk. */
  removedChunkIds: readonly string[];
}

/**
 * THE one call into the search index (docs/index's `writeChunkIndex`), made inside the sync's
 * lake transaction so that pages, chunks and postings land in one snapshot.
 *
 * INTEGRATION PENDING: docs/index does not export `writeChunkIndex` yet. Once it does, this
 * body becomes `await writeChunkIndex(tx, change)` (import from '../index/index.js').
 */
export async function updateSearchIndex(tx: LakeTransaction, change: ChunkIndexChange): Promise<void> {
  void tx;
  void change;
}
