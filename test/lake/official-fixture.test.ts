import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLake, type Lake } from '../../src/lake/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createTestLake, query, type TestLake } from './support.js';

/**
 * A lake written by the official extension (DuckDB 1.5.5, catalog on PostgreSQL): Bosun must
 * read every snapshot exactly as the extension did, and must be able to keep writing to it.
 */
const fixture = path.resolve(import.meta.dirname, '../../../shared/fixtures/ducklake-official');
const catalogSql = fs.readFileSync(path.join(fixture, 'catalog.sql'), 'utf8');

interface Expected {
  snapshot_id: number;
  table: string;
  result: Record<string, unknown>[];
}

const aggregates: Record<string, string> = {
  'docs.chunks': `SELECT count(*) AS n, sum(ordinal) AS sum_ordinal, sum(tokens) AS sum_tokens, count(DISTINCT chunk_id) AS distinct_ids,
      min(chunk_id) AS min_id, max(chunk_id) AS max_id, count(embedding) AS n_embedding,
      round(sum(list_sum(embedding)), 4) AS sum_embedding, count(meta.lang) AS n_lang FROM docs.chunks`,
  'main.types_demo': `SELECT count(*) AS n, sum(i64) AS sum_i64, count(s) AS n_s, max(tstz)::VARCHAR AS max_tstz FROM main.types_demo`,
  'main.dropped_later': `SELECT count(*) AS n, sum(x) AS sum_x FROM main.dropped_later`,
  'main.events': `SELECT count(*) AS n, sum(id) AS sum_id, count(DISTINCT kind) AS kinds, max(happened_at)::VARCHAR AS max_at FROM main.events`,
};

/** The same value, whether DuckDB's JSON gives a number or a digit string. */
const normalise = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)]));

async function loadFixtureCatalog(db: TestDatabase): Promise<void> {
  // A client of its own: the dump sets search_path to '' for its session.
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query(catalogSql);
  } finally {
    await client.end();
  }
}

describe('a lake written by the official DuckLake extension', () => {
  let db: TestDatabase;
  let lake: Lake;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    await loadFixtureCatalog(db);
    lake = await openLake({ pool: db.pool, dataPath: path.join(fixture, 'data') });
  });
  afterAll(async () => db.drop());

  it('returns the aggregates the extension returned, for every table at every snapshot', async () => {
    const expected = JSON.parse(
      fs.readFileSync(path.join(fixture, 'expected/per_snapshot.json'), 'utf8'),
    ) as Expected[];
    const snapshots = new Set(expected.map((e) => e.snapshot_id));
    expect(snapshots.size).toBe(20);
    for (const e of expected) {
      const sql = aggregates[e.table]!;
      if ('error' in e.result[0]!) {
        await expect(query(lake, sql, { snapshot: e.snapshot_id }), `${e.table} at ${e.snapshot_id}`).rejects.toThrow(
          /does not exist/,
        );
        continue;
      }
      const actual = await query(lake, sql, { snapshot: e.snapshot_id });
      expect(actual.map(normalise), `${e.table} at ${e.snapshot_id}`).toEqual(e.result.map(normalise));
    }
  });

  it('returns every row of docs.chunks at the latest snapshot', async () => {
    const rows = await lake.withReader({}, async (conn) => {
      const select = `SELECT chunk_id, library, version, path, ordinal::VARCHAR, text, tokens::VARCHAR, updated_at::VARCHAR, score::VARCHAR,
          heading_path::VARCHAR, embedding::VARCHAR, meta::VARCHAR FROM docs.chunks`;
      const expected = `SELECT * FROM read_csv('${path.join(fixture, 'expected/chunks-latest.csv')}', all_varchar = true, header = true)`;
      const reader = await conn.runAndReadAll(
        `SELECT (SELECT count(*) FROM (${select})) AS actual,
                (SELECT count(*) FROM (${expected})) AS expected,
                (SELECT count(*) FROM ((${select}) EXCEPT ALL (${expected}))) AS only_actual,
                (SELECT count(*) FROM ((${expected}) EXCEPT ALL (${select}))) AS only_expected`,
      );
      return reader.getRowObjectsJson()[0]!;
    });
    expect(normalise(rows)).toEqual({ actual: '2347', expected: '2347', only_actual: '0', only_expected: '0' });
  });

  it('returns every row of main.types_demo at the latest snapshot, value for value', async () => {
    // The expected file is Python's JSON: 64-bit integers and NaN/Infinity are bare tokens.
    const text = fs
      .readFileSync(path.join(fixture, 'expected/types_demo-latest.json'), 'utf8')
      .replace(/(?<=[:[,]\s*)(-?\d{16,}|NaN|-?Infinity)(?=\s*[,}\]])/g, '"$1"');
    const expected = JSON.parse(text) as Record<string, unknown>[];
    const actual = await query(
      lake,
      `SELECT i8, i16, i32, i64, u8, u64, f32, f64, dec, b, s, bl::VARCHAR AS bl, d::VARCHAR AS d, t::VARCHAR AS t,
              ts::VARCHAR AS ts, tstz::VARCHAR AS tstz, u::VARCHAR AS u, j, l, st, m
         FROM main.types_demo ORDER BY i8 NULLS LAST`,
    );
    expect(actual).toHaveLength(expected.length);
    actual.forEach((row, i) => {
      const want = expected[i]!;
      for (const [column, value] of Object.entries(want)) {
        const got = row[column];
        if (column === 'f32' || column === 'f64')
          expect(Object.is(Number(got), Number(value)), `${column} of row ${i}`).toBe(true);
        else if (column === 'j') expect(got === null ? null : JSON.parse(String(got)), `j of row ${i}`).toEqual(value);
        else if (column === 'm') {
          const entries = got as { key: string; value: unknown }[] | null;
          expect(entries && Object.fromEntries(entries.map((e) => [e.key, e.value])), `m of row ${i}`).toEqual(value);
        } else if (value !== null && typeof value !== 'object')
          expect(String(got), `${column} of row ${i}`).toBe(String(value));
        else expect(got, `${column} of row ${i}`).toEqual(value);
      }
    });
  });

  it('lists the snapshots with the changes the extension lists', async () => {
    const expected = JSON.parse(fs.readFileSync(path.join(fixture, 'expected/snapshots.json'), 'utf8')) as {
      snapshot_id: number;
      schema_version: number;
      changes: Record<string, string[]>;
    }[];
    const actual = await lake.snapshots();
    // The extension records merge_adjacent_files as merge_adjacent; the specification's token is compacted_table.
    const renamed = (changes: Record<string, string[]>) =>
      Object.fromEntries(Object.entries(changes).map(([k, v]) => [k === 'merge_adjacent' ? 'tables_compacted' : k, v]));
    expect(actual.map((s) => ({ snapshot_id: s.id, schema_version: s.schemaVersion, changes: s.changes }))).toEqual(
      expected.map((s) => ({ ...s, changes: renamed(s.changes) })),
    );
    expect((await lake.snapshots({ table: 'main.events' })).map((s) => s.id)).toEqual([14, 15, 16, 17, 18]);
  });

  it('has the catalog tables, columns and keys that the lake migration creates', async () => {
    const migrated = await createTestDatabase();
    try {
      const shape = async (pool: pg.Pool) =>
        (
          await pool.query(
            `SELECT table_name, column_name, ordinal_position, data_type, is_nullable
               FROM information_schema.columns WHERE table_schema = 'ducklake'
              ORDER BY table_name, ordinal_position`,
          )
        ).rows;
      const keys = async (pool: pg.Pool) =>
        (
          await pool.query(
            `SELECT tc.table_name, tc.constraint_type, kcu.column_name
               FROM information_schema.table_constraints tc
               JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
              WHERE tc.table_schema = 'ducklake' ORDER BY tc.table_name, kcu.column_name`,
          )
        ).rows;
      const ours = await shape(migrated.pool);
      expect(new Set(ours.map((r) => r.table_name)).size).toBe(28);
      expect(ours).toEqual(await shape(db.pool));
      expect(await keys(migrated.pool)).toEqual(await keys(db.pool));
    } finally {
      await migrated.drop();
    }
  });
});

describe('writing to a lake the extension wrote', () => {
  let db: TestDatabase;
  let lake: Lake;
  let dataPath: string;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    await loadFixtureCatalog(db);
    // The fixture is read-only: writes go to a copy of its data.
    dataPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-fixture-')), 'data');
    fs.cpSync(path.join(fixture, 'data'), dataPath, { recursive: true });
    lake = await openLake({ pool: db.pool, dataPath });
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(path.dirname(dataPath), { recursive: true, force: true });
  });

  it('deletes through its partial delete files and appends with its column ids, keeping its history', async () => {
    const count = `SELECT count(*) AS n, sum(tokens) AS tokens FROM docs.chunks`;
    const before = await query(lake, count);
    // c00005 is in the data file whose delete file the extension already replaced twice.
    const removed = await lake.delete('docs.chunks', `chunk_id IN ('c00005', 'c02010')`);
    expect(removed.rows).toBe(2);
    const added = await lake.append('docs.chunks', [
      { chunk_id: 'c09999', library: 'bosun', version: 'x', ordinal: 1, tokens: 7, score: 2.5 },
    ]);
    expect(added.rows).toBe(1);
    const after = await query(lake, count);
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n) - 2 + 1);
    // Every earlier snapshot still reads as the extension read it.
    expect(normalise((await query(lake, count, { snapshot: 19 }))[0]!)).toEqual(normalise(before[0]!));
    expect(normalise((await query(lake, count, { snapshot: 6 }))[0]!)).toEqual({ n: '1850', tokens: '415950' });
    expect(normalise((await query(lake, count, { snapshot: 5 }))[0]!)).toEqual({ n: '1850', tokens: '81950' });
    const added2 = await query(lake, `SELECT score, meta FROM docs.chunks WHERE chunk_id = 'c09999'`);
    expect(added2).toEqual([{ score: 2.5, meta: null }]);
    // The new file's field ids are the catalog's column ids, as the extension wrote its own.
    const file = await db.pool.query(
      `SELECT path FROM ducklake.ducklake_data_file WHERE table_id = 2 AND begin_snapshot = $1`,
      [added.snapshotId],
    );
    const ids = await lake.withReader({}, async (conn) =>
      (
        await conn.runAndReadAll(
          `SELECT name, field_id FROM parquet_schema('${dataPath}/docs/chunks/${file.rows[0].path}') WHERE field_id IS NOT NULL ORDER BY field_id`,
        )
      ).getRowObjectsJson(),
    );
    expect(ids.map((r) => `${r.name}:${r.field_id}`)).toEqual([
      'chunk_id:1',
      'library:2',
      'version:3',
      'path:4',
      'heading_path:5',
      'element:6',
      'ordinal:7',
      'text:8',
      'tokens:9',
      'embedding:10',
      'element:11',
      'updated_at:12',
      'meta:13',
      'lang:14',
      'code:15',
      'score:16',
    ]);
  });
});

describe('the catalog rows Bosun writes, next to the ones the extension wrote for the same statements', () => {
  let fixtureDb: TestDatabase;
  let t: TestLake;
  beforeAll(async () => {
    fixtureDb = await createTestDatabase({ migrate: false });
    await loadFixtureCatalog(fixtureDb);
    t = await createTestLake();
  });
  afterAll(async () => {
    await fixtureDb.drop();
    await t.close();
  });

  /** make.sql's chunk rows i in [from, to), with the column names of docs.chunks. */
  const chunkRows = (
    from: number,
    to: number,
  ) => `SELECT printf('c%05d', i) AS chunk_id, CASE WHEN i % 3 = 0 THEN 'mcp' ELSE 'ducklake' END AS library,
      CASE WHEN i % 2 = 0 THEN 'stable' ELSE '0.3' END AS version, printf('docs/page%03d.md', i // 10) AS path,
      ['Guide', printf('Section %d', i % 10)] AS heading_path, i % 10 AS ordinal, repeat(printf('chunk %d text ', i), 5) AS text,
      20 + i % 50 AS tokens, [(i % 7)::FLOAT / 7, (i % 11)::FLOAT / 11, (i % 13)::FLOAT / 13] AS embedding,
      (TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (i) MINUTE)::TIMESTAMPTZ AS updated_at,
      {'lang': CASE WHEN i % 4 = 0 THEN 'sql' ELSE NULL END, 'code': i % 4 = 0} AS meta
    FROM range(${from}, ${to}) t(i)`;

  const rows = async (db: Pick<TestDatabase, 'pool'>, sql: string, params: unknown[] = []) =>
    (await db.pool.query(sql, params)).rows;

  it('has the same snapshots, schema, table, columns, files and statistics for docs.chunks', async () => {
    const { lake } = t;
    await lake.createSchema('docs');
    await lake.createTable('docs.chunks', [
      { name: 'chunk_id', type: 'VARCHAR' },
      { name: 'library', type: 'VARCHAR' },
      { name: 'version', type: 'VARCHAR' },
      { name: 'path', type: 'VARCHAR' },
      { name: 'heading_path', type: 'VARCHAR[]' },
      { name: 'ordinal', type: 'INTEGER' },
      { name: 'text', type: 'VARCHAR' },
      { name: 'tokens', type: 'INTEGER' },
      { name: 'embedding', type: 'FLOAT[]' },
      { name: 'updated_at', type: 'TIMESTAMPTZ' },
      { name: 'meta', type: 'STRUCT(lang VARCHAR, code BOOLEAN)' },
    ]);
    await lake.append('docs.chunks', { sql: chunkRows(0, 1000) });
    await lake.append('docs.chunks', { sql: chunkRows(1000, 2000) });

    const snapshots = `SELECT s.snapshot_id, s.schema_version, s.next_catalog_id, s.next_file_id, c.changes_made
      FROM ducklake.ducklake_snapshot s JOIN ducklake.ducklake_snapshot_changes c USING (snapshot_id) WHERE snapshot_id <= 4 ORDER BY 1`;
    expect(await rows(t.db, snapshots)).toEqual(await rows(fixtureDb, snapshots));
    const schemas = `SELECT schema_id, begin_snapshot, end_snapshot, schema_name, path, path_is_relative FROM ducklake.ducklake_schema ORDER BY 1`;
    expect(await rows(t.db, schemas)).toEqual(await rows(fixtureDb, schemas));
    const tables = `SELECT table_id, begin_snapshot, schema_id, table_name, path, path_is_relative FROM ducklake.ducklake_table WHERE table_id = 2`;
    expect(await rows(t.db, tables)).toEqual(await rows(fixtureDb, tables));
    const columns = `SELECT column_id, begin_snapshot, end_snapshot, table_id, column_order, column_name, column_type, initial_default,
        default_value, nulls_allowed, parent_column, default_value_type, default_value_dialect
      FROM ducklake.ducklake_column WHERE table_id = 2 AND column_id <= 15 ORDER BY column_id`;
    expect(await rows(t.db, columns)).toEqual(await rows(fixtureDb, columns));
    const versions = `SELECT * FROM ducklake.ducklake_schema_versions WHERE table_id = 2 AND begin_snapshot = 2`;
    expect(await rows(t.db, versions)).toEqual(await rows(fixtureDb, versions));
    const files = `SELECT data_file_id, table_id, begin_snapshot, end_snapshot, file_order, path_is_relative, file_format, record_count,
        row_id_start, partition_id, encryption_key, mapping_id, partial_max
      FROM ducklake.ducklake_data_file WHERE data_file_id IN (0, 1) ORDER BY 1`;
    expect(await rows(t.db, files)).toEqual(await rows(fixtureDb, files));
    expect((await rows(t.db, `SELECT path FROM ducklake.ducklake_data_file`)).map((r) => r.path)).toEqual([
      expect.stringMatching(/^ducklake-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.parquet$/),
      expect.stringMatching(/^ducklake-.*\.parquet$/),
    ]);
    const stats = `SELECT data_file_id, table_id, column_id, column_size_bytes, value_count, null_count, min_value, max_value, contains_nan, extra_stats
      FROM ducklake.ducklake_file_column_stats WHERE data_file_id IN (0, 1) ORDER BY 1, 3`;
    expect(await rows(t.db, stats)).toEqual(await rows(fixtureDb, stats));
    const tableStats = await rows(t.db, `SELECT * FROM ducklake.ducklake_table_stats`);
    expect(tableStats).toEqual([
      { table_id: 2, record_count: 2000, next_row_id: 2000, file_size_bytes: expect.any(Number) },
    ]);
    // The fixture's table-level statistics are those after two more inserts; the first two
    // files alone give the ones the extension's own first two files give.
    const tableColumnStats = await rows(
      t.db,
      `SELECT column_id, contains_null, contains_nan, min_value, max_value FROM ducklake.ducklake_table_column_stats ORDER BY 1`,
    );
    expect(tableColumnStats).toEqual([
      { column_id: 1, contains_null: false, contains_nan: null, min_value: 'c00000', max_value: 'c01999' },
      { column_id: 2, contains_null: false, contains_nan: null, min_value: 'ducklake', max_value: 'mcp' },
      { column_id: 3, contains_null: false, contains_nan: null, min_value: '0.3', max_value: 'stable' },
      {
        column_id: 4,
        contains_null: false,
        contains_nan: null,
        min_value: 'docs/page000.md',
        max_value: 'docs/page199.md',
      },
      { column_id: 6, contains_null: false, contains_nan: null, min_value: 'Guide', max_value: 'Section 9' },
      { column_id: 7, contains_null: false, contains_nan: null, min_value: '0', max_value: '9' },
      {
        column_id: 8,
        contains_null: false,
        contains_nan: null,
        min_value: 'chunk 0 text chunk 0 text chunk 0 text chunk 0 text chunk 0 text ',
        max_value: 'chunk 999 text chunk 999 text chunk 999 text chunk 999 text chunk 999 text ',
      },
      { column_id: 9, contains_null: false, contains_nan: null, min_value: '20', max_value: '69' },
      { column_id: 11, contains_null: false, contains_nan: false, min_value: '0.0', max_value: '0.9230769' },
      {
        column_id: 12,
        contains_null: false,
        contains_nan: null,
        min_value: '2026-01-01 00:00:00+00',
        max_value: '2026-01-02 09:19:00+00',
      },
      { column_id: 14, contains_null: true, contains_nan: null, min_value: 'sql', max_value: 'sql' },
      { column_id: 15, contains_null: false, contains_nan: null, min_value: '0', max_value: '1' },
    ]);
  });

  it('has the same statistics for a file of many types (NULL, NaN, infinity, extremes, nested)', async () => {
    const { lake } = t;
    await lake.createTable('main.types_demo', {
      as: `SELECT NULL::TINYINT AS i8, NULL::SMALLINT AS i16, NULL::INTEGER AS i32, NULL::BIGINT AS i64,
      NULL::UTINYINT AS u8, NULL::UBIGINT AS u64, NULL::FLOAT AS f32, NULL::DOUBLE AS f64, NULL::DECIMAL(18,3) AS dec, NULL::BOOLEAN AS b,
      NULL::VARCHAR AS s, NULL::BLOB AS bl, NULL::DATE AS d, NULL::TIME AS t, NULL::TIMESTAMP AS ts, NULL::TIMESTAMPTZ AS tstz, NULL::UUID AS u,
      NULL::JSON AS j, NULL::INTEGER[] AS l, NULL::STRUCT(a INTEGER, b VARCHAR) AS st, NULL::MAP(VARCHAR, INTEGER) AS m`,
    });
    const { snapshotId } = await lake.append('main.types_demo', {
      sql: `SELECT * FROM (VALUES (-128, -32768, -2147483648, -9223372036854775808, 0, 0, -1.5, -2.25, -123456789012345.678, false, '', '\\x00\\xFF'::BLOB, DATE '1970-01-01', TIME '00:00:00', TIMESTAMP '1970-01-01 00:00:00', TIMESTAMPTZ '1970-01-01 00:00:00+00', '00000000-0000-0000-0000-000000000000', '{"a": 1}', [], {'a': 0, 'b': ''}, MAP {}),
        (127, 32767, 2147483647, 9223372036854775807, 255, 18446744073709551615, 3.5, 1e300, 123456789012345.678, true, 'héllo ✓', 'abc'::BLOB, DATE '2026-11-23', TIME '23:59:59.999999', TIMESTAMP '2026-11-23 12:34:56.789', TIMESTAMPTZ '2026-11-23 12:34:56.789+00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '[1, 2, {"x": null}]', [1, NULL, 3], {'a': 42, 'b': 'x'}, MAP {'k1': 1, 'k2': 2}),
        (NULL, NULL, NULL, NULL, NULL, NULL, 'NaN'::FLOAT, 'inf'::DOUBLE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))
        AS v(i8, i16, i32, i64, u8, u64, f32, f64, dec, b, s, bl, d, t, ts, tstz, u, j, l, st, m)`,
    });
    const ours = await rows(
      t.db,
      `SELECT s.column_id, s.value_count, s.null_count, s.min_value, s.max_value, s.contains_nan
         FROM ducklake.ducklake_file_column_stats s JOIN ducklake.ducklake_data_file d USING (data_file_id)
        WHERE d.begin_snapshot = $1 ORDER BY 1`,
      [snapshotId],
    );
    const theirs = await rows(
      fixtureDb,
      `SELECT column_id, value_count, null_count, min_value, max_value, contains_nan FROM ducklake.ducklake_file_column_stats WHERE data_file_id = 8 ORDER BY 1`,
    );
    expect(ours).toEqual(theirs);
    const columns = `SELECT column_id, column_order, column_name, column_type, parent_column, default_value_type FROM ducklake.ducklake_column WHERE table_id = $1 ORDER BY 1`;
    const oursTable = (
      await rows(t.db, `SELECT table_id FROM ducklake.ducklake_table WHERE table_name = 'types_demo'`)
    )[0]!.table_id;
    expect(await rows(t.db, columns, [oursTable])).toEqual(await rows(fixtureDb, columns, [3]));
    const tableStats = `SELECT column_id, contains_null, contains_nan, min_value, max_value FROM ducklake.ducklake_table_column_stats WHERE table_id = $1 ORDER BY 1`;
    expect(await rows(t.db, tableStats, [oursTable])).toEqual(await rows(fixtureDb, tableStats, [3]));
  });
});
