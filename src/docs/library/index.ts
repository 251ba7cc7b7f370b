/**
 * docs/library: documentation metadata in PostgreSQL — libraries and their sources, versions,
 * pages, cross-references, sync runs and schedules.
 */
export { docsMigrations } from './migrations.js';
export {
  appendSource,
  createLibrary,
  deleteLibrary,
  getLibrary,
  libraryNames,
  unknownLibrary,
  type Library,
  type LibrarySource,
  type NewSource,
  type Queryable,
} from './libraries.js';
export { listLibraries, type LibrarySummary } from './overview.js';
export {
  addVersions,
  deprecateVersion,
  libraryVersions,
  pruneVersions,
  refreshDefaultVersion,
  type VersionInfo,
} from './versions.js';
export { compareVersionsNewestFirst, newestVersion } from './version-order.js';
export { findPage, libraryPages, replacePages, type PageRecord } from './pages.js';
export {
  brokenLinks,
  libraryLinks,
  linkCounts,
  pageLinks,
  replaceLinks,
  type LinkKind,
  type LinkRecord,
} from './links.js';
export {
  beatSyncRun,
  closeInterruptedRuns,
  failSyncRun,
  finishSyncRun,
  recentSyncRuns,
  startSyncRun,
  syncSummarySchema,
  type PageFailure,
  type SourceConflict,
  type SyncRun,
  type SyncSummary,
} from './sync-runs.js';
export { deleteSchedule, listSchedules, markScheduleEnqueued, saveSchedule, type DocsSchedule } from './schedules.js';
export { addLibrary, type AddLibraryOptions } from './register.js';
