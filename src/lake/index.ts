/**
 * lake/: a DuckLake 1.0 lake whose catalog is the PostgreSQL schema `ducklake` and whose data
 * is Parquet written and read with DuckDB. Open it with `openLake`; everything else is a
 * method of `Lake` (or of the transaction `Lake.transaction` passes to its callback).
 */
export { openLake, type OpenLakeOptions } from './open.js';
export {
  Lake,
  type SnapshotSelector,
  type CommitOptions,
  type TransactionResult,
  type WriteResult,
  type TableScan,
  type LakeQueryResult,
} from './lake.js';
export {
  LakeTransaction,
  type ColumnDefinition,
  type NewColumn,
  type TableDefinition,
  type AppendSource,
} from './transaction.js';
export type { LakeInfo, TableInfo, SnapshotInfo } from './inventory.js';
export type { CompactOptions, CompactResult } from './compact.js';
export type { ExpireOptions, ExpireResult } from './expire.js';
export type { CleanupOptions, CleanupResult } from './cleanup.js';
export type { Snapshot } from './catalog.js';
export { SPEC_VERSION } from './catalog.js';
export { assertSingleSelect } from './relation.js';
export { quoteIdent, quoteLiteral } from './sql.js';
export { lakeQueryError } from './reader.js';
export { attachStatement } from './attach.js';
export { lakeMigrations } from './migrations.js';
export { ensureLakeTables, type WantedTable } from './ensure-tables.js';
export { LAKE_SNAPSHOT_CHANNEL, listenForSnapshots, type SnapshotEvents } from './snapshot-events.js';
