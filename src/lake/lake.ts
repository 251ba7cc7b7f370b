import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { BosunError, isBosunError, parseWith } from '../core/index.js';
import { latestSnapshot, snapshotAtTime, snapshotById, SPEC_VERSION, type Snapshot } from './catalog.js';
import { changeFeedSql } from './change-feed.js';
import { cleanup, type CleanupOptions, type CleanupResult } from './cleanup.js';
import { compact, type CompactOptions, type CompactResult } from './compact.js';
import { expire, type ExpireOptions, type ExpireResult } from './expire.js';
import {
  describeTable,
  lakeInfo,
  listSnapshots,
  type LakeInfo,
  type SnapshotInfo,
  type TableInfo,
} from './inventory.js';
import { parseTableName } from './names.js';
import { lakeQueryError, withTableViews } from './reader.js';
import { assertSingleSelect } from './relation.js';
import { tableScanSql } from './scan.js';
import { loadTables, qualifiedName } from './table-state.js';
import type { LakeSession } from './session.js';

/** What a read-only query over the lake returned. */
export interface LakeQueryResult {
  snapshotId: number;
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  rowCount: number;
  elapsedMs: number;
}
import { LakeTransaction, type AppendSource, type NewColumn, type TableDefinition } from './transaction.js';
import { duckdbType } from './column-types.js';

/** Which snapshot to read: by id, by time (the one current then), or the latest. */
export interface SnapshotSelector {
  snapshot?: number;
  at?: Date | string;
}

export interface CommitOptions {
  author?: string;
  message?: string;
  /**
   * When the commit conflicts with one made since the transaction began (LAKE_CONFLICT), run
   * `fn` again on the latest snapshot, up to this many times (default 0). `fn` must be safe to
   * run again: everything it did through the transaction is discarded each time.
   */
  conflictRetries?: number;
}

export interface TransactionResult<T> {
  /** The snapshot committed; null when the transaction changed nothing. */
  snapshotId: number | null;
  changes: string;
  value: T;
}

export interface WriteResult {
  snapshotId: number | null;
  rows: number;
}

/** SQL DuckDB can run (against the lake's files, read in place) and what it returns. */
export interface TableScan {
  table: string;
  snapshotId: number;
  columns: { name: string; type: string }[];
  sql: string;
}

const selectorSchema = z
  .object({
    snapshot: z.number().int().min(0).optional(),
    at: z.union([z.date(), z.string().min(1)]).optional(),
  })
  .strict()
  .refine((s) => s.snapshot === undefined || s.at === undefined, 'give a snapshot or a time, not both');

const commitOptionsSchema = z
  .object({
    author: z.string().max(200).optional(),
    message: z.string().max(10_000).optional(),
    conflictRetries: z.number().int().min(0).max(100).optional(),
  })
  .strict();

/**
 * The lake: DuckLake's catalog in PostgreSQL and Parquet files under the data path. Every
 * change is one snapshot, and every read names the snapshot it sees (the latest by default,
 * or `{ snapshot }` / `{ at }` for time travel). Get one with `openLake`.
 *
 * @example
 * ```ts
 * import { createPool } from '../db/index.js';
 * import { openLake } from './index.js';
 *
 * const pool = createPool('postgres://localhost/bosun');
 * const lake = await openLake({ pool, dataPath: '/var/lib/bosun/lake' });
 * await lake.createSchema('ops');
 * await lake.createTable('ops.items', [
 *   { name: 'id', type: 'BIGINT' },
 *   { name: 'name', type: 'VARCHAR' },
 * ]);
 * const { snapshotId } = await lake.append('ops.items', [{ id: 1, name: 'anchor' }]);
 * const { rows } = await lake.query('SELECT count(*) AS n FROM ops.items');
 * const before = await lake.query('SELECT * FROM ops.items', { snapshot: snapshotId! - 1 });
 * ```
 */
export class Lake {
  constructor(
    private readonly session: LakeSession,
    private readonly settings: { requireCommitMessage: boolean },
  ) {}

  /** Absolute, ending in `/`. */
  get dataPath(): string {
    return this.session.dataPath;
  }

  /** The newest snapshot id: one indexed lookup, cheap enough to poll. */
  async latestSnapshotId(): Promise<number> {
    const res = await this.session.pool.query<{ id: number | null }>(
      `SELECT max(snapshot_id) AS id FROM ducklake.ducklake_snapshot`,
    );
    return Number(res.rows[0]?.id);
  }

  async resolveSnapshot(selector: SnapshotSelector = {}): Promise<Snapshot> {
    const s = parseWith(selectorSchema, selector, 'snapshot selector');
    if (s.snapshot !== undefined) return snapshotById(this.session.pool, s.snapshot);
    if (s.at !== undefined) return snapshotAtTime(this.session.pool, s.at);
    return latestSnapshot(this.session.pool);
  }

  info(): Promise<LakeInfo> {
    return lakeInfo(this.session.pool, this.session.dataPath, SPEC_VERSION);
  }

  async tables(selector: SnapshotSelector = {}): Promise<TableInfo[]> {
    const snapshot = await this.resolveSnapshot(selector);
    return (await loadTables(this.session.pool, this.session.dataPath, snapshot.id)).map(describeTable);
  }

  snapshots(options: { table?: string } = {}): Promise<SnapshotInfo[]> {
    return listSnapshots(this.session.pool, options.table === undefined ? undefined : parseTableName(options.table));
  }

  /**
   * Runs `fn` against one transaction and commits everything it did as one snapshot. If `fn`
   * throws or the commit conflicts, nothing is committed and the files written are removed.
   */
  async transaction<T>(
    fn: (tx: LakeTransaction) => Promise<T>,
    options: CommitOptions = {},
  ): Promise<TransactionResult<T>> {
    const opts = parseWith(commitOptionsSchema, options, 'commit options');
    if (this.settings.requireCommitMessage && !opts.message) {
      throw new BosunError('INVALID_INPUT', 'this lake requires a commit message (require_commit_message)', {
        hint: 'pass { message }',
      });
    }
    for (let retry = 0; ; retry++) {
      try {
        return await this.attempt(fn, opts.author ?? null, opts.message ?? null);
      } catch (err) {
        if (!isBosunError(err, 'LAKE_CONFLICT') || retry >= (opts.conflictRetries ?? 0)) throw err;
        this.session.logger.info(
          { retry: retry + 1 },
          'lake transaction conflicted; running it again on the latest snapshot',
        );
      }
    }
  }

  private async attempt<T>(
    fn: (tx: LakeTransaction) => Promise<T>,
    author: string | null,
    message: string | null,
  ): Promise<TransactionResult<T>> {
    const tx = new LakeTransaction(this.session, await latestSnapshot(this.session.pool));
    let value: T;
    try {
      value = await fn(tx);
    } catch (err) {
      await tx.discard();
      throw err;
    }
    const commit = await tx.commit({ author, message });
    return { snapshotId: commit?.snapshotId ?? null, changes: commit?.changes ?? '', value };
  }

  async createSchema(name: string, options?: CommitOptions): Promise<number> {
    return this.committed(await this.transaction((tx) => tx.createSchema(name), options));
  }

  async dropSchema(name: string, options?: CommitOptions): Promise<number> {
    return this.committed(await this.transaction((tx) => tx.dropSchema(name), options));
  }

  async createTable(table: string, definition: TableDefinition, options?: CommitOptions): Promise<number> {
    return this.committed(await this.transaction((tx) => tx.createTable(table, definition), options));
  }

  async addColumn(table: string, column: NewColumn, options?: CommitOptions): Promise<number> {
    return this.committed(await this.transaction((tx) => tx.addColumn(table, column), options));
  }

  async dropTable(table: string, options?: CommitOptions): Promise<number> {
    return this.committed(await this.transaction((tx) => tx.dropTable(table), options));
  }

  async append(table: string, source: AppendSource, options?: CommitOptions): Promise<WriteResult> {
    const r = await this.transaction((tx) => tx.append(table, source), options);
    return { snapshotId: r.snapshotId, rows: r.value };
  }

  async delete(table: string, predicateSql: string, options?: CommitOptions): Promise<WriteResult> {
    const r = await this.transaction((tx) => tx.delete(table, predicateSql), options);
    return { snapshotId: r.snapshotId, rows: r.value };
  }

  async overwrite(table: string, source: AppendSource, options?: CommitOptions): Promise<WriteResult> {
    const r = await this.transaction((tx) => tx.overwrite(table, source), options);
    return { snapshotId: r.snapshotId, rows: r.value };
  }

  /** The SQL reading one table as of a snapshot (the latest by default). */
  async scan(table: string, selector: SnapshotSelector = {}): Promise<TableScan> {
    const snapshot = await this.resolveSnapshot(selector);
    const name = parseTableName(table);
    const qualified = qualifiedName(name.schema, name.table);
    const [state] = await loadTables(this.session.pool, this.session.dataPath, snapshot.id, { only: [qualified] });
    if (!state) throw new BosunError('NOT_FOUND', `table ${qualified} does not exist at snapshot ${snapshot.id}`);
    if (state.unreadable) throw state.unreadable;
    return {
      table: qualified,
      snapshotId: snapshot.id,
      columns: state.columns.map((c) => ({ name: c.name, type: duckdbType(c) })),
      sql: tableScanSql(state.columns, state.files, snapshot.id),
    };
  }

  /** Runs `fn` on a DuckDB connection where every table is the view `schema.table` as of the snapshot. */
  async withReader<T>(
    selector: SnapshotSelector,
    fn: (conn: DuckDBConnection, snapshot: Snapshot) => Promise<T>,
    options: { confined?: boolean } = {},
  ): Promise<T> {
    const snapshot = await this.resolveSnapshot(selector);
    const tables = await loadTables(this.session.pool, this.session.dataPath, snapshot.id);
    const confineTo = options.confined ? [this.session.dataPath] : undefined;
    return withTableViews(tables, snapshot.id, (conn) => fn(conn, snapshot), confineTo);
  }

  /**
   * One read-only SELECT over every table as of the snapshot (`bosun lake sql`, the dashboard's
   * SQL box): anything but a single SELECT is refused before it runs.
   */
  async query(sql: string, selector: SnapshotSelector = {}): Promise<LakeQueryResult> {
    const started = performance.now();
    // A person's (or a model's) SQL: it reads the lake's files and nothing else of this machine.
    const result = await this.withReader(
      selector,
      async (conn, snapshot) => {
        await assertSingleSelect(conn, sql, 'the query');
        const reader = await conn.runAndReadAll(sql).catch((err: unknown) => {
          throw lakeQueryError(err);
        });
        const columns = reader.columnNames().map((name, i) => ({ name, type: reader.columnType(i).toString() }));
        return { snapshotId: snapshot.id, columns, rows: reader.getRowObjectsJson() };
      },
      { confined: true },
    );
    return { ...result, rowCount: result.rows.length, elapsedMs: Math.round(performance.now() - started) };
  }

  /**
   * Rows inserted and deleted by the snapshots `from`..`to` (inclusive; `to` defaults to the
   * latest), read with the table's columns at `to`, plus `snapshot_id`, `rowid` and
   * `change_type` (`insert`, `delete`, `update_preimage`, `update_postimage`).
   */
  async changes(table: string, from: number, to?: number): Promise<TableScan> {
    const end = to === undefined ? await latestSnapshot(this.session.pool) : await snapshotById(this.session.pool, to);
    return changeFeedSql(this.session, parseTableName(table), from, end.id);
  }

  compact(options: CompactOptions = {}): Promise<CompactResult> {
    return compact(this.session, options);
  }

  expire(options: ExpireOptions): Promise<ExpireResult> {
    return expire(this.session, options);
  }

  cleanup(options: CleanupOptions = {}): Promise<CleanupResult> {
    return cleanup(this.session, options);
  }

  private committed(result: TransactionResult<void>): number {
    if (result.snapshotId === null) throw new Error('a schema change always commits a snapshot');
    return result.snapshotId;
  }
}
