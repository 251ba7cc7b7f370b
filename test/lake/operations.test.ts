import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestLake, filesUnder, query, type TestLake } from './support.js';

describe('lake operations', () => {
  let t: TestLake;
  beforeAll(async () => {
    t = await createTestLake();
  });
  afterAll(async () => t.close());

  const tableId = async (name: string): Promise<number> =>
    (await t.db.pool.query(`SELECT table_id FROM ducklake.ducklake_table WHERE table_name = $1`, [name])).rows[0]
      .table_id;

  /** Everything that must not change when an operation is refused. */
  const state = async () => ({ snapshot: await t.lake.latestSnapshotId(), files: filesUnder(t.dataPath) });

  it('initialises the catalog once: snapshot 0, schema main and the metadata', async () => {
    const metadata = await t.db.pool.query(`SELECT key, value FROM ducklake.ducklake_metadata ORDER BY key`);
    expect(Object.fromEntries(metadata.rows.map((r) => [r.key, r.value]))).toEqual({
      created_by: 'Bosun',
      data_inlining_row_limit: '0',
      data_path: `${t.dataPath}/`,
      encrypted: 'false',
      version: '1.0',
    });
    const { openLake } = await import('../../src/lake/index.js');
    await Promise.all([1, 2, 3].map(() => openLake({ pool: t.db.pool, dataPath: t.dataPath })));
    const snapshots = await t.db.pool.query(
      `SELECT snapshot_id, schema_version, next_catalog_id, next_file_id FROM ducklake.ducklake_snapshot`,
    );
    expect(snapshots.rows).toEqual([{ snapshot_id: 0, schema_version: 0, next_catalog_id: 1, next_file_id: 0 }]);
    await expect(openLake({ pool: t.db.pool, dataPath: '/somewhere/else' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('creates schemas and tables, and refuses bad names, types and duplicates without changing anything', async () => {
    const { lake } = t;
    const s1 = await lake.createSchema('ops');
    expect(s1).toBe(1);
    expect(
      await lake.createTable('ops.items', [
        { name: 'id', type: 'BIGINT' },
        { name: 'vec', type: 'FLOAT[3]' },
      ]),
    ).toBe(2);
    const before = await state();
    await expect(lake.createSchema('ops')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(lake.createSchema('bad-name')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(lake.createTable('ops.items', [{ name: 'id', type: 'BIGINT' }])).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(lake.createTable('nowhere.items', [{ name: 'id', type: 'BIGINT' }])).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(lake.createTable('ops.t', [{ name: 'x', type: 'NOT_A_TYPE' }])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(lake.createTable('ops.t', [{ name: 'x', type: 'UNION(a INT, b VARCHAR)' }])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('cannot store'),
    });
    await expect(lake.createTable('ops.t', [{ name: 'x', type: 'INT) AS x; COPY (SELECT 1' }])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      lake.createTable('ops.t', [
        { name: 'x', type: 'INT' },
        { name: 'X', type: 'INT' },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(lake.createTable('ops.t', { as: `SELECT 'a'::ENUM ('a', 'b') AS e` })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('cannot store'),
    });
    expect(await state()).toEqual(before);
    // A fixed-size array is stored as a list (DuckLake has none).
    const columns = await t.db.pool.query(
      `SELECT column_id, column_name, column_type, parent_column FROM ducklake.ducklake_column WHERE table_id = 2 ORDER BY column_id`,
    );
    expect(columns.rows).toEqual([
      { column_id: 1, column_name: 'id', column_type: 'int64', parent_column: null },
      { column_id: 2, column_name: 'vec', column_type: 'list', parent_column: null },
      { column_id: 3, column_name: 'element', column_type: 'float32', parent_column: 2 },
    ]);
  });

  it('round-trips every type through rows, with nested field ids equal to column ids', async () => {
    const { lake } = t;
    await lake.createTable('ops.types', [
      { name: 'i8', type: 'TINYINT' },
      { name: 'u16', type: 'USMALLINT' },
      { name: 'i64', type: 'BIGINT' },
      { name: 'u64', type: 'UBIGINT' },
      { name: 'h', type: 'HUGEINT' },
      { name: 'f', type: 'FLOAT' },
      { name: 'd', type: 'DOUBLE' },
      { name: 'dec', type: 'DECIMAL(10,3)' },
      { name: 'b', type: 'BOOLEAN' },
      { name: 's', type: 'VARCHAR' },
      { name: 'bl', type: 'BLOB' },
      { name: 'dt', type: 'DATE' },
      { name: 'tm', type: 'TIME' },
      { name: 'ts', type: 'TIMESTAMP' },
      { name: 'tz', type: 'TIMESTAMPTZ' },
      { name: 'u', type: 'UUID' },
      { name: 'j', type: 'JSON' },
      { name: 'emb', type: 'FLOAT[]' },
      { name: 'meta', type: 'STRUCT(lang VARCHAR, tags VARCHAR[])' },
      { name: 'm', type: 'MAP(VARCHAR, INTEGER)' },
    ]);
    const row = {
      i8: -5,
      u16: 65535,
      i64: 9007199254740993n,
      u64: '18446744073709551615',
      h: '-9007199254740991',
      f: 0.25,
      d: Number.NaN,
      dec: '1234567.125',
      b: true,
      s: 'héllo, "lake"',
      bl: Buffer.from([0, 255, 10]),
      dt: '2026-01-31',
      tm: '12:30:00.5',
      ts: '2026-01-31 12:30:00',
      tz: new Date('2026-01-31T12:30:00.123Z'),
      u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      j: { nested: [1, 'two', null] },
      emb: [0.5, -1, 2.25],
      meta: { lang: 'sql', tags: ['a', 'b'] },
      m: { k: 1, l: 2 },
    };
    expect((await lake.append('ops.types', [row, {}])).rows).toBe(2);
    const [got, empty] = await query(
      lake,
      `SELECT i8, u16, i64::VARCHAR AS i64, u64::VARCHAR AS u64, h::VARCHAR AS h, f, d, dec::VARCHAR AS dec, b, s, hex(bl) AS bl,
              dt::VARCHAR AS dt, tm::VARCHAR AS tm, ts::VARCHAR AS ts, tz::VARCHAR AS tz, u::VARCHAR AS u, j::VARCHAR AS j, emb, meta,
              map_extract(m, 'l')[1] AS ml, typeof(emb) AS emb_type
         FROM ops.types ORDER BY i8 NULLS LAST`,
    );
    expect(got).toEqual({
      i8: -5,
      u16: 65535,
      i64: '9007199254740993',
      u64: '18446744073709551615',
      h: '-9007199254740991',
      f: 0.25,
      d: 'NaN',
      dec: '1234567.125',
      b: true,
      s: 'héllo, "lake"',
      bl: '00FF0A',
      dt: '2026-01-31',
      tm: '12:30:00.5',
      ts: '2026-01-31 12:30:00',
      tz: '2026-01-31 12:30:00.123+00',
      u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      j: '{"nested":[1,"two",null]}',
      emb: [0.5, -1, 2.25],
      meta: { lang: 'sql', tags: ['a', 'b'] },
      ml: 2,
      emb_type: 'FLOAT[]',
    });
    expect(
      Object.values(empty!)
        .slice(0, 17)
        .every((v) => v === null),
    ).toBe(true);
    const file = await t.db.pool.query(
      `SELECT d.path FROM ducklake.ducklake_data_file d JOIN ducklake.ducklake_table t USING (table_id) WHERE t.table_name = 'types'`,
    );
    const fieldIds = await lake.withReader({}, async (conn) =>
      (
        await conn.runAndReadAll(
          `SELECT name, field_id FROM parquet_schema('${t.dataPath}/ops/types/${file.rows[0].path}') WHERE field_id IS NOT NULL ORDER BY field_id`,
        )
      ).getRowObjectsJson(),
    );
    const catalog = await t.db.pool.query(
      `SELECT c.column_name AS name, c.column_id::VARCHAR AS field_id FROM ducklake.ducklake_column c JOIN ducklake.ducklake_table t USING (table_id)
        WHERE t.table_name = 'types' ORDER BY c.column_id`,
    );
    expect(fieldIds).toEqual(catalog.rows);
    expect(fieldIds.map((r) => r.name)).toContain('tags');
  });

  it('appends SQL relations and Parquet files by column name, and refuses rows that do not fit', async () => {
    const { lake } = t;
    await lake.createTable('ops.people', [
      { name: 'id', type: 'INTEGER' },
      { name: 'name', type: 'VARCHAR' },
      { name: 'age', type: 'INTEGER' },
    ]);
    expect((await lake.append('ops.people', { sql: `SELECT 'ann' AS name, 1 AS id` })).rows).toBe(1);
    const parquet = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-in-')), 'people.parquet');
    await lake.withReader({}, (conn) =>
      conn.run(`COPY (SELECT range::INTEGER + 2 AS id, 'p' || range AS name, 40 AS age FROM range(3)) TO '${parquet}'`),
    );
    expect((await lake.append('ops.people', { parquetFile: parquet })).rows).toBe(3);
    expect(await query(lake, `SELECT id, name, age FROM ops.people ORDER BY id`)).toEqual([
      { id: 1, name: 'ann', age: null },
      { id: 2, name: 'p0', age: 40 },
      { id: 3, name: 'p1', age: 40 },
      { id: 4, name: 'p2', age: 40 },
    ]);

    const before = await state();
    await expect(lake.append('ops.people', { sql: `SELECT 1 AS id, 'x' AS nickname` })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('nickname'),
    });
    await expect(lake.append('ops.people', [{ id: 'seven' }])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('row 0.id'),
    });
    await expect(lake.append('ops.people', [{ id: 1, shoe: 42 }])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining("'shoe'"),
    });
    await expect(lake.append('ops.people', { sql: `SELECT 'x' AS id` })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      lake.append('ops.people', { sql: `SELECT 1 AS id; COPY (SELECT 1) TO '/tmp/x.csv'` }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(lake.append('ops.people', { parquetFile: '/no/such/file.parquet' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(lake.append('ops.nobody', [{ id: 1 }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await state()).toEqual(before);
    expect(await lake.append('ops.people', [])).toEqual({ snapshotId: null, rows: 0 });
  });

  it('deletes by predicate, ends data files that lose every row, and overwrites in one snapshot', async () => {
    const { lake } = t;
    await lake.createTable('ops.events', [
      { name: 'id', type: 'INTEGER' },
      { name: 'kind', type: 'VARCHAR' },
    ]);
    await lake.append('ops.events', { sql: `SELECT range::INTEGER AS id, 'a' AS kind FROM range(10)` });
    await lake.append('ops.events', { sql: `SELECT range::INTEGER + 10 AS id, 'b' AS kind FROM range(10)` });
    const before = await state();
    await expect(lake.delete('ops.events', 'no_such_column = 1')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(lake.delete('ops.events', `id = 1; DROP TABLE x`)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await state()).toEqual(before);
    expect(await lake.delete('ops.events', 'id > 100')).toEqual({ snapshotId: null, rows: 0 });

    const partial = await lake.delete('ops.events', `id % 3 = 0`);
    expect(partial.rows).toBe(7);
    const whole = await lake.delete('ops.events', `kind = 'b'`);
    expect(whole.rows).toBe(7);
    const files = await t.db.pool.query(
      `SELECT d.record_count, d.end_snapshot, x.delete_count, x.end_snapshot AS delete_end
         FROM ducklake.ducklake_data_file d JOIN ducklake.ducklake_table t USING (table_id)
         LEFT JOIN ducklake.ducklake_delete_file x ON x.data_file_id = d.data_file_id
        WHERE t.table_name = 'events' ORDER BY d.row_id_start`,
    );
    // File a keeps a delete file; file b lost every row, so it (and its delete file) ended.
    expect(files.rows).toEqual([
      { record_count: 10, end_snapshot: null, delete_count: 4, delete_end: null },
      { record_count: 10, end_snapshot: whole.snapshotId, delete_count: 3, delete_end: whole.snapshotId },
    ]);
    expect(await query(lake, `SELECT list(id ORDER BY id) AS ids FROM ops.events`)).toEqual([
      { ids: [1, 2, 4, 5, 7, 8] },
    ]);

    const over = await lake.overwrite('ops.events', [{ id: 100, kind: 'new' }]);
    expect(over.rows).toBe(1);
    expect(await query(lake, `SELECT id, kind FROM ops.events`)).toEqual([{ id: 100, kind: 'new' }]);
    expect(await query(lake, `SELECT count(*)::INT AS n FROM ops.events`, { snapshot: whole.snapshotId! })).toEqual([
      { n: 6 },
    ]);
    const changes = await t.db.pool.query(
      `SELECT changes_made FROM ducklake.ducklake_snapshot_changes WHERE snapshot_id = $1`,
      [over.snapshotId],
    );
    const events = await tableId('events');
    expect(changes.rows[0].changes_made).toBe(`deleted_from_table:${events},inserted_into_table:${events}`);
  });

  it('commits several table writes as one snapshot, and nothing (no files either) when the callback fails', async () => {
    const { lake } = t;
    const result = await lake.transaction(
      async (tx) => {
        await tx.createTable('ops.pages', [{ name: 'id', type: 'INTEGER' }]);
        await tx.append('ops.pages', [{ id: 1 }, { id: 2 }]);
        const deleted = await tx.delete('ops.people', `name = 'ann'`);
        await tx.append('ops.people', [{ id: 9, name: 'zed' }]);
        return deleted;
      },
      { author: 'tester', message: 'one sync' },
    );
    expect(result.value).toBe(1);
    const [pages, people] = [await tableId('pages'), await tableId('people')];
    expect(result.changes).toBe(
      `created_table:"ops"."pages",inserted_into_table:${pages},deleted_from_table:${people},inserted_into_table:${people}`,
    );
    const snap = await t.db.pool.query(
      `SELECT author, commit_message FROM ducklake.ducklake_snapshot_changes WHERE snapshot_id = $1`,
      [result.snapshotId],
    );
    expect(snap.rows).toEqual([{ author: 'tester', commit_message: 'one sync' }]);
    expect(
      await query(
        lake,
        `SELECT (SELECT count(*) FROM ops.pages)::INT AS pages, (SELECT list(name ORDER BY id) FROM ops.people) AS people`,
      ),
    ).toEqual([{ pages: 2, people: ['p0', 'p1', 'p2', 'zed'] }]);

    const before = await state();
    await expect(
      lake.transaction(async (tx) => {
        await tx.append('ops.pages', [{ id: 3 }]);
        await tx.createTable('ops.more', [{ name: 'x', type: 'INTEGER' }]);
        await tx.append('ops.more', [{ x: 1 }]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await state()).toEqual(before);
    await expect(
      lake.transaction(async (tx) => {
        await tx.append('ops.pages', [{ id: 4 }]);
        await tx.delete('ops.pages', 'id = 1');
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('after appending') });
    expect(await state()).toEqual(before);
  });

  it('drops tables and schemas; a dropped table stays readable at earlier snapshots', async () => {
    const { lake } = t;
    await lake.createSchema('gone');
    await lake.createTable('gone.t', [{ name: 'x', type: 'INTEGER' }]);
    const { snapshotId } = await lake.append('gone.t', [{ x: 42 }]);
    await expect(lake.dropSchema('gone')).rejects.toMatchObject({ code: 'CONFLICT' });
    await lake.dropTable('gone.t');
    await lake.dropSchema('gone');
    expect((await lake.tables()).map((x) => x.name)).not.toContain('gone.t');
    await expect(query(lake, `SELECT * FROM gone.t`)).rejects.toThrow(/does not exist/);
    expect(await query(lake, `SELECT x FROM gone.t`, { snapshot: snapshotId! })).toEqual([{ x: 42 }]);
    await expect(lake.append('gone.t', [{ x: 1 }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('gives SQL that reads a table at a snapshot on any DuckDB connection', async () => {
    const { lake } = t;
    const scan = await lake.scan('ops.people');
    expect(scan.columns).toEqual([
      { name: 'id', type: 'INTEGER' },
      { name: 'name', type: 'VARCHAR' },
      { name: 'age', type: 'INTEGER' },
    ]);
    const rows = await lake.withReader({}, async (conn) =>
      (await conn.runAndReadAll(`SELECT count(*)::INT AS n FROM (${scan.sql})`)).getRowObjectsJson(),
    );
    expect(rows).toEqual([{ n: 4 }]);
    await expect(lake.scan('ops.nothing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a table with inlined rows instead of reading it without them, and still reads the others', async () => {
    const { lake } = t;
    await lake.createTable('ops.inlined', [{ name: 'x', type: 'INTEGER' }]);
    const id = (await t.db.pool.query(`SELECT table_id FROM ducklake.ducklake_table WHERE table_name = 'inlined'`))
      .rows[0].table_id;
    // What the extension does with DATA_INLINING_ROW_LIMIT > 0: rows in a catalog table.
    await t.db.pool.query(
      `CREATE TABLE ducklake.ducklake_inlined_data_${id}_1 (row_id bigint, begin_snapshot bigint, end_snapshot bigint, x integer)`,
    );
    await t.db.pool.query(`INSERT INTO ducklake.ducklake_inlined_data_${id}_1 VALUES (0, 1, NULL, 7)`);
    await t.db.pool.query(`INSERT INTO ducklake.ducklake_inlined_data_tables VALUES ($1, $2, 1)`, [
      id,
      `ducklake_inlined_data_${id}_1`,
    ]);
    await expect(lake.scan('ops.inlined')).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining('inlined'),
    });
    await expect(query(lake, `SELECT count(*) FROM ops.inlined`)).rejects.toThrow(
      /UNSUPPORTED: table ops.inlined has rows inlined/,
    );
    expect(await query(lake, `SELECT count(*)::INT AS n FROM ops.pages`)).toEqual([{ n: 2 }]);
    expect((await lake.tables()).find((x) => x.name === 'ops.inlined')?.unreadable).toMatch(/inlined/);
  });
});
