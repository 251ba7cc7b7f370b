/**
 * docs/search: the long-running searcher (BM25F in an in-memory DuckDB over the lake's index,
 * optional dense fusion), reading and outlines, the access log, and evaluation. A light entry
 * of docs/ (docs/architecture.md): with the embedder the configuration names, it is all that
 * `bosun docs search` and the docs MCP server load.
 */
export {
  Searcher,
  type SearcherOptions,
  type SearchResponse,
  type ReadResponse,
  type OutlineResponse,
} from './searcher.js';
export {
  searchRequestSchema,
  readRequestSchema,
  outlineRequestSchema,
  type SearchRequest,
  type ReadRequest,
  type OutlineRequest,
} from './request.js';
export { type Hit, type HitCopy, citation, citationTokens } from './hits.js';
export { openLakeSearcher, type OpenLakeSearcherOptions } from './open.js';
export { SearchIndexCache, INDEX_CACHE_FORMAT, type CachedIndex, type IndexState } from './index-cache.js';
export {
  lakeIndexSource,
  parquetIndexSource,
  type IndexSource,
  type IndexRelations,
  type ParquetFiles,
} from './source.js';
export { pgVersionCatalog, staticVersionCatalog, type VersionCatalog, type LibraryPolicy } from './versions.js';
export { AccessLog, recentAccess, type AccessRecord, type AccessRow, type AccessLogOptions } from './access-log.js';
export { defaultRanking, unweightedRanking, rankingSchema, type Ranking } from './ranking.js';
export { buildOutline, renderOutline, type OutlineNode } from './outline.js';
export { type PageSection } from './read.js';
export {
  evaluate,
  parseQuestions,
  summarize,
  questionSchema,
  type Question,
  type QuestionResult,
  type EvalSummary,
  type EvalOptions,
} from './evaluate.js';
export { docsSearchMigrations } from './migrations.js';
export type { LibraryVersion } from './memory-index.js';
export { embedderFromConfig, type EmbedderChoice } from '../embed/from-config.js';
export type { Embedder } from '../embed/embedder.js';
