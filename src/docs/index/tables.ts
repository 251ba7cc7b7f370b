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
