import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/commands/lake.js';
import { attachStatement } from '../../src/lake/index.js';
import { findConflict, formatChanges, parseChanges, type ChangeToken } from '../../src/lake/changes.js';
import { compareDecimalStrings, compareStatValues, mergeTableStats } from '../../src/lake/stats.js';
import { uuid7 } from '../../src/lake/uuid7.js';

describe('change tokens', () => {
  it('round-trips names with quotes, dots and commas', () => {
    const tokens: ChangeToken[] = [
      { kind: 'created_schema', schema: 'we,ird' },
      { kind: 'created_table', schema: 'docs', name: 'this "table" has.dots' },
      { kind: 'inserted_into_table', id: 12 },
      { kind: 'deleted_from_table', id: 12 },
    ];
    const text = formatChanges([...tokens, { kind: 'inserted_into_table', id: 12 }]);
    expect(text).toBe(
      'created_schema:"we,ird",created_table:"docs"."this ""table"" has.dots",inserted_into_table:12,deleted_from_table:12',
    );
    expect(parseChanges(text)).toEqual(tokens);
  });

  it('reads what the extension writes, including merge_adjacent and tokens it does not know', () => {
    expect(parseChanges('merge_adjacent:5,dropped_table:4,something_new:7')).toEqual([
      { kind: 'compacted_table', id: 5 },
      { kind: 'dropped_table', id: 4 },
      { kind: 'other', text: 'something_new:7' },
    ]);
    expect(parseChanges('')).toEqual([]);
  });
});

describe('conflict rules (conflict_resolution.md)', () => {
  const ours = (tokens: ChangeToken[], schemaIds: [string, number][] = [], dropped: [number, string][] = []) => ({
    tokens,
    schemaIds: new Map(schemaIds),
    droppedSchemaNames: new Map(dropped),
  });
  const t = (text: string) => parseChanges(text);

  it('lets inserts into one table, and deletes from different files, go together', () => {
    expect(findConflict(ours(t('inserted_into_table:2')), t('inserted_into_table:2,compacted_table:2'))).toBeNull();
    expect(findConflict(ours(t('deleted_from_table:2')), t('deleted_from_table:2'))).toBeNull();
    expect(findConflict(ours(t('created_table:"a"."x"')), t('created_table:"a"."y",inserted_into_table:9'))).toBeNull();
  });

  it.each([
    ['created_schema:"s"', 'created_schema:"s"'],
    ['dropped_schema:3', 'dropped_schema:3'],
    ['created_table:"s"."t"', 'created_table:"s"."t"'],
    ['created_table:"s"."t"', 'created_view:"s"."t"'],
    ['dropped_table:4', 'dropped_table:4'],
    ['altered_table:4', 'altered_table:4'],
    ['altered_table:4', 'dropped_table:4'],
    ['inserted_into_table:4', 'dropped_table:4'],
    ['inserted_into_table:4', 'altered_table:4'],
    ['inserted_into_table:4', 'deleted_from_table:4'],
    ['deleted_from_table:4', 'inserted_into_table:4'],
    ['deleted_from_table:4', 'compacted_table:4'],
    ['deleted_from_table:4', 'dropped_table:4'],
    ['compacted_table:4', 'deleted_from_table:4'],
    ['compacted_table:4', 'dropped_table:4'],
  ])('%s conflicts with %s', (mine, theirs) => {
    expect(findConflict(ours(t(mine)), t(theirs))).not.toBeNull();
  });

  it('knows which schema a name meant at the base snapshot', () => {
    expect(findConflict(ours(t('created_table:"s"."t"'), [['s', 7]]), t('dropped_schema:7'))).toMatch(
      /dropped schema s/,
    );
    expect(findConflict(ours(t('created_table:"s"."t"')), t('dropped_schema:7'))).toBeNull();
    expect(findConflict(ours(t('dropped_schema:7'), [], [[7, 's']]), t('created_table:"s"."u"'))).toMatch(
      /entry in schema s/,
    );
  });
});

describe('statistics values', () => {
  it('compares decimal strings exactly', () => {
    const sorted = [
      '-123456789012345.678',
      '-2',
      '-1.50',
      '-0.001',
      '0',
      '0.0',
      '0.05',
      '0.5',
      '1',
      '1.25',
      '10',
      '18446744073709551615',
    ];
    for (let i = 0; i < sorted.length; i++) {
      for (let j = 0; j < sorted.length; j++) {
        const expected = Math.sign(Number(sorted[i]) - Number(sorted[j]));
        expect(Math.sign(compareDecimalStrings(sorted[i]!, sorted[j]!)), `${sorted[i]} vs ${sorted[j]}`).toBe(expected);
      }
    }
  });

  it('orders values by their DuckLake type', () => {
    expect(compareStatValues('int32', '9', '10')).toBeLessThan(0);
    expect(compareStatValues('varchar', '9', '10')).toBeGreaterThan(0);
    expect(compareStatValues('float64', 'inf', '1e300')).toBeGreaterThan(0);
    expect(compareStatValues('float32', '-inf', '-3.5')).toBeLessThan(0);
    expect(compareStatValues('date', 'infinity', '9999-12-31')).toBeGreaterThan(0);
    expect(compareStatValues('timestamptz', '2026-01-01 00:00:00+00', '2025-12-31 23:59:59.999999+00')).toBeGreaterThan(
      0,
    );
    // Byte order, as DuckDB compares strings: 'é' (0xC3 0xA9) sorts after 'z'.
    expect(compareStatValues('varchar', 'é', 'z')).toBeGreaterThan(0);
  });

  it('merges a file into table statistics as unions of ranges and flags', () => {
    const table = { columnId: 1, containsNull: false, containsNan: false, min: '5', max: '20' };
    expect(
      mergeTableStats('int64', table, {
        columnId: 1,
        columnSizeBytes: 9,
        valueCount: 3,
        nullCount: 1,
        min: '-3',
        max: '7',
        containsNan: null,
      }),
    ).toEqual({
      columnId: 1,
      containsNull: true,
      containsNan: false,
      min: '-3',
      max: '20',
    });
    expect(
      mergeTableStats(
        'float64',
        { ...table, min: null, max: null },
        { columnId: 1, columnSizeBytes: 1, valueCount: 1, nullCount: 0, min: '1.5', max: '1.5', containsNan: true },
      ),
    ).toMatchObject({
      min: '1.5',
      max: '1.5',
      containsNan: true,
    });
  });
});

describe('the ATTACH statement for the official extension', () => {
  it('spells out the catalog connection and the data path', () => {
    expect(
      attachStatement('postgresql://bosun:s3cr%27t@127.0.0.1:5433/bosun', '/home/me/.local/share/bosun/lake/'),
    ).toBe(
      `ATTACH 'ducklake:postgres:dbname=bosun host=127.0.0.1 port=5433 user=bosun password=''s3cr\\''t''' AS lake (METADATA_SCHEMA 'ducklake', DATA_PATH '/home/me/.local/share/bosun/lake/')`,
    );
    expect(attachStatement('postgres://u@db.example.com/lake?sslmode=require', '/data/')).toBe(
      `ATTACH 'ducklake:postgres:dbname=lake host=db.example.com port=5432 user=u sslmode=require' AS lake (METADATA_SCHEMA 'ducklake', DATA_PATH '/data/')`,
    );
  });
});

describe('small helpers', () => {
  it('makes version 7 UUIDs that sort by time', () => {
    const a = uuid7(1_700_000_000_000);
    const b = uuid7(1_700_000_000_001);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
  });

  it('parses durations for expire and cleanup', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('0s')).toBe(0);
    expect(() => parseDuration('30 days')).toThrow(/not a duration/);
  });

  it('knows DuckDB type ids as DuckDB does', async () => {
    const { DuckDBTypeId } = await import('@duckdb/node-api');
    const { lakeColumnFromDuckDB } = await import('../../src/lake/column-types.js');
    const { LIST, STRUCT, MAP, DECIMAL, ARRAY, INTEGER, UBIGINT, TIMESTAMPTZ, VARCHAR, UUID, HUGEINT, ENUM } =
      await import('@duckdb/node-api');
    let id = 0;
    const next = () => ++id;
    const col = lakeColumnFromDuckDB(
      'c',
      STRUCT({
        a: LIST(INTEGER),
        m: MAP(VARCHAR, UBIGINT),
        d: DECIMAL(9, 2),
        arr: ARRAY(TIMESTAMPTZ, 3),
        u: UUID,
        h: HUGEINT,
      }),
      next,
    );
    const types = (c: typeof col): string[] => [c.type, ...c.children.flatMap(types)];
    expect(types(col)).toEqual([
      'struct',
      'list',
      'int32',
      'map',
      'varchar',
      'uint64',
      'decimal(9,2)',
      'list',
      'timestamptz',
      'uuid',
      'int128',
    ]);
    expect(DuckDBTypeId.SQLNULL).toBe(36);
    expect(() => lakeColumnFromDuckDB('e', ENUM(['a']), next)).toThrow(/cannot store/);
  });
});
