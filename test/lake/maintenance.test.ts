import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestLake, filesUnder, query, type TestLake } from './support.js';

/**
 * One history exercised by every maintenance operation: eight small appends, deletes across
 * several files (a second one replacing delete files, a third emptying a file), and a table
 * created, filled and dropped.
 */
describe('deletes, compaction, expiry and cleanup', () => {
  let t: TestLake;
  const snap: Record<string, number> = {};
  const fingerprint = `SELECT count(*)::INT AS n, list(id ORDER BY id) AS ids FROM m.items`;

  /** What the table holds at every snapshot, and what every commit changed in it. */
  async function everySnapshot(): Promise<{ rows: unknown[]; feed: unknown[] }[]> {
    const latest = await t.lake.latestSnapshotId();
    const out = [];
    for (let s = snap.created!; s <= latest; s++) {
      const feed = await t.lake.changes('m.items', s, s);
      out.push({
        rows: await query(t.lake, fingerprint, { snapshot: s }),
        feed: await query(t.lake, `SELECT snapshot_id, rowid, change_type, id FROM (${feed.sql}) ORDER BY ALL`),
      });
    }
    return out;
  }

  const catalogFiles = async (sql: string) => (await t.db.pool.query(sql)).rows;

  beforeAll(async () => {
    t = await createTestLake();
    const { lake } = t;
    await lake.createSchema('m');
    snap.created = await lake.createTable('m.items', [
      { name: 'id', type: 'INTEGER' },
      { name: 'v', type: 'VARCHAR' },
    ]);
    for (let f = 0; f < 8; f++) {
      await lake.append(
        'm.items',
        Array.from({ length: 10 }, (_, i) => ({ id: f * 10 + i, v: `v${f * 10 + i}` })),
      );
    }
    snap.d1 = (await lake.delete('m.items', 'id IN (1, 33, 75)')).snapshotId!;
    snap.d2 = (await lake.delete('m.items', 'id IN (2, 34)')).snapshotId!;
    snap.d3 = (await lake.delete('m.items', 'id >= 70')).snapshotId!;
    await lake.createTable('m.temp', [{ name: 'x', type: 'INTEGER' }]);
    await lake.append('m.temp', [{ x: 1 }]);
    snap.dropped = await lake.dropTable('m.temp');
  });
  afterAll(async () => t.close());

  it('writes one delete file per data file touched, and a second delete replaces the first with a partial one', async () => {
    const deletes = await catalogFiles(
      `SELECT d.row_id_start, x.begin_snapshot, x.end_snapshot, x.delete_count, x.partial_max, x.path
         FROM ducklake.ducklake_delete_file x JOIN ducklake.ducklake_data_file d USING (data_file_id)
         JOIN ducklake.ducklake_table t ON t.table_id = d.table_id WHERE t.table_name = 'items' ORDER BY d.row_id_start`,
    );
    expect(deletes.map(({ path: _, ...rest }) => rest)).toEqual([
      { row_id_start: 0, begin_snapshot: snap.d1, end_snapshot: null, delete_count: 2, partial_max: snap.d2 },
      { row_id_start: 30, begin_snapshot: snap.d1, end_snapshot: null, delete_count: 2, partial_max: snap.d2 },
      // File 7 lost every row at d3: it ended, and its delete file with it.
      { row_id_start: 70, begin_snapshot: snap.d1, end_snapshot: snap.d3, delete_count: 1, partial_max: null },
    ]);
    const partial = await t.lake.withReader({}, async (conn) =>
      (
        await conn.runAndReadAll(
          `SELECT pos, _ducklake_internal_snapshot_id AS s FROM read_parquet('${t.dataPath}/m/items/${deletes[0]!.path}') ORDER BY pos`,
        )
      ).getRowObjectsJson(),
    );
    expect(partial).toEqual([
      { pos: '1', s: String(snap.d1) },
      { pos: '2', s: String(snap.d2) },
    ]);
    const scheduled = await catalogFiles(
      `SELECT path FROM ducklake.ducklake_files_scheduled_for_deletion ORDER BY path`,
    );
    expect(scheduled).toHaveLength(2);
    expect(scheduled.every((r) => /^m\/items\/ducklake-.*-delete\.parquet$/.test(r.path))).toBe(true);
    expect((await query(t.lake, fingerprint, { snapshot: snap.d1 }))[0]!.n).toBe(77);
    expect((await query(t.lake, fingerprint, { snapshot: snap.d2 }))[0]!.n).toBe(75);
    expect((await query(t.lake, fingerprint, { snapshot: snap.d3 }))[0]!.n).toBe(66);
  });

  it('compacts adjacent clean files into partial files, and every snapshot reads (and changed) the same', async () => {
    const before = await everySnapshot();
    const liveBefore = await catalogFiles(
      `SELECT count(*)::INT AS n FROM ducklake.ducklake_data_file WHERE end_snapshot IS NULL AND table_id = (SELECT table_id FROM ducklake.ducklake_table WHERE table_name = 'items')`,
    );
    const result = await t.lake.compact();
    expect(result.tables).toEqual([{ table: 'm.items', filesMerged: 5, filesCreated: 2 }]);
    const merged = await catalogFiles(
      `SELECT row_id_start, record_count, begin_snapshot, partial_max FROM ducklake.ducklake_data_file WHERE begin_snapshot < partial_max ORDER BY row_id_start`,
    );
    expect(merged).toEqual([
      { row_id_start: 10, record_count: 20, begin_snapshot: snap.created! + 2, partial_max: snap.created! + 3 },
      { row_id_start: 40, record_count: 30, begin_snapshot: snap.created! + 5, partial_max: snap.created! + 7 },
    ]);
    const liveAfter = await catalogFiles(
      `SELECT count(*)::INT AS n FROM ducklake.ducklake_data_file WHERE end_snapshot IS NULL AND table_id = (SELECT table_id FROM ducklake.ducklake_table WHERE table_name = 'items')`,
    );
    expect(liveAfter[0]!.n).toBe(liveBefore[0]!.n - 3);
    const after = await everySnapshot();
    expect(after.slice(0, before.length)).toEqual(before);
    const changes = await t.db.pool.query(
      `SELECT changes_made FROM ducklake.ducklake_snapshot_changes WHERE snapshot_id = $1`,
      [result.snapshotId],
    );
    expect(changes.rows[0].changes_made).toMatch(/^compacted_table:\d+$/);
    expect((await t.lake.compact()).snapshotId).toBeNull();
  });

  it('expires old snapshots, then cleanup deletes exactly the files no remaining snapshot reads', async () => {
    const { lake } = t;
    const latest = await lake.latestSnapshotId();
    const reading = await query(lake, fingerprint);
    const onDiskBefore = filesUnder(t.dataPath);
    // Extra files the data path may hold: a stray lake file (a writer killed before its
    // commit) and something that is not a lake file at all.
    const stray = path.join(t.dataPath, 'm', 'items', 'ducklake-01a20000-0000-7000-8000-000000000000.parquet');
    fs.writeFileSync(stray, 'half written');
    fs.writeFileSync(path.join(t.dataPath, 'notes.txt'), 'keep me');

    const dry = await lake.expire({ olderThanMs: 0, dryRun: true });
    expect(dry.expiredSnapshots).toEqual([...Array(latest).keys()]);
    expect(await lake.latestSnapshotId()).toBe(latest);
    expect((await t.db.pool.query(`SELECT count(*)::INT AS n FROM ducklake.ducklake_snapshot`)).rows[0].n).toBe(
      latest + 1,
    );

    const expired = await lake.expire({ olderThanMs: 0 });
    expect(expired.expiredSnapshots).toEqual(dry.expiredSnapshots);
    expect(expired.filesScheduled.sort()).toEqual(dry.filesScheduled.sort());
    // Ended by the full delete (data file and delete file) and by the drop (one data file).
    const kinds = expired.filesScheduled
      .map((f) => path.relative(t.dataPath, f).replace(/ducklake-[0-9a-f-]{36}/, 'ducklake-*'))
      .sort();
    expect(kinds).toEqual([
      'm/items/ducklake-*-delete.parquet',
      'm/items/ducklake-*.parquet',
      'm/temp/ducklake-*.parquet',
    ]);
    expect(await query(lake, fingerprint)).toEqual(reading);
    await expect(query(lake, fingerprint, { snapshot: latest - 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await lake.expire({ olderThanMs: 0 })).expiredSnapshots).toEqual([]);

    const live = await catalogFiles(
      `SELECT 'm/items/' || path AS path FROM ducklake.ducklake_data_file UNION ALL SELECT 'm/items/' || path FROM ducklake.ducklake_delete_file`,
    );
    const reachable = live.map((r) => r.path as string).sort();
    const unreachable = onDiskBefore.filter((f) => !reachable.includes(f));
    // Three scheduled by expiry, two replaced delete files, five compacted data files.
    expect(unreachable).toHaveLength(10);

    const preview = await lake.cleanup({ dryRun: true });
    expect(preview.removed.map((f) => path.relative(t.dataPath, f.path)).sort()).toEqual(unreachable);
    expect(filesUnder(t.dataPath)).toEqual([...onDiskBefore, path.relative(t.dataPath, stray), 'notes.txt'].sort());

    const done = await lake.cleanup();
    expect(done.removed.map((f) => f.reason)).toEqual(Array(10).fill('scheduled'));
    // The stray file is young: it may belong to a writer about to commit, so it stays.
    expect(filesUnder(t.dataPath)).toEqual([...reachable, path.relative(t.dataPath, stray), 'notes.txt'].sort());
    expect(
      (await t.db.pool.query(`SELECT count(*)::INT AS n FROM ducklake.ducklake_files_scheduled_for_deletion`)).rows[0]
        .n,
    ).toBe(0);
    expect(await query(lake, fingerprint)).toEqual(reading);

    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    fs.utimesSync(stray, hourAgo, hourAgo);
    const strays = await lake.cleanup();
    expect(strays.removed).toEqual([{ path: stray, reason: 'stray', bytes: 12, ageMs: expect.any(Number) }]);
    expect(strays.removed[0]!.ageMs).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect(filesUnder(t.dataPath)).toEqual([...reachable, 'notes.txt'].sort());
  });
});
