import { isBosunError } from '../../core/index.js';
import type { Lake } from '../../lake/index.js';
import { sqlString } from '../postings/sql.js';
import {
  CHUNK_TERMS_TABLE,
  EMBEDDINGS_TABLE,
  PAGE_ANCHORS_TABLE,
  TERM_ASSOCIATIONS_TABLE,
} from '../postings/tables.js';
import { CHUNKS_TABLE } from '../store/index.js';

/**
 * The tables a searcher loads, as SQL that DuckDB can run: `docs.chunks`, `docs.chunk_terms`
 * and `docs.embeddings` as of one snapshot. Null stands for a table that does not exist (yet).
 */
export interface IndexRelations {
  snapshotId: number;
  chunks: string | null;
  chunkTerms: string | null;
  embeddings: string | null;
  /** docs.page_anchors and docs.term_associations (index/signals.ts); absent in older exports. */
  pageAnchors?: string | null;
  termAssociations?: string | null;
}

/**
 * Where a searcher's data comes from: the lake (the normal case), or Parquet files with no
 * PostgreSQL at all (a standalone server made by `bosun docs export`).
 */
export interface IndexSource {
  /** Cheap: called before queries to notice a new snapshot. */
  latestSnapshotId(): Promise<number>;
  relations(snapshotId: number): Promise<IndexRelations>;
}

/**
 * The lake's tables read in place (Parquet files as the catalog lists them for the snapshot),
 * optionally only some libraries' rows (a server for one library holds only that one).
 */
export function lakeIndexSource(lake: Lake, options: { libraries?: readonly string[] } = {}): IndexSource {
  const scan = async (table: string, snapshot: number): Promise<string | null> => {
    try {
      return (await lake.scan(table, { snapshot })).sql;
    } catch (err) {
      if (isBosunError(err, 'NOT_FOUND')) return null;
      throw err;
    }
  };
  const only = options.libraries?.length ? `WHERE library IN (${options.libraries.map(sqlString).join(', ')})` : '';
  return {
    latestSnapshotId: () => lake.latestSnapshotId(),
    async relations(snapshotId) {
      const [chunks, chunkTerms, embeddings, pageAnchors, termAssociations] = await Promise.all([
        scan(CHUNKS_TABLE, snapshotId),
        scan(CHUNK_TERMS_TABLE, snapshotId),
        scan(EMBEDDINGS_TABLE, snapshotId),
        scan(PAGE_ANCHORS_TABLE, snapshotId),
        scan(TERM_ASSOCIATIONS_TABLE, snapshotId),
      ]);
      const mine = (relation: string | null) => (relation && only ? `SELECT * FROM (${relation}) ${only}` : relation);
      return {
        snapshotId,
        chunks: mine(chunks),
        chunkTerms,
        embeddings,
        pageAnchors: mine(pageAnchors),
        termAssociations: mine(termAssociations),
      };
    },
  };
}

export interface ParquetFiles {
  chunks: readonly string[];
  chunkTerms: readonly string[];
  embeddings?: readonly string[];
  pageAnchors?: readonly string[];
  termAssociations?: readonly string[];
  /** What hits report as `snapshot_id` (the snapshot the files were exported from). */
  snapshotId: number;
}

/** Fixed Parquet files: the data never changes, so there is never a newer snapshot. */
export function parquetIndexSource(files: ParquetFiles): IndexSource {
  const read = (paths: readonly string[] | undefined) =>
    paths?.length ? `SELECT * FROM read_parquet([${paths.map(sqlString).join(', ')}])` : null;
  const relations: IndexRelations = {
    snapshotId: files.snapshotId,
    chunks: read(files.chunks),
    chunkTerms: read(files.chunkTerms),
    embeddings: read(files.embeddings),
    pageAnchors: read(files.pageAnchors),
    termAssociations: read(files.termAssociations),
  };
  return {
    latestSnapshotId: async () => files.snapshotId,
    relations: async () => relations,
  };
}
