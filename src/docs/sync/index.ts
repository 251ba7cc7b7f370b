/** docs/sync: the pipeline (acquire → parse → chunk → index → commit), incremental, and its scheduling. */
export { syncLibrary, type SyncDeps, type SyncOptions, type SyncProgress } from './sync-library.js';
export { withLibraryLock } from './lock.js';
export { rebuildSearchSignals } from './search-signals.js';
export { UNVERSIONED } from './gather.js';
export { resolveCrossReferences, type LinkingPage, type PageLink } from './cross-references.js';
export { parseCron, cronFiredBetween, cronMatches, type Cron } from './cron.js';
export {
  DOCS_SCHEDULE_TICK_JOB,
  DOCS_SYNC_JOB,
  enqueueDueSyncs,
  scheduleSyncs,
  unscheduleSyncs,
  type DocsSyncJobData,
} from './schedule.js';
export { docsJobTypes } from './jobs.js';
export { lakeDataPathOf, type DocsRuntime } from './runtime.js';
export { removeLibrary, type RemovedLibrary } from './remove-library.js';
export { OWN_LIBRARY, indexOwnDocumentation } from './own-documentation.js';
