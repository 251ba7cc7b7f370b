import fs from 'node:fs/promises';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { BosunError, firstLine, parseWith } from '../core/index.js';
import { maxColumnIdEver, schemasAt, type DataFileEntry, type SchemaEntry, type Snapshot } from './catalog.js';
import type { ChangeToken, PendingChanges } from './changes.js';
import { AmbiguousCommit, commitIntents, type CommitResult } from './commit.js';
import { withDuckDB } from './duckdb.js';
import {
  changeTokenOf,
  type FileDeletion,
  type Intent,
  type NewDataFile,
  type TableRef,
  type TableTarget,
} from './intents.js';
import { assertColumnNames, assertIdentifier, parseTableName } from './names.js';
import { writeParquet, type WrittenFile } from './parquet-writer.js';
import { newDataFileName, newDeleteFileName, newTableDirectory } from './paths.js';
import { lakeQueryError } from './reader.js';
import { relationColumns, assertSingleSelect } from './relation.js';
import type { LakeSession } from './session.js';
import { encodeRows, rowsRelationSql } from './rows.js';
import { FieldId, FILE_COLUMN, ROW_NUMBER_COLUMN, SNAPSHOT_ID_COLUMN, tableScanSql } from './scan.js';
import { quoteIdent, quoteLiteral } from './sql.js';
import { loadTables, qualifiedName, type TableState } from './table-state.js';
import { fileColumnStats } from './stats.js';
import { duckdbType, fieldIdsSql, lakeColumnFromDuckDB, maxColumnId, type LakeColumn } from './column-types.js';

export interface ColumnDefinition {
  name: string;
  /** A DuckDB type: `VARCHAR`, `FLOAT[]`, `STRUCT(lang VARCHAR, code BOOLEAN)`, `MAP(VARCHAR, INTEGER)`… */
  type: string;
}

export interface NewColumn extends ColumnDefinition {
  /** What existing rows read for it (and rows appended without it): a literal of the type. */
  default?: string | number | boolean | null;
}

/** Columns, or a SELECT whose result columns (names and types) become the table's. */
export type TableDefinition = readonly ColumnDefinition[] | { as: string };

/** Rows (objects keyed by column name), a SELECT to run, or a Parquet file to read; columns match by name. */
export type AppendSource = readonly object[] | { sql: string } | { parquetFile: string };

/** A table as this transaction sees it: as of its base snapshot, plus what it did itself. */
interface WorkingTable {
  schema: string;
  name: string;
  /** Null for a table created in this transaction. */
  base: TableState | null;
  columns: LakeColumn[];
  directory: string;
  appended: boolean;
  deleted: boolean;
}

/**
 * Outside quoted identifiers, every bracket closes one opened before it and all are closed at
 * the end: the text cannot close the `CAST(NULL AS …)` it is spliced into, so it cannot add
 * columns or clauses (`INT)`, `INTEGER) AS evil, CAST(NULL AS VARCHAR`).
 */
function balancedBrackets(type: string): boolean {
  const open: string[] = [];
  let quoted = false;
  for (const ch of type) {
    if (ch === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (ch === '(' || ch === '[') open.push(ch === '(' ? ')' : ']');
    else if ((ch === ')' || ch === ']') && open.pop() !== ch) return false;
  }
  return !quoted && open.length === 0;
}

const columnType = z
  .string()
  .regex(/^[A-Za-z0-9_ ,()[\]"]+$/, 'not a type name')
  .refine(balancedBrackets, 'not a type name (unbalanced brackets or quotes)');
const columnDefinitions = z.array(z.object({ name: z.string(), type: columnType }).strict()).min(1);
const newColumn = z
  .object({
    name: z.string(),
    type: columnType,
    default: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  })
  .strict();

/**
 * One lake commit in the making. Every operation is checked against the catalog as of the base
 * snapshot (plus what the transaction already did) and writes its Parquet files at once; the
 * catalog sees nothing until `commit`, which records all of it as one snapshot. Within one
 * transaction a table can be deleted from once, and not after rows were appended to it (a
 * delete only sees committed rows).
 *
 * Reached through `Lake.transaction`, which commits when the function returns and discards
 * everything (files included) when it throws or the commit conflicts.
 *
 * @example
 * ```ts
 * const { snapshotId, value: appended } = await lake.transaction(
 *   async (tx) => {
 *     await tx.createTable('ops.runs', [
 *       { name: 'id', type: 'BIGINT' },
 *       { name: 'state', type: 'VARCHAR' },
 *     ]);
 *     await tx.delete('ops.items', "name = 'stale'");
 *     return tx.append('ops.runs', { sql: "SELECT range AS id, 'done' AS state FROM range(3)" });
 *   },
 *   { author: 'docs', message: 'runs table, stale items gone' },
 * );
 * ```
 */
export class LakeTransaction {
  private readonly intents: Intent[] = [];
  /** Files written for this transaction; removed if it does not commit. */
  private readonly written: string[] = [];
  /** Delete positions that a replacement delete file supersedes: removed once committed. */
  private readonly superseded: string[] = [];
  /** Replacement delete files written during commit attempts, by the snapshot they were for. */
  private readonly replacements: { path: string; snapshotId: number }[] = [];
  /** Schemas by name: as at the base snapshot, or null when created in this transaction. */
  private readonly schemas = new Map<string, SchemaEntry | null>();
  private readonly dropped = new Set<string>();
  private readonly tables = new Map<string, WorkingTable>();
  private schemasLoaded = false;

  /** The snapshot this transaction reads and builds on. */
  readonly baseSnapshotId: number;

  constructor(
    private readonly session: LakeSession,
    private readonly base: Snapshot,
  ) {
    this.baseSnapshotId = base.id;
  }

  async createSchema(name: string): Promise<void> {
    assertIdentifier(name, 'schema name');
    if (await this.schemaExists(name)) throw new BosunError('CONFLICT', `schema ${name} already exists`);
    this.schemas.set(name, null);
    this.intents.push({ kind: 'create_schema', schema: name });
  }

  async dropSchema(name: string): Promise<void> {
    const id = await this.baseSchemaId(name);
    const remaining = (await this.baseTables()).filter(
      (t) => t.entry.schema.name === name && !this.dropped.has(t.qualifiedName),
    );
    const created = [...this.tables.values()].filter((t) => t.schema === name && !t.base);
    if (remaining.length || created.length) {
      throw new BosunError('CONFLICT', `schema ${name} is not empty`, {
        hint: `drop its tables first: ${[...remaining.map((t) => t.qualifiedName), ...created.map((t) => `${t.schema}.${t.name}`)].join(', ')}`,
      });
    }
    this.schemas.delete(name);
    this.intents.push({ kind: 'drop_schema', schema: { id, name } });
  }

  async createTable(name: string, definition: TableDefinition): Promise<void> {
    const { schema, table } = parseTableName(name);
    assertIdentifier(table, 'table name');
    const qualified = qualifiedName(schema, table);
    if (!(await this.schemaExists(schema)))
      throw new BosunError('NOT_FOUND', `schema ${schema} does not exist`, {
        hint: `create it first (createSchema('${schema}'))`,
      });
    if (await this.findTable(qualified)) throw new BosunError('CONFLICT', `table ${qualified} already exists`);
    const columns = await withDuckDB((conn) => this.resolveColumns(conn, qualified, definition));
    const directory = newTableDirectory(this.session.dataPath, schema, this.schemas.get(schema) ?? null, table);
    this.tables.set(qualified, {
      schema,
      name: table,
      base: null,
      columns,
      directory,
      appended: false,
      deleted: false,
    });
    this.intents.push({ kind: 'create_table', schema, table, columns });
  }

  async addColumn(name: string, column: NewColumn): Promise<void> {
    const def = parseWith(newColumn, column, 'column');
    const target = await this.requireTable(name);
    const ref = this.baseRef(target, 'add a column to');
    assertColumnNames([...target.columns.map((c) => c.name), def.name], ref.schema + '.' + ref.name);
    const taken = Math.max(await maxColumnIdEver(this.session.pool, ref.id), maxColumnId(target.columns));
    let next = taken;
    const { lakeColumn, literal } = await withDuckDB(async (conn) => {
      const [resolved, ...extra] = await relationColumns(
        conn,
        `SELECT CAST(NULL AS ${def.type}) AS ${quoteIdent(def.name)}`,
        `type of column ${def.name}`,
      );
      if (extra.length || resolved?.name !== def.name) throw notOneType(def.type);
      const lakeColumn = lakeColumnFromDuckDB(def.name, resolved.type, () => ++next);
      return {
        lakeColumn,
        literal:
          def.default === undefined || def.default === null
            ? null
            : await defaultLiteral(conn, lakeColumn, def.default),
      };
    });
    lakeColumn.initialDefault = literal;
    target.columns = [...target.columns, lakeColumn];
    this.intents.push({ kind: 'add_column', table: ref, column: lakeColumn, defaultValue: literal });
  }

  async dropTable(name: string): Promise<void> {
    const target = await this.requireTable(name);
    const ref = this.baseRef(target, 'drop');
    this.dropped.add(qualifiedName(ref.schema, ref.name));
    this.tables.delete(qualifiedName(ref.schema, ref.name));
    this.intents.push({ kind: 'drop_table', table: ref });
  }

  /** Appends rows; returns how many. Columns the source lacks read as their default (or NULL). */
  async append(name: string, source: AppendSource): Promise<number> {
    const target = await this.requireTable(name);
    const qualified = qualifiedName(target.schema, target.name);
    if (target.base?.partitioned) {
      throw new BosunError('UNSUPPORTED', `table ${qualified} is partitioned; Bosun does not write partitioned tables`);
    }
    if (Array.isArray(source) && !source.length) return 0;
    const file = await withDuckDB(async (conn) => {
      const { sql, params } = await this.sourceSql(conn, qualified, target.columns, source);
      return this.writeFile(
        conn,
        `${target.directory}${newDataFileName()}`,
        sql,
        fieldIdsSql(target.columns),
        params,
        qualified,
      );
    });
    if (file.recordCount === 0) {
      await removeFiles([file.path]);
      return 0;
    }
    const newFile: NewDataFile = {
      file,
      relativePath: relativeTo(target.directory, file.path),
      columns: target.columns,
      stats: fileColumnStats(target.columns, file.columnStats),
    };
    const tableTarget: TableTarget = target.base
      ? { existing: this.baseRef(target, 'append to') }
      : { created: { schema: target.schema, name: target.name } };
    const pending = this.intents.find(
      (i): i is Extract<Intent, { kind: 'insert' }> => i.kind === 'insert' && sameTarget(i.table, tableTarget),
    );
    if (pending) pending.files.push(newFile);
    else this.intents.push({ kind: 'insert', table: tableTarget, files: [newFile] });
    target.appended = true;
    return file.recordCount;
  }

  /** Deletes the rows matching a SQL predicate (positional delete files); returns how many. */
  async delete(name: string, predicateSql: string): Promise<number> {
    const { target, table } = await this.deletable(name, 'delete from');
    const deletions: FileDeletion[] = [];
    const count = await withDuckDB(async (conn) => {
      await assertSingleSelect(conn, `SELECT 1 WHERE (${predicateSql})`, 'the delete predicate');
      try {
        await conn.run(
          `CREATE TEMP TABLE matched AS SELECT ${FILE_COLUMN} AS file, ${ROW_NUMBER_COLUMN} AS pos
             FROM (${tableScanSql(table.columns, table.files, this.baseSnapshotId, { positions: true })}) AS t
            WHERE (${predicateSql})`,
        );
      } catch (err) {
        throw lakeQueryError(err, `cannot delete from ${table.qualifiedName} where ${predicateSql}`);
      }
      const perFile = new Map(
        (await conn.runAndReadAll('SELECT file, count(*) AS n FROM matched GROUP BY file'))
          .getRowObjectsJson()
          .map((r) => [String(r.file), Number(r.n)]),
      );
      for (const entry of table.fileEntries) {
        const matched = perFile.get(dataFilePath(table, entry.id));
        if (!matched) continue;
        const deletion = fileDeletion(table, entry, matched);
        if (!deletion.fullyDeleted) {
          const file = await this.writeFile(
            conn,
            `${target.directory}${newDeleteFileName()}`,
            `SELECT ${quoteLiteral(deletion.dataFilePath)} AS file_path, pos FROM matched WHERE file = $1 ORDER BY pos`,
            deleteFieldIds(false),
            [deletion.dataFilePath],
            table.qualifiedName,
          );
          if (deletion.previous) this.superseded.push(file.path);
          deletion.positions = { file, relativePath: relativeTo(target.directory, file.path), count: matched };
        }
        deletions.push(deletion);
      }
      return [...perFile.values()].reduce((a, b) => a + b, 0);
    });
    if (deletions.length)
      this.intents.push({
        kind: 'delete',
        table: this.baseRef(target, 'delete from'),
        directory: target.directory,
        files: deletions,
      });
    target.deleted = true;
    return count;
  }

  /** Replaces every row of the table with the source's, in this one commit; returns the new row count. */
  async overwrite(name: string, source: AppendSource): Promise<number> {
    const { target, table } = await this.deletable(name, 'overwrite');
    const deletions = table.fileEntries.map((entry) => fileDeletion(table, entry, entry.recordCount));
    if (deletions.length)
      this.intents.push({
        kind: 'delete',
        table: this.baseRef(target, 'overwrite'),
        directory: target.directory,
        files: deletions,
      });
    target.deleted = true;
    return this.append(name, source);
  }

  /** Records everything as one snapshot; null when the transaction changed nothing. */
  async commit(options: { author: string | null; message: string | null }): Promise<CommitResult | null> {
    if (!this.intents.length) return null;
    try {
      const result = await commitIntents(
        this.session.pool,
        {
          baseSnapshotId: this.baseSnapshotId,
          intents: this.intents,
          pending: await this.pendingChanges(),
          author: options.author,
          message: options.message,
          dataPath: this.session.dataPath,
          writeReplacementDeleteFile: (d, directory, snapshotId) =>
            this.writeReplacementDeleteFile(d, directory, snapshotId),
        },
        this.session.logger,
      );
      await removeFiles([
        ...this.superseded,
        ...this.replacements.filter((r) => r.snapshotId !== result.snapshotId).map((r) => r.path),
      ]);
      return result;
    } catch (err) {
      // When the commit's outcome is unknown its files may be referenced: keep them.
      if (!(err instanceof AmbiguousCommit)) await this.discard();
      throw err;
    }
  }

  /** Removes every file this transaction wrote (it will not commit). */
  async discard(): Promise<void> {
    await removeFiles([...this.written, ...this.replacements.map((r) => r.path)]);
  }

  private async writeFile(
    conn: DuckDBConnection,
    file: string,
    sql: string,
    fieldIds: string,
    params: DuckDBValue[] | undefined,
    table: string,
  ): Promise<WrittenFile> {
    this.written.push(file);
    try {
      return await writeParquet(conn, sql, file, fieldIds, params);
    } catch (err) {
      throw lakeQueryError(err, `cannot write to ${table}`);
    }
  }

  /**
   * A partial delete file for a data file that already had one: the earlier deletes (with the
   * snapshots that made them) and this snapshot's, which only a claimed snapshot id can label.
   */
  private async writeReplacementDeleteFile(
    d: FileDeletion,
    directory: string,
    snapshotId: number,
  ): Promise<{ file: WrittenFile; relativePath: string }> {
    const previous = d.previous!;
    const path = `${directory}${newDeleteFileName()}`;
    this.replacements.push({ path, snapshotId });
    const schema = `schema = MAP {${FieldId.deletePos}: {name: 'pos', type: 'BIGINT', default_value: NULL}, ${FieldId.snapshotId}: {name: '${SNAPSHOT_ID_COLUMN}', type: 'BIGINT', default_value: NULL}}`;
    const sql = `SELECT ${quoteLiteral(d.dataFilePath)} AS file_path, pos, ${SNAPSHOT_ID_COLUMN} FROM (
        SELECT pos, coalesce(${SNAPSHOT_ID_COLUMN}, ${previous.beginSnapshot}) AS ${SNAPSHOT_ID_COLUMN} FROM read_parquet(${quoteLiteral(previous.path)}, ${schema})
        UNION ALL
        SELECT pos, ${snapshotId} FROM read_parquet(${quoteLiteral(d.positions!.file.path)})
      ) ORDER BY pos`;
    const file = await withDuckDB((conn) => writeParquet(conn, sql, path, deleteFieldIds(true)));
    return { file, relativePath: relativeTo(directory, path) };
  }

  private async sourceSql(
    conn: DuckDBConnection,
    table: string,
    columns: LakeColumn[],
    source: AppendSource,
  ): Promise<{ sql: string; params?: DuckDBValue[] }> {
    if (Array.isArray(source)) return { sql: rowsRelationSql(columns), params: [encodeRows(table, columns, source)] };
    const parsed = parseWith(
      z.union([z.object({ sql: z.string().min(1) }).strict(), z.object({ parquetFile: z.string().min(1) }).strict()]),
      source,
      'append source',
    );
    let select: string;
    if ('sql' in parsed) select = parsed.sql;
    else {
      await fs.access(parsed.parquetFile).catch(() => {
        throw new BosunError('NOT_FOUND', `no such file: ${parsed.parquetFile}`);
      });
      select = `SELECT * FROM read_parquet(${quoteLiteral(parsed.parquetFile)})`;
    }
    const sourceColumns = await relationColumns(conn, select, 'the source SQL');
    const byName = new Map(sourceColumns.map((c) => [c.name.toLowerCase(), c.name]));
    const known = new Set(columns.map((c) => c.name.toLowerCase()));
    const extra = sourceColumns.filter((c) => !known.has(c.name.toLowerCase())).map((c) => c.name);
    if (extra.length) {
      throw new BosunError('INVALID_INPUT', `the source has columns ${table} does not: ${extra.join(', ')}`, {
        hint: `its columns are ${columns.map((c) => c.name).join(', ')}`,
      });
    }
    const projection = columns.map((c) => {
      const from = byName.get(c.name.toLowerCase());
      const value =
        from !== undefined
          ? `src.${quoteIdent(from)}`
          : c.initialDefault === null
            ? 'NULL'
            : quoteLiteral(c.initialDefault);
      return `CAST(${value} AS ${duckdbType(c)}) AS ${quoteIdent(c.name)}`;
    });
    return { sql: `SELECT ${projection.join(', ')} FROM (${select}) AS src` };
  }

  private async resolveColumns(
    conn: DuckDBConnection,
    table: string,
    definition: TableDefinition,
  ): Promise<LakeColumn[]> {
    let select: string;
    let defs: z.infer<typeof columnDefinitions> | undefined;
    if ('as' in definition && !Array.isArray(definition)) {
      select = parseWith(z.object({ as: z.string().min(1) }).strict(), definition, 'table definition').as;
    } else {
      defs = parseWith(columnDefinitions, definition, 'columns');
      assertColumnNames(
        defs.map((d) => d.name),
        table,
      );
      select = `SELECT ${defs.map((d) => `CAST(NULL AS ${d.type}) AS ${quoteIdent(d.name)}`).join(', ')}`;
    }
    const resolved = await relationColumns(conn, select, `the columns of ${table}`);
    if (defs && (resolved.length !== defs.length || resolved.some((c, i) => c.name !== defs[i]!.name)))
      throw notOneType(defs.map((d) => d.type).join('; '));
    assertColumnNames(
      resolved.map((c) => c.name),
      table,
    );
    let next = 0;
    return resolved.map((c) => lakeColumnFromDuckDB(c.name, c.type, () => ++next));
  }

  private async loadSchemas(): Promise<void> {
    if (this.schemasLoaded) return;
    for (const s of await schemasAt(this.session.pool, this.baseSnapshotId))
      if (!this.schemas.has(s.name)) this.schemas.set(s.name, s);
    this.schemasLoaded = true;
  }

  private async schemaExists(name: string): Promise<boolean> {
    await this.loadSchemas();
    return this.schemas.has(name);
  }

  private async baseSchemaId(name: string): Promise<number> {
    await this.loadSchemas();
    const schema = this.schemas.get(name);
    if (schema === undefined) throw new BosunError('NOT_FOUND', `schema ${name} does not exist`);
    if (schema === null)
      throw new BosunError('INVALID_INPUT', `schema ${name} was created in this transaction; drop it in another`);
    return schema.id;
  }

  private baseTables(): Promise<TableState[]> {
    return this.session.schemas.tablesAt(this.session.pool, this.session.dataPath, this.base);
  }

  private async findTable(qualified: string): Promise<WorkingTable | null> {
    const known = this.tables.get(qualified);
    if (known) return known;
    if (this.dropped.has(qualified)) return null;
    const base = (await this.baseTables()).find((t) => t.qualifiedName === qualified);
    if (!base) return null;
    const working: WorkingTable = {
      schema: base.entry.schema.name,
      name: base.entry.name,
      base,
      columns: base.columns,
      directory: base.directory,
      appended: false,
      deleted: false,
    };
    this.tables.set(qualified, working);
    return working;
  }

  private async requireTable(name: string): Promise<WorkingTable> {
    const { schema, table } = parseTableName(name);
    const found = await this.findTable(qualifiedName(schema, table));
    if (!found)
      throw new BosunError('NOT_FOUND', `table ${qualifiedName(schema, table)} does not exist`, {
        hint: '`bosun lake tables` lists the tables',
      });
    if (found.base?.unreadable) throw found.base.unreadable;
    return found;
  }

  private baseRef(target: WorkingTable, action: string): TableRef {
    if (!target.base)
      throw new BosunError(
        'INVALID_INPUT',
        `cannot ${action} ${target.schema}.${target.name} in the transaction that creates it`,
      );
    return { id: target.base.entry.id, schema: target.schema, name: target.name };
  }

  /** A committed table and its files at the base snapshot, for a delete or an overwrite. */
  private async deletable(name: string, action: string): Promise<{ target: WorkingTable; table: TableState }> {
    const target = await this.requireTable(name);
    const ref = this.baseRef(target, action);
    const qualified = qualifiedName(ref.schema, ref.name);
    if (target.appended)
      throw new BosunError(
        'INVALID_INPUT',
        `cannot ${action} ${qualified} after appending to it in the same transaction`,
      );
    if (target.deleted)
      throw new BosunError('INVALID_INPUT', `${qualified} is already deleted from in this transaction`, {
        hint: 'combine the predicates into one delete',
      });
    const [table] = await loadTables(this.session.pool, this.session.dataPath, this.baseSnapshotId, {
      only: [qualified],
    });
    if (!table) throw new BosunError('NOT_FOUND', `table ${qualified} does not exist`);
    if (table.unreadable) throw table.unreadable;
    return { target, table };
  }

  /** Our changes as tokens with base-snapshot ids, for the conflict rules. */
  private async pendingChanges(): Promise<PendingChanges> {
    if (this.intents.some((i) => i.kind === 'create_table')) await this.loadSchemas();
    const tokens: ChangeToken[] = [];
    const schemaIds = new Map<string, number>();
    const droppedSchemaNames = new Map<number, string>();
    for (const i of this.intents) {
      const token = changeTokenOf(i);
      if (token) tokens.push(token);
      if (i.kind === 'drop_schema') droppedSchemaNames.set(i.schema.id, i.schema.name);
      if (i.kind === 'create_table') {
        const schema = this.schemas.get(i.schema);
        if (schema) schemaIds.set(i.schema, schema.id);
      }
    }
    return { tokens, schemaIds, droppedSchemaNames };
  }
}

const dataFilePath = (table: TableState, id: number): string => table.files.find((f) => f.id === id)!.path;

/**
 * How `matched` more deleted rows change one data file: it ends when no row is left, else it
 * gets a delete file (replacing the one it has; the positions file is written by the caller).
 */
function fileDeletion(table: TableState, entry: DataFileEntry, matched: number): FileDeletion {
  const scanFile = table.files.find((f) => f.id === entry.id)!;
  const previous =
    entry.deletes && scanFile.deletes
      ? {
          id: entry.deletes.id,
          path: scanFile.deletes.path,
          beginSnapshot: entry.deletes.beginSnapshot,
          deleteCount: entry.deletes.deleteCount,
        }
      : null;
  return {
    dataFileId: entry.id,
    dataFilePath: scanFile.path,
    recordCount: entry.recordCount,
    fullyDeleted: (previous?.deleteCount ?? 0) + matched >= entry.recordCount,
    previous,
    positions: null,
  };
}

const sameTarget = (a: TableTarget, b: TableTarget): boolean =>
  'existing' in a && 'existing' in b
    ? a.existing.id === b.existing.id
    : 'created' in a && 'created' in b && a.created.schema === b.created.schema && a.created.name === b.created.name;

/** Field ids of positional delete files, as the extension writes them. */
function deleteFieldIds(partial: boolean): string {
  return `{file_path: ${FieldId.deleteFilePath}, pos: ${FieldId.deletePos}${partial ? `, ${SNAPSHOT_ID_COLUMN}: ${FieldId.snapshotId}` : ''}}`;
}

function relativeTo(directory: string, file: string): string {
  return file.startsWith(directory) ? file.slice(directory.length) : file;
}

/** The text a default reads as, canonical for its type (DuckDB casts it; a bad one is refused). */
async function defaultLiteral(
  conn: DuckDBConnection,
  column: LakeColumn,
  value: string | number | boolean,
): Promise<string> {
  if (column.children.length)
    throw new BosunError('INVALID_INPUT', `column ${column.name}: defaults are only supported for non-nested types`);
  try {
    const reader = await conn.runAndReadAll(`SELECT CAST(CAST($1 AS ${duckdbType(column)}) AS VARCHAR) AS v`, [
      String(value),
    ]);
    return String(reader.getRowObjectsJson()[0]!.v);
  } catch (err) {
    throw new BosunError(
      'INVALID_INPUT',
      `default ${JSON.stringify(value)} is not a valid ${duckdbType(column)}: ${firstLine(err)}`,
    );
  }
}

async function removeFiles(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((p) => fs.rm(p, { force: true })));
}

/** A column type that resolved to something other than the one column it was given for. */
function notOneType(type: string): BosunError {
  return new BosunError('INVALID_INPUT', `not a type name: ${type}`, {
    hint: 'give one DuckDB type per column, such as VARCHAR, DECIMAL(10, 2) or STRUCT(a INTEGER, b VARCHAR[])',
  });
}
