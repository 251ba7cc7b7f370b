import { BosunError } from '../core/index.js';

/**
 * Quoting for the DuckDB SQL that Bosun generates. Values that DuckDB can bind are bound; these
 * are for what it cannot: identifiers, file paths inside COPY/read_parquet lists, type names.
 */

export function quoteIdent(name: string): string {
  assertNoNul(name);
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  assertNoNul(value);
  return `'${value.replace(/'/g, "''")}'`;
}

/** A list literal of strings, e.g. the files of a `read_parquet([...])`. */
export function quoteList(values: readonly string[]): string {
  return `[${values.map(quoteLiteral).join(', ')}]`;
}

function assertNoNul(text: string): void {
  if (text.includes('\0')) throw new BosunError('INVALID_INPUT', 'names and values must not contain NUL bytes');
}
