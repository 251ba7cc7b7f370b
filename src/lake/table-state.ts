import { BosunError } from '../core/index.js';
import {
  columnsAt,
  dataFilesAt,
  partitionedTables,
  tablesAt,
  tablesWithAmbiguousNestedFields,
  tablesWithInlinedRows,
  type DataFileEntry,
  type Queryable,
  type TableEntry,
} from './catalog.js';
import { resolveFilePath, tableDirectory } from './paths.js';
import type { ScanFile } from './scan.js';
import { duckdbType, type LakeColumn } from './column-types.js';

/** A table as of one snapshot, with everything needed to read it. */
export interface TableState {
  entry: TableEntry;
  /** `schema.table` */
  qualifiedName: string;
  directory: string;
  columns: LakeColumn[];
  files: ScanFile[];
  /** The catalog rows of `files`, for writers that need more than a reader does. */
  fileEntries: DataFileEntry[];
  /** Why Bosun cannot read this table (it is still listed); null when it can. */
  unreadable: BosunError | null;
  /** Partitioned tables are read, but Bosun does not write partition values. */
  partitioned: boolean;
}

export const qualifiedName = (schema: string, table: string): string => `${schema}.${table}`;

export interface LoadOptions {
  /** Only these tables (`schema.table`); default all. */
  only?: readonly string[];
  /** Also load data files (default true); a writer that only appends needs none. */
  files?: boolean;
}

/**
 * Loads the tables visible at a snapshot, their columns and data files, in a fixed number of
 * catalog queries whatever the number of tables.
 */
export async function loadTables(
  q: Queryable,
  dataPath: string,
  snapshotId: number,
  options: LoadOptions = {},
): Promise<TableState[]> {
  const only = options.only;
  const entries = (await tablesAt(q, snapshotId)).filter(
    (t) => !only || only.includes(qualifiedName(t.schema.name, t.name)),
  );
  if (!entries.length) return [];
  const ids = entries.map((t) => t.id);
  const [columns, files, inlined, ambiguous, partitioned] = await Promise.all([
    columnsAt(q, ids, snapshotId),
    options.files === false ? Promise.resolve([]) : dataFilesAt(q, ids, snapshotId),
    tablesWithInlinedRows(q, ids),
    tablesWithAmbiguousNestedFields(q, ids),
    partitionedTables(q, ids, snapshotId),
  ]);
  return entries.map((entry) => {
    const directory = tableDirectory(dataPath, entry);
    const name = qualifiedName(entry.schema.name, entry.name);
    const fileEntries = files.filter((f) => f.tableId === entry.id);
    const tableColumns = columns.get(entry.id) ?? [];
    return {
      entry,
      qualifiedName: name,
      directory,
      columns: tableColumns,
      fileEntries,
      files: fileEntries.map((f) => scanFileOf(directory, f, f.deletes)),
      unreadable: whyUnreadable(name, tableColumns, fileEntries, {
        inlined: inlined.has(entry.id),
        ambiguous: ambiguous.has(entry.id),
      }),
      partitioned: partitioned.has(entry.id),
    };
  });
}

type FileRef = Pick<
  DataFileEntry,
  'id' | 'path' | 'pathIsRelative' | 'recordCount' | 'rowIdStart' | 'beginSnapshot' | 'partialMax'
>;
type DeleteRef = { path: string; pathIsRelative: boolean; beginSnapshot: number; partialMax: number | null };

/** A data file with the delete file that applies to it, as the scan SQL reads them. */
export function scanFileOf(directory: string, f: FileRef, deletes: DeleteRef | null): ScanFile {
  return {
    id: f.id,
    path: resolveFilePath(directory, f.path, f.pathIsRelative),
    recordCount: f.recordCount,
    rowIdStart: f.rowIdStart,
    beginSnapshot: f.beginSnapshot,
    partialMax: f.partialMax,
    deletes: deletes && {
      path: resolveFilePath(directory, deletes.path, deletes.pathIsRelative),
      beginSnapshot: deletes.beginSnapshot,
      partialMax: deletes.partialMax,
    },
  };
}

/** Features of the format Bosun does not read; a table using one is refused, never half read. */
function whyUnreadable(
  name: string,
  columns: LakeColumn[],
  files: DataFileEntry[],
  flags: { inlined: boolean; ambiguous: boolean },
): BosunError | null {
  const unsupported = (what: string, hint?: string) =>
    new BosunError('UNSUPPORTED', `table ${name} ${what}, which Bosun does not read`, { hint });
  if (flags.ambiguous) return unsupported('has nested fields that were renamed or whose names were reused');
  if (flags.inlined) {
    return unsupported(
      'has rows inlined in the catalog (data inlining)',
      "flush them to Parquet with the extension: CALL ducklake_flush_inlined_data('<lake>')",
    );
  }
  try {
    columns.forEach((c) => duckdbType(c));
  } catch (err) {
    return err as BosunError;
  }
  if (columns.some((c) => c.name === 'file_row_number')) return unsupported("has a column named 'file_row_number'");
  for (const f of files) {
    if (f.format !== null && f.format !== 'parquet') return unsupported(`has a data file in format '${f.format}'`);
    if (f.encryptionKey !== null || f.deletes?.encryptionKey) return unsupported('has encrypted files');
    if (f.mappingId !== null)
      return unsupported('has files without field ids (name-mapped files added with ducklake_add_data_files)');
    if (f.deletes && f.deletes.format !== null && f.deletes.format !== 'parquet')
      return unsupported(`has a delete file in format '${f.deletes.format}'`);
  }
  return null;
}
