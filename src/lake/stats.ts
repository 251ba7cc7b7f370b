import { isFloatType, leafStatsKeys, type LakeColumn } from './column-types.js';

/**
 * Column statistics as the extension records them: one `ducklake_file_column_stats` row per
 * leaf column of a file (nested parents have none), and per table the running union in
 * `ducklake_table_column_stats`. Values are strings in the encoding of data_types.md, which is
 * the encoding DuckDB's Parquet writer reports. Wrong statistics are wrong query results
 * (readers prune files with them), so merging compares values by type.
 */

export interface FileColumnStats {
  columnId: number;
  columnSizeBytes: number | null;
  valueCount: number | null;
  nullCount: number | null;
  min: string | null;
  max: string | null;
  containsNan: boolean | null;
}

export interface TableColumnStats {
  columnId: number;
  containsNull: boolean | null;
  containsNan: boolean | null;
  min: string | null;
  max: string | null;
}

const count = (value: string | undefined): number | null => (value === undefined ? null : Number(value));

/** Catalog rows for one written file, from DuckDB's `RETURN_STATS`. */
export function fileColumnStats(
  columns: readonly LakeColumn[],
  raw: Map<string, Map<string, string>>,
): FileColumnStats[] {
  const stats: FileColumnStats[] = [];
  for (const [key, column] of leafStatsKeys(columns)) {
    const s = raw.get(key);
    if (!s) continue;
    const nullCount = count(s.get('null_count'));
    const numValues = count(s.get('num_values'));
    stats.push({
      columnId: column.id,
      columnSizeBytes: count(s.get('column_size_bytes')),
      // num_values counts every leaf slot, NULLs included; the catalog counts values.
      valueCount: numValues === null ? null : numValues - (nullCount ?? 0),
      nullCount,
      min: s.get('min') ?? null,
      max: s.get('max') ?? null,
      containsNan: isFloatType(column.type) ? s.get('has_nan') === 'true' : null,
    });
  }
  return stats;
}

/** Table-level statistics started from a table's first file. */
export function tableStatsFromFile(file: FileColumnStats): TableColumnStats {
  return {
    columnId: file.columnId,
    containsNull: (file.nullCount ?? 0) > 0,
    containsNan: file.containsNan,
    min: file.min,
    max: file.max,
  };
}

/** The union of a table's statistics and one more file's. */
export function mergeTableStats(lakeType: string, table: TableColumnStats, file: FileColumnStats): TableColumnStats {
  const pick = (a: string | null, b: string | null, want: 1 | -1): string | null => {
    if (a === null) return b;
    if (b === null) return a;
    return compareStatValues(lakeType, b, a) * want > 0 ? b : a;
  };
  return {
    columnId: table.columnId,
    containsNull: (table.containsNull ?? false) || (file.nullCount ?? 0) > 0,
    containsNan:
      table.containsNan === null && file.containsNan === null
        ? null
        : (table.containsNan ?? false) || (file.containsNan ?? false),
    min: pick(table.min, file.min, -1),
    max: pick(table.max, file.max, 1),
  };
}

const integerOrDecimal = /^(u?int(8|16|32|64|128)|decimal\(.*\))$/;
const temporal = /^(date|timestamp(tz|_s|_ms|_ns)?)$/;

/** Orders two encoded statistics values of a DuckLake type (negative: a < b). */
export function compareStatValues(lakeType: string, a: string, b: string): number {
  if (integerOrDecimal.test(lakeType)) return compareDecimalStrings(a, b);
  if (isFloatType(lakeType)) return compareNumbers(parseFloatStat(a), parseFloatStat(b));
  if (temporal.test(lakeType)) {
    const rank = (v: string) => (v === '-infinity' ? -1 : v === 'infinity' ? 1 : 0);
    return rank(a) - rank(b) || compareBytes(a, b);
  }
  // varchar, json, uuid, blob (upper-case hex), time, boolean: DuckDB orders these byte-wise.
  return compareBytes(a, b);
}

function parseFloatStat(v: string): number {
  if (v === 'inf' || v === 'infinity') return Infinity;
  if (v === '-inf' || v === '-infinity') return -Infinity;
  return Number(v);
}

const compareNumbers = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

const compareBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Compares decimal strings such as `-12.50` and `3` exactly (no floating point). */
export function compareDecimalStrings(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (x.sign !== y.sign) return x.sign - y.sign;
  // Same sign: align the fractions, then a longer digit string is a larger magnitude.
  const width = Math.max(x.fraction.length, y.fraction.length);
  const xd = x.whole + x.fraction.padEnd(width, '0');
  const yd = y.whole + y.fraction.padEnd(width, '0');
  const magnitude = xd.length !== yd.length ? xd.length - yd.length : xd < yd ? -1 : xd > yd ? 1 : 0;
  return x.sign < 0 && magnitude !== 0 ? -magnitude : magnitude;
}

function parseDecimal(v: string): { sign: number; whole: string; fraction: string } {
  const [whole = '', fraction = ''] = v.replace(/^[-+]/, '').split('.');
  const digits = { whole: whole.replace(/^0+/, ''), fraction: fraction.replace(/0+$/, '') };
  const sign = digits.whole === '' && digits.fraction === '' ? 0 : v.startsWith('-') ? -1 : 1;
  return { sign, ...digits };
}
