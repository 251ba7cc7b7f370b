export {
  createPool,
  withTransaction,
  prepared,
  idsMatch,
  unreachable,
  connectionLost,
  type Pool,
  type PoolClient,
} from './pool.js';
export { migrate, migrationStatus, type Migration, type MigrationStatus } from './migrate.js';
export { dbMigrations } from './migrations.js';
export { locateBinaries, type PostgresBinaries } from './binaries.js';
export {
  ensureEmbeddedServer,
  stopEmbeddedServer,
  embeddedStatus,
  readEmbeddedState,
  embeddedUrl,
  freePort,
  type EmbeddedState,
  type EmbeddedServer,
  type EmbeddedStatus,
} from './embedded.js';
export {
  resolveDatabase,
  openDatabase,
  serverVersion,
  type Database,
  type DatabaseTarget,
  type DatabaseMode,
} from './database.js';
