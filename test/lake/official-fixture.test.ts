import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLake, type Lake } from '../../src/lake/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { query } from './support.js';

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
const normalise = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)]));

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
    const expected = JSON.parse(fs.readFileSync(path.join(fixture, 'expected/per_snapshot.json'), 'utf8')) as Expected[];
    const snapshots = new Set(expected.map((e) => e.snapshot_id));
    expect(snapshots.size).toBe(20);
    for (const e of expected) {
      const sql = aggregates[e.table]!;
      if ('error' in e.result[0]!) {
        await expect(query(lake, sql, { snapshot: e.snapshot_id }), `${e.table} at ${e.snapshot_id}`).rejects.toThrow(/does not exist/);
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
        if (column === 'f32' || column === 'f64') expect(Object.is(Number(got), Number(value)), `${column} of row ${i}`).toBe(true);
        else if (column === 'j') expect(got === null ? null : JSON.parse(String(got)), `j of row ${i}`).toEqual(value);
        else if (column === 'm') {
          const entries = got as { key: string; value: unknown }[] | null;
          expect(entries && Object.fromEntries(entries.map((e) => [e.key, e.value])), `m of row ${i}`).toEqual(value);
        } else if (value !== null && typeof value !== 'object') expect(String(got), `${column} of row ${i}`).toBe(String(value));
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
    const added = await lake.append('docs.chunks', [{ chunk_id: 'c09999', library: 'bosun', version: 'x', ordinal: 1, tokens: 7, score: 2.5 }]);
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
      (await conn.runAndReadAll(`SELECT name, field_id FROM parquet_schema('${dataPath}/docs/chunks/${file.rows[0].path}') WHERE field_id IS NOT NULL ORDER BY field_id`)).getRowObjectsJson(),
    );
    expect(ids.map((r) => `${r.name}:${r.field_id}`)).toEqual([
      'chunk_id:1', 'library:2', 'version:3', 'path:4', 'heading_path:5', 'element:6', 'ordinal:7', 'text:8', 'tokens:9',
      'embedding:10', 'element:11', 'updated_at:12', 'meta:13', 'lang:14', 'code:15', 'score:16',
    ]);
  });
});
