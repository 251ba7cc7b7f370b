/**
 * docs/: documentation libraries — acquisition, parsing, chunking, the lake corpus, sync and
 * scheduling (and search, exported by its own modules below). A plain list of re-exports.
 */
export {
  addLibrary,
  brokenLinks,
  compareVersionsNewestFirst,
  deprecateVersion,
  docsMigrations,
  findPage,
  getLibrary,
  libraryNames,
  libraryPages,
  libraryVersions,
  listLibraries,
  listSchedules,
  pageLinks,
  recentSyncRuns,
  unknownLibrary,
  type AddLibraryOptions,
  type DocsSchedule,
  type Library,
  type LibrarySource,
  type LibrarySummary,
  type LinkKind,
  type LinkRecord,
  type PageFailure,
  type PageRecord,
  type SourceConflict,
  type SyncRun,
  type SyncSummary,
  type VersionInfo,
} from './library/index.js';
export { CHUNKS_TABLE, PAGES_TABLE, chunkIdsOf, pageIdOf, type ChunkRow, type PageRow, type ChunkIndexChange } from './store/index.js';
export {
  DOCS_SYNC_JOB,
  UNVERSIONED,
  docsJobTypes,
  lakeDataPathOf,
  removeLibrary,
  scheduleSyncs,
  syncLibrary,
  unscheduleSyncs,
  type RemovedLibrary,
  type SyncDeps,
  type SyncOptions,
  type SyncProgress,
} from './sync/index.js';
