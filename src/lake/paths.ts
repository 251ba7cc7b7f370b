import path from 'node:path';
import type { SchemaEntry, TableEntry } from './catalog.js';
import { uuid7 } from './uuid7.js';

/**
 * Where files live. As the extension lays them out: a schema's path is relative to the data
 * path (`docs/`), a table's to its schema (`chunks/`), a file's to its table
 * (`ducklake-<uuid7>.parquet`); absolute paths are used as they are.
 */

/** An absolute directory path ending in `/`, as `data_path` is stored. */
export function normalizeDataPath(dataPath: string): string {
  const absolute = path.resolve(dataPath);
  return absolute.endsWith('/') ? absolute : `${absolute}/`;
}

function under(parent: string, child: string | null, isRelative: boolean): string {
  if (child === null) return parent;
  const joined = isRelative ? parent + child : child;
  return joined.endsWith('/') ? joined : `${joined}/`;
}

function schemaDirectory(dataPath: string, schema: SchemaEntry): string {
  return under(dataPath, schema.path, schema.pathIsRelative);
}

export function tableDirectory(dataPath: string, table: TableEntry): string {
  return under(schemaDirectory(dataPath, table.schema), table.path, table.pathIsRelative);
}

/** Where a table created now goes: under its schema's directory (a new schema's is its name). */
export function newTableDirectory(
  dataPath: string,
  schemaName: string,
  schema: SchemaEntry | null,
  table: string,
): string {
  return `${schema ? schemaDirectory(dataPath, schema) : `${dataPath}${schemaName}/`}${table}/`;
}

export function resolveFilePath(tableDir: string, filePath: string, isRelative: boolean): string {
  return isRelative ? tableDir + filePath : filePath;
}

/** How `ducklake_files_scheduled_for_deletion` records a file: relative to the data path when under it. */
export function pathForDeletionSchedule(dataPath: string, absolute: string): { path: string; relative: boolean } {
  return absolute.startsWith(dataPath)
    ? { path: absolute.slice(dataPath.length), relative: true }
    : { path: absolute, relative: false };
}

export function resolveScheduledPath(dataPath: string, filePath: string, isRelative: boolean): string {
  return isRelative ? dataPath + filePath : filePath;
}

export const newDataFileName = (): string => `ducklake-${uuid7()}.parquet`;
export const newDeleteFileName = (): string => `ducklake-${uuid7()}-delete.parquet`;

/** File names Bosun and the extension give data and delete files; cleanup only ever removes these. */
export const lakeFileNamePattern = /^ducklake-[0-9a-f-]{36}(-delete)?\.parquet$/;
