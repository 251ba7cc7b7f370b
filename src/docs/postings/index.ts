/**
 * docs/postings: the search index in the lake. The tokenizer (shared by documents and queries),
 * each chunk's terms per field (docs.chunk_terms, the postings), embeddings (docs.embeddings),
 * and `writeChunkIndex`, which a sync calls inside its lake transaction.
 */
export { tokenize, queryTerms, type IdentifierMode, type TokenizeOptions } from './tokenize.js';
export { stopWords } from './stopwords.js';
export { expandWithSynonyms } from './synonyms.js';
export { chunkTerms, type ChunkTermsRow, type IndexableChunk } from './fields.js';
export { simhash, hammingDistance, isNearDuplicate, NEAR_DUPLICATE_BITS } from './simhash.js';
export {
  CHUNK_TERMS_TABLE,
  EMBEDDINGS_TABLE,
  INDEX_SCHEMA,
  PAGE_ANCHORS_TABLE,
  TERM_ASSOCIATIONS_TABLE,
  chunkTermsColumns,
  embeddingColumns,
  type EmbeddingRow,
  type IndexColumns,
} from './tables.js';
export { pageAnchorRows, type AnchorLink, type PageAnchorRow } from './anchors.js';
export {
  learnTermAssociations,
  defaultAssociationOptions,
  type AssociationOptions,
  type TermAssociationRow,
} from './associations.js';
export { writeSearchSignals, type SearchSignals } from './signals.js';
export { writeChunkIndex, ensureIndexTables, rebuildChunkIndex, type ChunkIndexUpdate } from './write.js';
