import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestLake, query, type TestLake } from './support.js';

/**
 * A history of appends, deletes (some replacing earlier delete files) and schema changes, with
 * the expected contents of the table after every commit kept alongside: every snapshot must
 * read exactly what it held, and the change feed must list exactly what each commit did.
 */
describe('time travel and schema evolution', () => {
  let t: TestLake;
  /** snapshot id → the rows (id → score) visible then; a missing score column is undefined. */
  const model = new Map<number, Map<number, number | null | undefined>>();
  const changes = new Map<number, { inserted: number[]; deleted: number[] }>();
  let created = 0;
  let scoreAdded = 0;
  let tagsAdded = 0;

  beforeAll(async () => {
    t = await createTestLake();
    const { lake } = t;
    await lake.createSchema('tt');
    created = await lake.createTable('tt.rows', [
      { name: 'id', type: 'INTEGER' },
      { name: 'label', type: 'VARCHAR' },
    ]);
    let current = new Map<number, number | null | undefined>();
    model.set(created, new Map(current));
    changes.set(created, { inserted: [], deleted: [] });
    const record = (snapshot: number | null, inserted: number[], deleted: number[]) => {
      if (snapshot === null) throw new Error('expected a snapshot');
      model.set(snapshot, new Map(current));
      changes.set(snapshot, { inserted, deleted });
    };
    const append = async (ids: number[], withScore = false) => {
      const rows = ids.map((id) => ({ id, label: `row ${id}`, ...(withScore ? { score: id / 10 } : {}) }));
      const { snapshotId } = await lake.append('tt.rows', rows);
      for (const id of ids) current.set(id, withScore ? id / 10 : scoreAdded ? 0.5 : undefined);
      record(snapshotId, ids, []);
    };
    const remove = async (predicate: string, matches: (id: number) => boolean) => {
      const gone = [...current.keys()].filter(matches);
      const { snapshotId, rows } = await lake.delete('tt.rows', predicate);
      expect(rows).toBe(gone.length);
      for (const id of gone) current.delete(id);
      record(snapshotId, [], gone);
    };

    for (let f = 0; f < 4; f++) await append(Array.from({ length: 25 }, (_, i) => f * 25 + i));
    await remove('id % 10 = 3', (id) => id % 10 === 3);
    await remove('id % 10 = 7 OR id BETWEEN 40 AND 44', (id) => id % 10 === 7 || (id >= 40 && id <= 44));
    scoreAdded = await lake.addColumn('tt.rows', { name: 'score', type: 'DOUBLE', default: 0.5 });
    current = new Map([...current].map(([id]) => [id, 0.5]));
    model.set(scoreAdded, new Map(current));
    changes.set(scoreAdded, { inserted: [], deleted: [] });
    await append([100, 101, 102], true);
    await append([103]);
    tagsAdded = await lake.addColumn('tt.rows', { name: 'tags', type: 'VARCHAR[]' });
    model.set(tagsAdded, new Map(current));
    changes.set(tagsAdded, { inserted: [], deleted: [] });
    await remove('id >= 95 AND id <= 101', (id) => id >= 95 && id <= 101);
  });
  afterAll(async () => t.close());

  it('reads every snapshot as it was', async () => {
    const latest = await t.lake.latestSnapshotId();
    expect([...model.keys()].sort((a, b) => a - b).at(-1)).toBe(latest);
    for (let s = 0; s <= latest; s++) {
      if (s < created) {
        await expect(query(t.lake, `SELECT * FROM tt.rows`, { snapshot: s })).rejects.toThrow(/does not exist/);
        continue;
      }
      const expected = model.get(s)!;
      const columns = s >= scoreAdded ? 'id, score' : 'id';
      const rows = await query(t.lake, `SELECT ${columns} FROM tt.rows ORDER BY id`, { snapshot: s });
      expect(rows, `snapshot ${s}`).toEqual(
        [...expected].sort(([a], [b]) => a - b).map(([id, score]) => (s >= scoreAdded ? { id, score } : { id })),
      );
    }
  });

  it('finds the snapshot current at a time', async () => {
    const snapshots = await t.lake.snapshots();
    for (const s of snapshots) expect((await t.lake.resolveSnapshot({ at: s.time })).id).toBe(s.id);
    expect((await t.lake.resolveSnapshot({ at: new Date(Date.now() + 60_000) })).id).toBe(snapshots.at(-1)!.id);
    const middle = snapshots[6]!;
    expect(await query(t.lake, `SELECT count(*)::INT AS n FROM tt.rows`, {})).not.toEqual(
      await t.lake.withReader({ at: middle.time }, async (conn) =>
        (await conn.runAndReadAll(`SELECT count(*)::INT AS n FROM tt.rows`)).getRowObjectsJson(),
      ),
    );
    await expect(t.lake.resolveSnapshot({ at: '2000-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.lake.resolveSnapshot({ at: 'yesterday-ish' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(t.lake.resolveSnapshot({ snapshot: 10_000 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reads a column added later as its default in older files and as NULL when it has none', async () => {
    const rows = await query(t.lake, `SELECT id, score, tags FROM tt.rows WHERE id IN (0, 102, 103) ORDER BY id`);
    expect(rows).toEqual([
      { id: 0, score: 0.5, tags: null },
      { id: 102, score: 10.2, tags: null },
      { id: 103, score: 0.5, tags: null },
    ]);
    await expect(query(t.lake, `SELECT score FROM tt.rows`, { snapshot: scoreAdded - 1 })).rejects.toThrow(/score/);
    const columns = await t.db.pool.query(
      `SELECT column_name, initial_default, default_value, c.begin_snapshot FROM ducklake.ducklake_column c
         JOIN ducklake.ducklake_table t USING (table_id) WHERE t.table_name = 'rows' ORDER BY column_id`,
    );
    expect(columns.rows).toEqual([
      { column_name: 'id', initial_default: null, default_value: 'NULL', begin_snapshot: created },
      { column_name: 'label', initial_default: null, default_value: 'NULL', begin_snapshot: created },
      { column_name: 'score', initial_default: '0.5', default_value: '0.5', begin_snapshot: scoreAdded },
      { column_name: 'tags', initial_default: null, default_value: 'NULL', begin_snapshot: tagsAdded },
      { column_name: 'element', initial_default: null, default_value: 'NULL', begin_snapshot: tagsAdded },
    ]);
  });

  it('lists what every commit inserted and deleted (the change feed)', async () => {
    const latest = await t.lake.latestSnapshotId();
    for (let s = created; s <= latest; s++) {
      const feed = await t.lake.changes('tt.rows', s, s);
      const rows = await t.lake.withReader({}, async (conn) =>
        (
          await conn.runAndReadAll(`SELECT change_type, id FROM (${feed.sql}) ORDER BY change_type, id`)
        ).getRowObjectsJson(),
      );
      const want = changes.get(s)!;
      expect(rows, `snapshot ${s}`).toEqual([
        ...want.deleted.map((id) => ({ change_type: 'delete', id })),
        ...want.inserted.map((id) => ({ change_type: 'insert', id })),
      ]);
    }
    const whole = await t.lake.changes('tt.rows', created, latest);
    const summary = await t.lake.withReader({}, async (conn) =>
      (
        await conn.runAndReadAll(
          `SELECT change_type, count(*)::INT AS n, count(DISTINCT rowid)::INT AS rowids FROM (${whole.sql}) GROUP BY ALL ORDER BY 1`,
        )
      ).getRowObjectsJson(),
    );
    const inserted = [...changes.values()].flatMap((c) => c.inserted).length;
    const deleted = [...changes.values()].flatMap((c) => c.deleted).length;
    expect(summary).toEqual([
      { change_type: 'delete', n: deleted, rowids: deleted },
      { change_type: 'insert', n: inserted, rowids: inserted },
    ]);
    expect(whole.columns.map((c) => c.name)).toEqual([
      'snapshot_id',
      'rowid',
      'change_type',
      'id',
      'label',
      'score',
      'tags',
    ]);
  });

  it('lists snapshots with their changes, and only those of one table when asked', async () => {
    const all = await t.lake.snapshots();
    expect(all.map((s) => s.id)).toEqual([...Array(all.length).keys()]);
    expect(all[1]!.changes).toEqual({ schemas_created: ['tt'] });
    const forTable = await t.lake.snapshots({ table: 'tt.rows' });
    expect(forTable.map((s) => s.id)).toEqual(all.filter((s) => s.id >= created).map((s) => s.id));
    expect(forTable.find((s) => s.id === scoreAdded)!.changes).toEqual({ tables_altered: [expect.any(String)] });
  });

  it('reads a column another writer renamed under its new name, and stops reading one it dropped', async () => {
    // What the extension records for ALTER TABLE … RENAME COLUMN and … DROP COLUMN: the old
    // version of the column ends, a renamed one begins with the same column id.
    const { pool } = t.db;
    const table = (await pool.query(`SELECT table_id FROM ducklake.ducklake_table WHERE table_name = 'rows'`)).rows[0]
      .table_id;
    const before = await t.lake.latestSnapshotId();
    const altered = before + 1;
    await pool.query(
      `INSERT INTO ducklake.ducklake_snapshot
       SELECT $1, now(), schema_version + 1, next_catalog_id, next_file_id FROM ducklake.ducklake_snapshot WHERE snapshot_id = $2`,
      [altered, before],
    );
    await pool.query(`INSERT INTO ducklake.ducklake_snapshot_changes VALUES ($1, $2, NULL, NULL, NULL)`, [
      altered,
      `altered_table:${table}`,
    ]);
    await pool.query(
      `UPDATE ducklake.ducklake_column SET end_snapshot = $1 WHERE table_id = $2 AND column_name IN ('label', 'score') AND end_snapshot IS NULL`,
      [altered, table],
    );
    await pool.query(
      `INSERT INTO ducklake.ducklake_column
       SELECT column_id, $1, NULL, table_id, column_order, 'title', column_type, initial_default, default_value, nulls_allowed, parent_column, default_value_type, default_value_dialect
         FROM ducklake.ducklake_column WHERE table_id = $2 AND column_name = 'label'`,
      [altered, table],
    );
    expect(await query(t.lake, `SELECT * FROM tt.rows WHERE id = 103`)).toEqual([
      { id: 103, title: 'row 103', tags: null },
    ]);
    expect(await query(t.lake, `SELECT id, label, score FROM tt.rows WHERE id = 103`, { snapshot: before })).toEqual([
      { id: 103, label: 'row 103', score: 0.5 },
    ]);
    await t.lake.append('tt.rows', [{ id: 104, title: 'after the rename' }]);
    expect(await query(t.lake, `SELECT title FROM tt.rows WHERE id >= 103 ORDER BY id`)).toEqual([
      { title: 'row 103' },
      { title: 'after the rename' },
    ]);
  });
});
