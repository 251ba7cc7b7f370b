import type { ChangeToken } from './changes.js';
import type { WrittenFile } from './parquet-writer.js';
import type { FileColumnStats } from './stats.js';
import type { LakeColumn } from './column-types.js';

/**
 * What a transaction asks the catalog to record, decided before the commit: every Parquet file
 * is already written. Ids that depend on the snapshot (catalog ids, file ids, row ids) are
 * assigned when the commit claims its snapshot, so a retry rewrites no data file.
 */

/** A table as it existed at the transaction's base snapshot. */
export interface TableRef {
  id: number;
  schema: string;
  name: string;
}

/** A table to write into: one that existed at the base snapshot, or one created in this transaction. */
export type TableTarget = { existing: TableRef } | { created: { schema: string; name: string } };

export interface NewDataFile {
  file: WrittenFile;
  /** The path recorded in the catalog, relative to the table's directory. */
  relativePath: string;
  /** The columns the file was written with (their types order the statistics). */
  columns: LakeColumn[];
  stats: FileColumnStats[];
}

export interface FileDeletion {
  dataFileId: number;
  /** The data file's path as a reader resolves it; delete files record it in `file_path`. */
  dataFilePath: string;
  recordCount: number;
  /** Every remaining row is deleted: the data file ends instead of getting a delete file. */
  fullyDeleted: boolean;
  /** The delete file valid at the base snapshot, which a new one replaces. */
  previous: { id: number; path: string; beginSnapshot: number; deleteCount: number } | null;
  /** The rows deleted now (`file_path`, `pos`), written before the commit; null when fully deleted. */
  positions: { file: WrittenFile; relativePath: string; count: number } | null;
}

export interface FileMerge {
  sources: { id: number; path: string }[];
  file: WrittenFile;
  relativePath: string;
  stats: FileColumnStats[];
  beginSnapshot: number;
  partialMax: number | null;
  rowIdStart: number;
}

export type Intent =
  | { kind: 'create_schema'; schema: string }
  | { kind: 'drop_schema'; schema: { id: number; name: string } }
  | { kind: 'create_table'; schema: string; table: string; columns: LakeColumn[] }
  | { kind: 'drop_table'; table: TableRef }
  | { kind: 'add_column'; table: TableRef; column: LakeColumn; defaultValue: string | null }
  | { kind: 'insert'; table: TableTarget; files: NewDataFile[] }
  | { kind: 'delete'; table: TableRef; directory: string; files: FileDeletion[] }
  | { kind: 'compact'; table: TableRef; directory: string; merges: FileMerge[] };

/**
 * The change token an intent records in `ducklake_snapshot_changes`. An insert into a table
 * created in the same transaction has an id only once the commit assigns it (`insertedTableId`);
 * before that it yields no token, as the conflict rules need none for a table nobody else sees.
 */
export function changeTokenOf(intent: Intent, insertedTableId?: number): ChangeToken | null {
  switch (intent.kind) {
    case 'create_schema':
      return { kind: 'created_schema', schema: intent.schema };
    case 'drop_schema':
      return { kind: 'dropped_schema', id: intent.schema.id };
    case 'create_table':
      return { kind: 'created_table', schema: intent.schema, name: intent.table };
    case 'drop_table':
      return { kind: 'dropped_table', id: intent.table.id };
    case 'add_column':
      return { kind: 'altered_table', id: intent.table.id };
    case 'insert': {
      const id = insertedTableId ?? ('existing' in intent.table ? intent.table.existing.id : undefined);
      return id === undefined ? null : { kind: 'inserted_into_table', id };
    }
    case 'delete':
      return { kind: 'deleted_from_table', id: intent.table.id };
    case 'compact':
      return { kind: 'compacted_table', id: intent.table.id };
  }
}
