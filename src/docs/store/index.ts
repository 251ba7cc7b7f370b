/** docs/store: the documentation corpus in the lake (docs.pages, docs.chunks). */
export {
  CHUNKS_TABLE,
  DOCS_SCHEMA,
  PAGES_TABLE,
  chunkColumns,
  pageColumns,
  type ChunkRow,
  type ColumnDefinitions,
  type PageRow,
} from './tables.js';
export { chunkIdsOf, pageIdOf } from './ids.js';
export { pageSourceOf, sectionSourceOf, sourceOf } from './source.js';
export { storedChunkIds, storedPages, type StoredPage } from './read.js';
export {
  commitLibraryChanges,
  deleteLibraryRows,
  ensureDocsTables,
  type CommitResult,
  type LibraryChanges,
} from './write.js';
export { writeLibraryParquet, type LibraryParquet, type LibraryParquetFiles } from './export.js';
