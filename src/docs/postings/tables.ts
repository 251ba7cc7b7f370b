/**
 * The search index in the lake, next to docs.pages and docs.chunks (docs/store). Readers load
 * these columns by name: a change here is a change of contract with docs/search and with the
 * standalone servers that `bosun docs export` writes.
 *
 * Document frequencies and average lengths are not stored: they depend on which chunks a
 * snapshot holds and are computed when a searcher loads it (tens of milliseconds), whereas
 * stored ones would have to be rewritten for every term a sync touches.
 */

export const INDEX_SCHEMA = 'docs';
export const CHUNK_TERMS_TABLE = 'docs.chunk_terms';
export const EMBEDDINGS_TABLE = 'docs.embeddings';

/** Column name → DuckDB type. */
export type IndexColumns = readonly (readonly [name: string, type: string])[];

/** One row per chunk: see ChunkTermsRow. */
export const chunkTermsColumns: IndexColumns = [
  ['chunk_id', 'VARCHAR'],
  ['terms', 'VARCHAR[]'],
  ['tf_title', 'INTEGER[]'],
  ['tf_heading', 'INTEGER[]'],
  ['tf_body', 'INTEGER[]'],
  ['title_len', 'INTEGER'],
  ['heading_len', 'INTEGER'],
  ['body_len', 'INTEGER'],
  ['simhash', 'BIGINT'],
];

/** One row per chunk and embedding model; `vector` is list<float32> of length `dim`. */
export const embeddingColumns: IndexColumns = [
  ['chunk_id', 'VARCHAR'],
  ['model', 'VARCHAR'],
  ['dim', 'INTEGER'],
  ['vector', 'FLOAT[]'],
];

export interface EmbeddingRow {
  chunk_id: string;
  model: string;
  dim: number;
  vector: number[];
}

export const PAGE_ANCHORS_TABLE = 'docs.page_anchors';
export const TERM_ASSOCIATIONS_TABLE = 'docs.term_associations';

/**
 * One row per linked-to page of a library version: the terms of every resolved link pointing
 * at it from another page, in the link's text and in the sentence around it (anchors.ts).
 */
export const pageAnchorColumns: IndexColumns = [
  ['library', 'VARCHAR'],
  ['version', 'VARCHAR'],
  ['path', 'VARCHAR'],
  ['terms', 'VARCHAR[]'],
  ['tf', 'INTEGER[]'],
  ['tf_context', 'INTEGER[]'],
  /** Distinct pages linking here. */
  ['sources', 'INTEGER'],
];

/** One row per (library, term, associated term): learned from the library's chunks (associations.ts). */
export const termAssociationColumns: IndexColumns = [
  ['library', 'VARCHAR'],
  ['term', 'VARCHAR'],
  ['related', 'VARCHAR'],
  /** Normalised PMI in (0, 1]. */
  ['score', 'FLOAT'],
];
