import type pg from 'pg';
import { z } from 'zod';
import { parseWith } from '../core/index.js';
import type { ChangeToken } from './changes.js';
import {
  changeTokenOf,
  type FileDeletion,
  type FileMerge,
  type Intent,
  type NewDataFile,
  type TableTarget,
} from './intents.js';
import { pathForDeletionSchedule } from './paths.js';
import { mergeTableStats, tableStatsFromFile, type FileColumnStats, type TableColumnStats } from './stats.js';
import { flattenColumns, leafStatsKeys, type LakeColumn } from './column-types.js';
import { uuid7 } from './uuid7.js';

/**
 * Writes a transaction's intents into the catalog, inside the database transaction that has
 * claimed snapshot `snapshotId`: new rows begin there, ended rows end there, ids come from the
 * counters of the previous snapshot. Statements follow the specification's queries.
 */

/** Something another commit changed since our base snapshot, found while applying. */
export class CatalogConflict extends Error {}

export interface ApplyContext {
  client: pg.PoolClient;
  dataPath: string;
  snapshotId: number;
  schemaVersion: number;
  nextCatalogId: number;
  nextFileId: number;
  /** Writes the delete file that replaces `previous`: its rows plus this snapshot's. */
  writeReplacementDeleteFile(
    deletion: FileDeletion,
    directory: string,
    snapshotId: number,
  ): Promise<{ file: FileDeletionWrite; relativePath: string }>;
}

export interface FileDeletionWrite {
  fileSizeBytes: number;
  footerSize: number;
}

/** How many catalog and file ids the intents use, and whether they change the schema. */
export function idsNeeded(intents: readonly Intent[]): { catalogIds: number; fileIds: number; schemaChange: boolean } {
  let catalogIds = 0;
  let fileIds = 0;
  let schemaChange = false;
  for (const i of intents) {
    if (i.kind === 'create_schema' || i.kind === 'create_table') catalogIds++;
    if (i.kind !== 'insert' && i.kind !== 'delete' && i.kind !== 'compact') schemaChange = true;
    if (i.kind === 'insert') fileIds += i.files.length;
    if (i.kind === 'delete') fileIds += i.files.filter((f) => !f.fullyDeleted).length;
    if (i.kind === 'compact') fileIds += i.merges.length;
  }
  return { catalogIds, fileIds, schemaChange };
}

const idRow = z.object({ id: z.coerce.number().int() });

export async function applyIntents(ctx: ApplyContext, intents: readonly Intent[]): Promise<ChangeToken[]> {
  const applier = new Applier(ctx);
  for (const intent of intents) await applier.apply(intent);
  return applier.tokens;
}

class Applier {
  readonly tokens: ChangeToken[] = [];
  private catalogId: number;
  private fileId: number;
  private readonly createdSchemas = new Map<string, number>();
  private readonly createdTables = new Map<string, number>();

  constructor(private readonly ctx: ApplyContext) {
    this.catalogId = ctx.nextCatalogId;
    this.fileId = ctx.nextFileId;
  }

  private query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[]) {
    return this.ctx.client.query<R>(sql, params);
  }

  async apply(intent: Intent): Promise<void> {
    const insertedTableId = await this.applyOne(intent);
    this.tokens.push(changeTokenOf(intent, insertedTableId)!);
  }

  /** Writes one intent; for an insert, returns the table's id (assigned here when it was created). */
  private async applyOne(intent: Intent): Promise<number | undefined> {
    switch (intent.kind) {
      case 'create_schema':
        await this.createSchema(intent.schema);
        return undefined;
      case 'drop_schema':
        await this.dropSchema(intent.schema);
        return undefined;
      case 'create_table':
        await this.createTable(intent.schema, intent.table, intent.columns);
        return undefined;
      case 'drop_table':
        await this.dropTable(intent.table.id, `${intent.table.schema}.${intent.table.name}`);
        return undefined;
      case 'add_column':
        await this.addColumn(intent.table.id, intent.column, intent.defaultValue);
        return undefined;
      case 'insert': {
        const tableId = await this.tableId(intent.table);
        await this.insert(tableId, intent.files);
        return tableId;
      }
      case 'delete':
        await this.delete(intent.table.id, intent.directory, intent.files);
        return undefined;
      case 'compact':
        await this.compact(intent.table.id, intent.merges);
        return undefined;
    }
  }

  private async schemaId(name: string): Promise<number> {
    const created = this.createdSchemas.get(name);
    if (created !== undefined) return created;
    const res = await this.query(
      `SELECT schema_id AS id FROM ducklake.ducklake_schema WHERE schema_name = $1 AND end_snapshot IS NULL`,
      [name],
    );
    if (!res.rows[0]) throw new CatalogConflict(`schema ${name} no longer exists`);
    return parseWith(idRow, res.rows[0], 'schema id', 'LAKE_ERROR').id;
  }

  private async tableId(target: TableTarget): Promise<number> {
    if ('existing' in target) return target.existing.id;
    const id = this.createdTables.get(`${target.created.schema}.${target.created.name}`);
    if (id === undefined)
      throw new Error(`table ${target.created.schema}.${target.created.name} is not created in this commit`);
    return id;
  }

  private async createSchema(name: string): Promise<void> {
    const exists = await this.query(
      `SELECT 1 FROM ducklake.ducklake_schema WHERE schema_name = $1 AND end_snapshot IS NULL`,
      [name],
    );
    if (exists.rowCount) throw new CatalogConflict(`schema ${name} already exists`);
    const id = this.catalogId++;
    await this.query(
      `INSERT INTO ducklake.ducklake_schema (schema_id, schema_uuid, begin_snapshot, end_snapshot, schema_name, path, path_is_relative)
       VALUES ($1, $2, $3, NULL, $4, $5, true)`,
      [id, uuid7(), this.ctx.snapshotId, name, `${name}/`],
    );
    this.createdSchemas.set(name, id);
  }

  private async dropSchema(schema: { id: number; name: string }): Promise<void> {
    const live = await this.query(
      `SELECT 1 FROM ducklake.ducklake_table WHERE schema_id = $1 AND end_snapshot IS NULL LIMIT 1`,
      [schema.id],
    );
    if (live.rowCount) throw new CatalogConflict(`schema ${schema.name} is not empty`);
    const res = await this.query(
      `UPDATE ducklake.ducklake_schema SET end_snapshot = $1 WHERE schema_id = $2 AND end_snapshot IS NULL`,
      [this.ctx.snapshotId, schema.id],
    );
    if (res.rowCount !== 1) throw new CatalogConflict(`schema ${schema.name} no longer exists`);
  }

  private async createTable(schema: string, name: string, columns: LakeColumn[]): Promise<void> {
    const schemaId = await this.schemaId(schema);
    const exists = await this.query(
      `SELECT 1 FROM ducklake.ducklake_table WHERE schema_id = $1 AND table_name = $2 AND end_snapshot IS NULL`,
      [schemaId, name],
    );
    if (exists.rowCount) throw new CatalogConflict(`table ${schema}.${name} already exists`);
    const id = this.catalogId++;
    await this.query(
      `INSERT INTO ducklake.ducklake_table (table_id, table_uuid, begin_snapshot, end_snapshot, schema_id, table_name, path, path_is_relative)
       VALUES ($1, $2, $3, NULL, $4, $5, $6, true)`,
      [id, uuid7(), this.ctx.snapshotId, schemaId, name, `${name}/`],
    );
    await this.insertColumns(id, columns, new Map());
    await this.recordSchemaVersion(id);
    this.createdTables.set(`${schema}.${name}`, id);
  }

  /** `ducklake_column` rows, as the extension writes them (order = id, text defaults, `duckdb` dialect). */
  private async insertColumns(
    tableId: number,
    columns: readonly LakeColumn[],
    defaults: ReadonlyMap<number, string>,
  ): Promise<void> {
    const parentOf = new Map<number, number>();
    for (const c of flattenColumns(columns)) for (const k of c.children) parentOf.set(k.id, c.id);
    const rows = flattenColumns(columns);
    await this.query(
      `INSERT INTO ducklake.ducklake_column
         (column_id, begin_snapshot, end_snapshot, table_id, column_order, column_name, column_type, initial_default,
          default_value, nulls_allowed, parent_column, default_value_type, default_value_dialect)
       SELECT id, $1, NULL, $2, id, name, type, initial_default, default_value, true, parent, value_type, 'duckdb'
         FROM unnest($3::bigint[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[], $8::bigint[], $9::varchar[])
           AS c(id, name, type, initial_default, default_value, parent, value_type)`,
      [
        this.ctx.snapshotId,
        tableId,
        rows.map((c) => c.id),
        rows.map((c) => c.name),
        rows.map((c) => c.type),
        rows.map((c) => c.initialDefault),
        rows.map((c) => defaults.get(c.id) ?? 'NULL'),
        rows.map((c) => parentOf.get(c.id) ?? null),
        rows.map((c) => (c.children.length ? '' : 'literal')),
      ],
    );
  }

  private async recordSchemaVersion(tableId: number): Promise<void> {
    await this.query(
      `INSERT INTO ducklake.ducklake_schema_versions (begin_snapshot, schema_version, table_id) VALUES ($1, $2, $3)`,
      [this.ctx.snapshotId, this.ctx.schemaVersion, tableId],
    );
  }

  private async assertTableLive(tableId: number, what: string): Promise<void> {
    const res = await this.query(`SELECT 1 FROM ducklake.ducklake_table WHERE table_id = $1 AND end_snapshot IS NULL`, [
      tableId,
    ]);
    if (!res.rowCount) throw new CatalogConflict(`${what}: the table no longer exists`);
  }

  private async dropTable(tableId: number, name: string): Promise<void> {
    const s = this.ctx.snapshotId;
    const res = await this.query(
      `UPDATE ducklake.ducklake_table SET end_snapshot = $1 WHERE table_id = $2 AND end_snapshot IS NULL`,
      [s, tableId],
    );
    if (res.rowCount !== 1) throw new CatalogConflict(`table ${name} no longer exists`);
    for (const table of [
      'ducklake_partition_info',
      'ducklake_column',
      'ducklake_column_tag',
      'ducklake_data_file',
      'ducklake_delete_file',
    ]) {
      await this.query(`UPDATE ducklake.${table} SET end_snapshot = $1 WHERE table_id = $2 AND end_snapshot IS NULL`, [
        s,
        tableId,
      ]);
    }
    await this.query(
      `UPDATE ducklake.ducklake_tag SET end_snapshot = $1 WHERE object_id = $2 AND end_snapshot IS NULL`,
      [s, tableId],
    );
  }

  private async addColumn(tableId: number, column: LakeColumn, defaultValue: string | null): Promise<void> {
    await this.assertTableLive(tableId, `adding column ${column.name}`);
    await this.insertColumns(
      tableId,
      [column],
      defaultValue === null ? new Map() : new Map([[column.id, defaultValue]]),
    );
    await this.recordSchemaVersion(tableId);
  }

  private async insert(tableId: number, files: readonly NewDataFile[]): Promise<void> {
    const records = files.reduce((sum, f) => sum + f.file.recordCount, 0);
    const bytes = files.reduce((sum, f) => sum + f.file.fileSizeBytes, 0);
    // Row ids are taken from the table's counter: one statement reserves them (on a live table).
    const reserved = await this.query(
      `UPDATE ducklake.ducklake_table_stats
          SET record_count = record_count + $2, next_row_id = next_row_id + $2, file_size_bytes = file_size_bytes + $3
        WHERE table_id = $1
          AND EXISTS (SELECT 1 FROM ducklake.ducklake_table t WHERE t.table_id = $1 AND t.end_snapshot IS NULL)
        RETURNING next_row_id - $2 AS first_row_id`,
      [tableId, records, bytes],
    );
    const first = reserved.rowCount === 0;
    if (first) {
      // The table's first insert (or a table that is gone).
      await this.assertTableLive(tableId, 'inserting');
      await this.query(
        `INSERT INTO ducklake.ducklake_table_stats (table_id, record_count, next_row_id, file_size_bytes) VALUES ($1, $2, $2, $3)`,
        [tableId, records, bytes],
      );
    }
    let rowId = first
      ? 0
      : parseWith(z.object({ first_row_id: z.coerce.number().int() }), reserved.rows[0], 'table stats', 'LAKE_ERROR')
          .first_row_id;
    for (const f of files) {
      await this.insertDataFile({
        tableId,
        relativePath: f.relativePath,
        recordCount: f.file.recordCount,
        fileSizeBytes: f.file.fileSizeBytes,
        footerSize: f.file.footerSize,
        rowIdStart: rowId,
        beginSnapshot: this.ctx.snapshotId,
        partialMax: null,
        stats: f.stats,
      });
      rowId += f.file.recordCount;
    }
    await this.updateTableColumnStats(tableId, files, first);
  }

  /** A `ducklake_data_file` row and its `ducklake_file_column_stats` rows, in one statement. */
  private async insertDataFile(f: {
    tableId: number;
    relativePath: string;
    recordCount: number;
    fileSizeBytes: number;
    footerSize: number;
    rowIdStart: number;
    beginSnapshot: number;
    partialMax: number | null;
    stats: readonly FileColumnStats[];
  }): Promise<void> {
    await this.query(
      `WITH file AS (
         INSERT INTO ducklake.ducklake_data_file
           (data_file_id, table_id, begin_snapshot, end_snapshot, file_order, path, path_is_relative, file_format,
            record_count, file_size_bytes, footer_size, row_id_start, partition_id, encryption_key, mapping_id, partial_max)
         VALUES ($1, $2, $3, NULL, NULL, $4, true, 'parquet', $5, $6, $7, $8, NULL, NULL, NULL, $9)
       )
       INSERT INTO ducklake.ducklake_file_column_stats
         (data_file_id, table_id, column_id, column_size_bytes, value_count, null_count, min_value, max_value, contains_nan, extra_stats)
       SELECT $1, $2, column_id, size, value_count, null_count, min_value, max_value, contains_nan, NULL
         FROM unnest($10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::varchar[], $15::varchar[], $16::boolean[])
           AS s(column_id, size, value_count, null_count, min_value, max_value, contains_nan)`,
      [
        this.fileId++,
        f.tableId,
        f.beginSnapshot,
        f.relativePath,
        f.recordCount,
        f.fileSizeBytes,
        f.footerSize,
        f.rowIdStart,
        f.partialMax,
        f.stats.map((s) => s.columnId),
        f.stats.map((s) => s.columnSizeBytes),
        f.stats.map((s) => s.valueCount),
        f.stats.map((s) => s.nullCount),
        f.stats.map((s) => s.min),
        f.stats.map((s) => s.max),
        f.stats.map((s) => s.containsNan),
      ],
    );
  }

  /**
   * Folds the new files' statistics into the table's. Like the extension, a table's column
   * statistics start with its first insert; a column added later gets none (its older rows
   * hold the default, which no file's statistics describe).
   */
  private async updateTableColumnStats(tableId: number, files: readonly NewDataFile[], first: boolean): Promise<void> {
    const types = new Map<number, string>();
    for (const f of files) for (const c of leafStatsKeys(f.columns).values()) types.set(c.id, c.type);
    const current = new Map<number, TableColumnStats>();
    if (!first) {
      const res = await this.query(
        `SELECT column_id, contains_null, contains_nan, min_value, max_value FROM ducklake.ducklake_table_column_stats WHERE table_id = $1`,
        [tableId],
      );
      for (const row of res.rows) {
        const r = parseWith(tableColumnStatsRow, row, 'ducklake_table_column_stats row', 'LAKE_ERROR');
        current.set(r.column_id, {
          columnId: r.column_id,
          containsNull: r.contains_null,
          containsNan: r.contains_nan,
          min: r.min_value,
          max: r.max_value,
        });
      }
    }
    const merged = new Map<number, TableColumnStats>();
    for (const f of files) {
      for (const s of f.stats) {
        const base = merged.get(s.columnId) ?? current.get(s.columnId);
        if (base) merged.set(s.columnId, mergeTableStats(types.get(s.columnId) ?? '', base, s));
        else if (first) merged.set(s.columnId, tableStatsFromFile(s));
      }
    }
    const rows = [...merged.values()];
    if (!rows.length) return;
    const params = [
      tableId,
      rows.map((r) => r.columnId),
      rows.map((r) => r.containsNull),
      rows.map((r) => r.containsNan),
      rows.map((r) => r.min),
      rows.map((r) => r.max),
    ];
    const source = `unnest($2::bigint[], $3::boolean[], $4::boolean[], $5::varchar[], $6::varchar[]) AS s(column_id, contains_null, contains_nan, min_value, max_value)`;
    if (first) {
      await this.query(
        `INSERT INTO ducklake.ducklake_table_column_stats (table_id, column_id, contains_null, contains_nan, min_value, max_value, extra_stats)
         SELECT $1, column_id, contains_null, contains_nan, min_value, max_value, NULL FROM ${source}`,
        params,
      );
    } else {
      await this.query(
        `UPDATE ducklake.ducklake_table_column_stats t
            SET contains_null = s.contains_null, contains_nan = s.contains_nan, min_value = s.min_value, max_value = s.max_value
           FROM ${source}
          WHERE t.table_id = $1 AND t.column_id = s.column_id`,
        params,
      );
    }
  }

  private async delete(tableId: number, directory: string, deletions: readonly FileDeletion[]): Promise<void> {
    await this.assertTableLive(tableId, 'deleting');
    await this.assertDeleteFilesUnchanged(deletions);
    const s = this.ctx.snapshotId;
    for (const d of deletions) {
      if (d.fullyDeleted) {
        await this.query(
          `UPDATE ducklake.ducklake_data_file SET end_snapshot = $1 WHERE data_file_id = $2 AND end_snapshot IS NULL`,
          [s, d.dataFileId],
        );
        await this.query(
          `UPDATE ducklake.ducklake_delete_file SET end_snapshot = $1 WHERE data_file_id = $2 AND end_snapshot IS NULL`,
          [s, d.dataFileId],
        );
        continue;
      }
      const positions = d.positions!;
      if (!d.previous) {
        await this.insertDeleteFile(
          tableId,
          d.dataFileId,
          positions.relativePath,
          positions.count,
          positions.file,
          s,
          null,
        );
        continue;
      }
      // As the extension does: one partial delete file replaces the previous one for all of
      // its snapshots (each row carries the snapshot that deleted it), and the previous file
      // is scheduled for deletion at once.
      const replacement = await this.ctx.writeReplacementDeleteFile(d, directory, s);
      await this.query(`DELETE FROM ducklake.ducklake_delete_file WHERE delete_file_id = $1`, [d.previous.id]);
      await this.scheduleForDeletion(d.previous.id, d.previous.path);
      await this.insertDeleteFile(
        tableId,
        d.dataFileId,
        replacement.relativePath,
        d.previous.deleteCount + positions.count,
        replacement.file,
        d.previous.beginSnapshot,
        s,
      );
    }
  }

  /** Two commits may not delete from the same data file: each delete file must be as we read it. */
  private async assertDeleteFilesUnchanged(deletions: readonly FileDeletion[]): Promise<void> {
    const ids = deletions.map((d) => d.dataFileId);
    const live = await this.query(
      `SELECT data_file_id AS id FROM ducklake.ducklake_data_file WHERE data_file_id = ANY($1::bigint[]) AND end_snapshot IS NULL`,
      [ids],
    );
    if (live.rowCount !== ids.length)
      throw new CatalogConflict('another commit removed a data file this delete applies to');
    const res = await this.query<{ data_file_id: number; delete_file_id: number }>(
      `SELECT data_file_id, delete_file_id FROM ducklake.ducklake_delete_file WHERE data_file_id = ANY($1::bigint[]) AND end_snapshot IS NULL`,
      [ids],
    );
    const current = new Map(res.rows.map((r) => [Number(r.data_file_id), Number(r.delete_file_id)]));
    for (const d of deletions) {
      if ((current.get(d.dataFileId) ?? null) !== (d.previous?.id ?? null))
        throw new CatalogConflict('another commit deleted from the same data file');
    }
  }

  private async insertDeleteFile(
    tableId: number,
    dataFileId: number,
    relativePath: string,
    count: number,
    file: FileDeletionWrite,
    beginSnapshot: number,
    partialMax: number | null,
  ): Promise<void> {
    await this.query(
      `INSERT INTO ducklake.ducklake_delete_file
         (delete_file_id, table_id, begin_snapshot, end_snapshot, data_file_id, path, path_is_relative, format,
          delete_count, file_size_bytes, footer_size, encryption_key, partial_max)
       VALUES ($1, $2, $3, NULL, $4, $5, true, 'parquet', $6, $7, $8, NULL, $9)`,
      [
        this.fileId++,
        tableId,
        beginSnapshot,
        dataFileId,
        relativePath,
        count,
        file.fileSizeBytes,
        file.footerSize,
        partialMax,
      ],
    );
  }

  private async scheduleForDeletion(fileId: number, absolutePath: string): Promise<void> {
    const scheduled = pathForDeletionSchedule(this.ctx.dataPath, absolutePath);
    await this.query(
      `INSERT INTO ducklake.ducklake_files_scheduled_for_deletion (data_file_id, path, path_is_relative, schedule_start) VALUES ($1, $2, $3, now())`,
      [fileId, scheduled.path, scheduled.relative],
    );
  }

  /**
   * As merge_adjacent_files does: the merged file replaces its sources for every snapshot
   * (rows carry their own snapshot id), so the sources leave the catalog and are scheduled.
   */
  private async compact(tableId: number, merges: readonly FileMerge[]): Promise<void> {
    await this.assertTableLive(tableId, 'compacting');
    for (const m of merges) {
      const ids = m.sources.map((s) => s.id);
      const deletes = await this.query(
        `SELECT 1 FROM ducklake.ducklake_delete_file WHERE data_file_id = ANY($1::bigint[]) LIMIT 1`,
        [ids],
      );
      if (deletes.rowCount) throw new CatalogConflict('another commit deleted from a file being compacted');
      const removed = await this.query(
        `DELETE FROM ducklake.ducklake_data_file WHERE data_file_id = ANY($1::bigint[]) AND end_snapshot IS NULL RETURNING data_file_id`,
        [ids],
      );
      if (removed.rowCount !== ids.length)
        throw new CatalogConflict('another commit already compacted or removed these files');
      await this.query(`DELETE FROM ducklake.ducklake_file_column_stats WHERE data_file_id = ANY($1::bigint[])`, [ids]);
      for (const source of m.sources) await this.scheduleForDeletion(source.id, source.path);
      await this.insertDataFile({
        tableId,
        relativePath: m.relativePath,
        recordCount: m.file.recordCount,
        fileSizeBytes: m.file.fileSizeBytes,
        footerSize: m.file.footerSize,
        rowIdStart: m.rowIdStart,
        beginSnapshot: m.beginSnapshot,
        partialMax: m.partialMax,
        stats: m.stats,
      });
    }
  }
}

const tableColumnStatsRow = z.object({
  column_id: z.coerce.number().int(),
  contains_null: z.boolean().nullable(),
  contains_nan: z.boolean().nullable(),
  min_value: z.string().nullable(),
  max_value: z.string().nullable(),
});
