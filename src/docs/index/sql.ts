import { BosunError } from '../../core/index.js';

/**
 * A string as a SQL literal, for the few places where DuckDB takes no parameter: the lake's
 * delete predicates and the file lists of table functions. Values are bound wherever DuckDB can.
 */
export function sqlString(value: string): string {
  if (value.includes('\0')) throw new BosunError('INVALID_INPUT', 'a value in SQL must not contain NUL bytes');
  return `'${value.replace(/'/g, "''")}'`;
}
