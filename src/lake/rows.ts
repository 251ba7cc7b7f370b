import { BosunError } from '../core/index.js';
import { quoteIdent, quoteLiteral } from './sql.js';
import { duckdbType, type LakeColumn } from './column-types.js';

/**
 * JavaScript rows into DuckDB: each row is checked against the table's columns and encoded as
 * JSON that `json_transform_strict` turns into typed values (so DuckDB, not Bosun, parses
 * timestamps, decimals and UUIDs, and rejects what does not fit instead of storing NULL).
 */

const integerTypes = /^u?int(8|16|32|64|128)$/;
const textTypes = new Set([
  'varchar',
  'uuid',
  'date',
  'time',
  'timetz',
  'timestamp',
  'timestamptz',
  'timestamp_s',
  'timestamp_ms',
  'timestamp_ns',
  'interval',
]);

class RowError extends Error {}

function fail(path: string, expected: string, value: unknown): never {
  const shown =
    typeof value === 'string'
      ? JSON.stringify(value.slice(0, 40))
      : typeof value === 'bigint'
        ? `${value}n`
        : Object.prototype.toString.call(value);
  throw new RowError(`${path}: expected ${expected}, got ${shown}`);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  !(v instanceof Date) &&
  !(v instanceof Uint8Array) &&
  !(v instanceof Map);

/** One value as the JSON json_transform_strict expects for the column's type. */
function encodeValue(column: LakeColumn, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return null;
  const type = column.type;
  if (type === 'boolean') return typeof value === 'boolean' ? value : fail(path, 'a boolean', value);
  if (integerTypes.test(type) || type.startsWith('decimal(')) {
    if (typeof value === 'bigint') return value.toString();
    if (
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (type.startsWith('decimal(') || Number.isSafeInteger(value))
    )
      return value;
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return value;
    return fail(
      path,
      type.startsWith('decimal(') ? 'a number or decimal string' : 'an integer (number, bigint or digit string)',
      value,
    );
  }
  if (type === 'float32' || type === 'float64') {
    if (typeof value !== 'number') return fail(path, 'a number', value);
    return Number.isFinite(value) ? value : String(value);
  }
  if (type === 'blob') {
    if (value instanceof Uint8Array) return Array.from(value, (b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
    return fail(path, 'a Buffer or Uint8Array', value);
  }
  if (type === 'json') {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return fail(path, 'JSON text or a JSON-serialisable value', value);
    }
  }
  if (textTypes.has(type)) {
    if (value instanceof Date) return type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
    return typeof value === 'string'
      ? value
      : fail(
          path,
          type === 'varchar' ? 'a string' : `a string${type.startsWith('time') || type === 'date' ? ' or a Date' : ''}`,
          value,
        );
  }
  if (type === 'list') {
    if (!Array.isArray(value)) return fail(path, 'an array', value);
    const element = column.children[0]!;
    return value.map((v, i) => encodeValue(element, v, `${path}[${i}]`));
  }
  if (type === 'struct') {
    if (!isPlainObject(value)) return fail(path, 'an object', value);
    return encodeObject(column.children, value, path);
  }
  if (type === 'map') {
    const entries =
      value instanceof Map
        ? [...value.entries()]
        : isPlainObject(value)
          ? Object.entries(value)
          : fail(path, 'a Map or an object', value);
    const [key, val] = [
      column.children.find((c) => c.name === 'key')!,
      column.children.find((c) => c.name === 'value')!,
    ];
    return Object.fromEntries(
      entries.map(([k, v]) => [
        String(encodeValue(key, k, `${path} key`)),
        encodeValue(val, v, `${path}[${String(k)}]`),
      ]),
    );
  }
  return fail(path, `a value of a type Bosun writes (this column is ${type})`, value);
}

/** Every column present (json_transform_strict wants all keys), no unknown keys. */
function encodeObject(
  columns: readonly LakeColumn[],
  value: Record<string, unknown>,
  path: string,
): Record<string, unknown> {
  const known = new Set(columns.map((c) => c.name));
  const unknown = Object.keys(value).find((k) => !known.has(k));
  if (unknown !== undefined) throw new RowError(`${path}: no column '${unknown}' (columns: ${[...known].join(', ')})`);
  return Object.fromEntries(columns.map((c) => [c.name, encodeValue(c, value[c.name], `${path}.${c.name}`)]));
}

/** A row: like a struct, except that a column left out gets its default (an explicit null stays NULL). */
function encodeRow(
  columns: readonly LakeColumn[],
  value: Record<string, unknown>,
  path: string,
): Record<string, unknown> {
  const encoded = encodeObject(columns, value, path);
  for (const c of columns)
    if (value[c.name] === undefined && c.initialDefault !== null) encoded[c.name] = c.initialDefault;
  return encoded;
}

/** The rows as one JSON document, or INVALID_INPUT naming the first bad row and column. */
export function encodeRows(table: string, columns: readonly LakeColumn[], rows: readonly unknown[]): string {
  try {
    return JSON.stringify(
      rows.map((row, i) => {
        if (!isPlainObject(row)) throw new RowError(`row ${i}: expected an object of column values`);
        return encodeRow(columns, row, `row ${i}`);
      }),
    );
  } catch (err) {
    if (err instanceof RowError)
      throw new BosunError('INVALID_INPUT', `rows for ${table} do not fit its columns: ${err.message}`);
    throw err;
  }
}

/**
 * A SELECT of the rows bound as parameter $1 (from encodeRows), typed as the table's columns.
 * Blobs travel as `\\xNN` text, which only a cast to BLOB (not json_transform) decodes, and
 * columns with a default as text, since a default is a literal of the column's type.
 */
export function rowsRelationSql(columns: readonly LakeColumn[]): string {
  const transport = (c: LakeColumn) => (c.initialDefault !== null ? 'VARCHAR' : duckdbType(c, { blob: 'VARCHAR' }));
  const structure = JSON.stringify([Object.fromEntries(columns.map((c) => [c.name, transport(c)]))]);
  const select = columns
    .map((c) => `CAST(r.${quoteIdent(c.name)} AS ${duckdbType(c)}) AS ${quoteIdent(c.name)}`)
    .join(', ');
  return `SELECT ${select} FROM (SELECT unnest(json_transform_strict($1::JSON, ${quoteLiteral(structure)})) AS r)`;
}
