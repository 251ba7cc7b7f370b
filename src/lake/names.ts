import { BosunError } from '../core/index.js';

/**
 * Names of lake objects. Tables are named `schema.table` (`table` alone means `main.table`).
 * Schemas and tables Bosun creates get plain identifiers, because their names become folders
 * of the data path; lakes written by others may use any name, and are read as they are.
 */

export interface TableName {
  schema: string;
  table: string;
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function parseTableName(name: string): TableName {
  const dot = name.indexOf('.');
  const parsed = dot < 0 ? { schema: 'main', table: name } : { schema: name.slice(0, dot), table: name.slice(dot + 1) };
  if (!parsed.schema || !parsed.table) {
    throw new BosunError('INVALID_INPUT', `'${name}' is not a table name`, {
      hint: 'name tables schema.table, e.g. docs.chunks',
    });
  }
  return parsed;
}

/** A schema or table name Bosun may create: it is also a directory name. */
export function assertIdentifier(name: string, what: string): string {
  if (!identifier.test(name)) {
    throw new BosunError('INVALID_INPUT', `invalid ${what} '${name}'`, {
      hint: 'use 1-63 ASCII letters, digits or underscores, not starting with a digit',
    });
  }
  return name;
}

/** Column names may be anything printable (CSV headers with spaces, say), but not empty or duplicated. */
export function assertColumnNames(names: readonly string[], table: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    // eslint-disable-next-line no-control-regex -- control characters are what it refuses
    if (!name || name.length > 255 || /[\u0000-\u001f]/.test(name)) {
      throw new BosunError('INVALID_INPUT', `invalid column name ${JSON.stringify(name)} for ${table}`, {
        hint: 'column names are 1-255 printable characters',
      });
    }
    // DuckDB resolves identifiers case-insensitively, so `Id` and `id` would collide in a query.
    const key = name.toLowerCase();
    if (seen.has(key)) throw new BosunError('INVALID_INPUT', `column '${name}' appears twice in ${table}`);
    seen.add(key);
  }
}
