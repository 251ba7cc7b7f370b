import type {
  DuckDBArrayType,
  DuckDBDecimalType,
  DuckDBListType,
  DuckDBMapType,
  DuckDBStructType,
  DuckDBType,
} from '@duckdb/node-api';
import { BosunError } from '../core/index.js';
import { quoteIdent } from './sql.js';

/**
 * A column of a lake table as the catalog describes it: `id` is the `column_id`, which is also
 * the Parquet field id; `type` is a DuckLake type name (data_types.md); nested types (`list`,
 * `struct`, `map`) carry their children, as `ducklake_column` rows with `parent_column` do.
 */
export interface LakeColumn {
  id: number;
  name: string;
  type: string;
  children: LakeColumn[];
  /** The value that rows written before this column existed read as (a literal, as text). */
  initialDefault: string | null;
}

/** DuckLake primitive type → DuckDB type. */
const duckdbTypeByLakeType: Record<string, string> = {
  boolean: 'BOOLEAN',
  int8: 'TINYINT',
  int16: 'SMALLINT',
  int32: 'INTEGER',
  int64: 'BIGINT',
  uint8: 'UTINYINT',
  uint16: 'USMALLINT',
  uint32: 'UINTEGER',
  uint64: 'UBIGINT',
  int128: 'HUGEINT',
  uint128: 'UHUGEINT',
  float32: 'FLOAT',
  float64: 'DOUBLE',
  time: 'TIME',
  timetz: 'TIMETZ',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ',
  timestamp_s: 'TIMESTAMP_S',
  timestamp_ms: 'TIMESTAMP_MS',
  timestamp_ns: 'TIMESTAMP_NS',
  interval: 'INTERVAL',
  varchar: 'VARCHAR',
  blob: 'BLOB',
  json: 'JSON',
  uuid: 'UUID',
};

/**
 * DuckDB's logical type ids (`duckdb_type` of its C API, a stable ABI). Compared as numbers so
 * that this module does not load the DuckDB bindings, which only lake operations need.
 */
const TypeId = {
  BOOLEAN: 1,
  TINYINT: 2,
  SMALLINT: 3,
  INTEGER: 4,
  BIGINT: 5,
  UTINYINT: 6,
  USMALLINT: 7,
  UINTEGER: 8,
  UBIGINT: 9,
  FLOAT: 10,
  DOUBLE: 11,
  TIMESTAMP: 12,
  DATE: 13,
  TIME: 14,
  INTERVAL: 15,
  HUGEINT: 16,
  VARCHAR: 17,
  BLOB: 18,
  DECIMAL: 19,
  TIMESTAMP_S: 20,
  TIMESTAMP_MS: 21,
  TIMESTAMP_NS: 22,
  LIST: 24,
  STRUCT: 25,
  MAP: 26,
  UUID: 27,
  TIME_TZ: 30,
  TIMESTAMP_TZ: 31,
  UHUGEINT: 32,
  ARRAY: 33,
  SQLNULL: 36,
} as const;

const lakeTypeByTypeId: Record<number, string> = {
  [TypeId.BOOLEAN]: 'boolean',
  [TypeId.TINYINT]: 'int8',
  [TypeId.SMALLINT]: 'int16',
  [TypeId.INTEGER]: 'int32',
  [TypeId.BIGINT]: 'int64',
  [TypeId.UTINYINT]: 'uint8',
  [TypeId.USMALLINT]: 'uint16',
  [TypeId.UINTEGER]: 'uint32',
  [TypeId.UBIGINT]: 'uint64',
  [TypeId.HUGEINT]: 'int128',
  [TypeId.UHUGEINT]: 'uint128',
  [TypeId.FLOAT]: 'float32',
  [TypeId.DOUBLE]: 'float64',
  [TypeId.TIME]: 'time',
  [TypeId.TIME_TZ]: 'timetz',
  [TypeId.DATE]: 'date',
  [TypeId.TIMESTAMP]: 'timestamp',
  [TypeId.TIMESTAMP_TZ]: 'timestamptz',
  [TypeId.TIMESTAMP_S]: 'timestamp_s',
  [TypeId.TIMESTAMP_MS]: 'timestamp_ms',
  [TypeId.TIMESTAMP_NS]: 'timestamp_ns',
  [TypeId.INTERVAL]: 'interval',
  [TypeId.VARCHAR]: 'varchar',
  [TypeId.BLOB]: 'blob',
  [TypeId.UUID]: 'uuid',
};

const decimalPattern = /^decimal\((\d+),\s*(\d+)\)$/;

/**
 * The DuckDB type of a lake column, e.g. `STRUCT("lang" VARCHAR, "code" BOOLEAN)`; `overrides`
 * replaces primitive types wherever they occur (nested too).
 */
export function duckdbType(column: LakeColumn, overrides: Readonly<Record<string, string>> = {}): string {
  switch (column.type) {
    case 'list':
      return `${duckdbType(onlyChild(column, 'element'), overrides)}[]`;
    case 'struct':
      return `STRUCT(${column.children.map((c) => `${quoteIdent(c.name)} ${duckdbType(c, overrides)}`).join(', ')})`;
    case 'map':
      return `MAP(${duckdbType(childNamed(column, 'key'), overrides)}, ${duckdbType(childNamed(column, 'value'), overrides)})`;
  }
  const override = overrides[column.type];
  if (override) return override;
  const decimal = decimalPattern.exec(column.type);
  if (decimal) return `DECIMAL(${decimal[1]}, ${decimal[2]})`;
  const primitive = duckdbTypeByLakeType[column.type];
  if (!primitive) {
    throw new BosunError(
      'UNSUPPORTED',
      `column '${column.name}' has DuckLake type '${column.type}', which Bosun cannot read or write`,
      {
        hint: 'Bosun supports the primitive types of the specification and list, struct and map',
      },
    );
  }
  return primitive;
}

function onlyChild(column: LakeColumn, what: string): LakeColumn {
  const child = column.children[0];
  if (column.children.length !== 1 || !child) {
    throw new BosunError(
      'LAKE_ERROR',
      `list column '${column.name}' (id ${column.id}) must have exactly one ${what} child in ducklake_column`,
    );
  }
  return child;
}

function childNamed(column: LakeColumn, name: string): LakeColumn {
  const child = column.children.find((c) => c.name === name);
  if (!child)
    throw new BosunError(
      'LAKE_ERROR',
      `map column '${column.name}' (id ${column.id}) has no '${name}' child in ducklake_column`,
    );
  return child;
}

/**
 * Turns a DuckDB result column into a lake column, numbering it and its children in pre-order
 * from `nextId` (as the extension numbers them: a list gets id n, its element n + 1).
 * Fixed-size arrays become lists: DuckLake has no fixed-size array type.
 */
export function lakeColumnFromDuckDB(name: string, type: DuckDBType, nextId: () => number): LakeColumn {
  const id = nextId();
  const node = (lakeType: string, children: LakeColumn[] = []): LakeColumn => ({
    id,
    name,
    type: lakeType,
    children,
    initialDefault: null,
  });
  switch (type.typeId as number) {
    case TypeId.LIST:
    case TypeId.ARRAY:
      return node('list', [
        lakeColumnFromDuckDB('element', (type as DuckDBListType | DuckDBArrayType).valueType, nextId),
      ]);
    case TypeId.STRUCT: {
      const struct = type as DuckDBStructType;
      return node(
        'struct',
        struct.entryNames.map((entry, i) => lakeColumnFromDuckDB(entry, struct.entryTypes[i]!, nextId)),
      );
    }
    case TypeId.MAP: {
      const map = type as DuckDBMapType;
      const key = lakeColumnFromDuckDB('key', map.keyType, nextId);
      return node('map', [key, lakeColumnFromDuckDB('value', map.valueType, nextId)]);
    }
    case TypeId.DECIMAL: {
      const decimal = type as DuckDBDecimalType;
      return node(`decimal(${decimal.width},${decimal.scale})`);
    }
    case TypeId.VARCHAR:
      if (type.alias?.toUpperCase() === 'JSON') return node('json');
  }
  const lakeType = lakeTypeByTypeId[type.typeId as number];
  if (!lakeType) {
    throw new BosunError('INVALID_INPUT', `column '${name}' has type ${type.toString()}, which DuckLake cannot store`, {
      hint:
        (type.typeId as number) === TypeId.SQLNULL
          ? 'the column is an untyped NULL: cast it, e.g. NULL::VARCHAR'
          : 'use one of the DuckLake types (integers, FLOAT/DOUBLE, DECIMAL, BOOLEAN, VARCHAR, BLOB, DATE, TIME, TIMESTAMP[TZ], UUID, JSON, lists, structs, maps)',
    });
  }
  return node(lakeType);
}

/** Every column of a tree, parents before children. */
export function flattenColumns(columns: readonly LakeColumn[]): LakeColumn[] {
  return columns.flatMap((c) => [c, ...flattenColumns(c.children)]);
}

/** The highest column id used in a tree (0 for none). */
export function maxColumnId(columns: readonly LakeColumn[]): number {
  return flattenColumns(columns).reduce((max, c) => Math.max(max, c.id), 0);
}

/**
 * `FIELD_IDS` for DuckDB's Parquet writer: every column and nested child gets its column id,
 * e.g. `{"tags": {__duckdb_field_id: 5, "element": 6}}`.
 */
export function fieldIdsSql(columns: readonly LakeColumn[], extra: Record<string, number> = {}): string {
  const entry = (c: LakeColumn): string =>
    c.children.length
      ? `{__duckdb_field_id: ${c.id}, ${c.children.map((k) => `${quoteIdent(k.name)}: ${entry(k)}`).join(', ')}}`
      : String(c.id);
  const parts = [
    ...columns.map((c) => `${quoteIdent(c.name)}: ${entry(c)}`),
    ...Object.entries(extra).map(([k, v]) => `${quoteIdent(k)}: ${v}`),
  ];
  return `{${parts.join(', ')}}`;
}

/** Leaf columns with the key DuckDB's `RETURN_STATS` uses for them: `"meta"."lang"`. */
export function leafStatsKeys(columns: readonly LakeColumn[]): Map<string, LakeColumn> {
  const keys = new Map<string, LakeColumn>();
  const walk = (c: LakeColumn, prefix: string) => {
    const key = prefix ? `${prefix}.${quoteIdent(c.name)}` : quoteIdent(c.name);
    if (c.children.length) c.children.forEach((k) => walk(k, key));
    else keys.set(key, c);
  };
  columns.forEach((c) => walk(c, ''));
  return keys;
}

export const isFloatType = (lakeType: string): boolean => lakeType === 'float32' || lakeType === 'float64';
