import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/exec/index.js';
import { repoRoot } from '../support/cli.js';
import { createTestLake, filesUnder, query, type TestLake } from './support.js';

const writerScript = path.join(repoRoot, 'test', 'lake', 'fixtures', 'writer.ts');

describe('concurrent writers', () => {
  let t: TestLake;
  beforeAll(async () => {
    t = await createTestLake();
    await t.lake.createSchema('c');
    await t.lake.createTable('c.log', [
      { name: 'writer', type: 'INTEGER' },
      { name: 'seq', type: 'INTEGER' },
    ]);
    await t.lake.createTable('c.other', [{ name: 'id', type: 'INTEGER' }]);
    await t.lake.append('c.other', { sql: 'SELECT range::INTEGER AS id FROM range(10)' });
    await t.lake.append('c.other', { sql: 'SELECT range::INTEGER + 10 AS id FROM range(10)' });
  });
  afterAll(async () => t.close());

  it('4 processes appending 50 commits each lose no row and make exactly 200 snapshots', async () => {
    const base = await t.lake.latestSnapshotId();
    const runs = await Promise.all(
      [0, 1, 2, 3].map((w) =>
        runCommand(
          process.execPath,
          ['--import', 'tsx', writerScript, 'append', t.db.url, t.dataPath, String(w), '50'],
          { cwd: repoRoot, timeoutMs: 110_000 },
        ),
      ),
    );
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    const latest = await t.lake.latestSnapshotId();
    expect(latest - base).toBe(200);
    const snapshots = await t.db.pool.query(
      `SELECT s.snapshot_id, c.changes_made FROM ducklake.ducklake_snapshot s JOIN ducklake.ducklake_snapshot_changes c USING (snapshot_id)
        WHERE snapshot_id > $1 ORDER BY snapshot_id`,
      [base],
    );
    const log = (await t.db.pool.query(`SELECT table_id FROM ducklake.ducklake_table WHERE table_name = 'log'`)).rows[0]
      .table_id;
    expect(snapshots.rows.map((r) => r.snapshot_id)).toEqual(Array.from({ length: 200 }, (_, i) => base + 1 + i));
    expect(new Set(snapshots.rows.map((r) => r.changes_made))).toEqual(new Set([`inserted_into_table:${log}`]));

    expect(
      await query(
        t.lake,
        `SELECT writer, count(*)::INT AS n, count(DISTINCT seq)::INT AS seqs, min(seq) AS lo, max(seq) AS hi FROM c.log GROUP BY writer ORDER BY writer`,
      ),
    ).toEqual([0, 1, 2, 3].map((writer) => ({ writer, n: 50, seqs: 50, lo: 0, hi: 49 })));
    // Row ids: every file starts where the previous ended, and the table's counters agree.
    const files = (
      await t.db.pool.query(
        `SELECT row_id_start, record_count FROM ducklake.ducklake_data_file WHERE table_id = $1 ORDER BY row_id_start`,
        [log],
      )
    ).rows;
    expect(files).toEqual(Array.from({ length: 200 }, (_, i) => ({ row_id_start: i, record_count: 1 })));
    expect(
      (
        await t.db.pool.query(
          `SELECT record_count, next_row_id FROM ducklake.ducklake_table_stats WHERE table_id = $1`,
          [log],
        )
      ).rows,
    ).toEqual([{ record_count: 200, next_row_id: 200 }]);
    const ids = (await t.db.pool.query(`SELECT data_file_id FROM ducklake.ducklake_data_file ORDER BY 1`)).rows.map(
      (r) => r.data_file_id,
    );
    expect(new Set(ids).size).toBe(ids.length);
    const next = (
      await t.db.pool.query(`SELECT next_file_id FROM ducklake.ducklake_snapshot WHERE snapshot_id = $1`, [latest])
    ).rows[0].next_file_id;
    expect(next).toBe(Math.max(...ids) + 1);
  });

  it('commits appends that race inside one process, one snapshot each', async () => {
    const base = await t.lake.latestSnapshotId();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => t.lake.append('c.log', [{ writer: 9, seq: i }])),
    );
    expect(new Set(results.map((r) => r.snapshotId)).size).toBe(12);
    expect(await t.lake.latestSnapshotId()).toBe(base + 12);
    expect(await query(t.lake, `SELECT count(*)::INT AS n FROM c.log WHERE writer = 9`)).toEqual([{ n: 12 }]);
  });

  it('refuses a delete when the table was inserted into since its base, leaving nothing behind', async () => {
    const files = filesUnder(t.dataPath);
    await expect(
      t.lake.transaction(async (tx) => {
        await tx.delete('c.other', 'id < 3');
        // Another writer commits an insert into the same table meanwhile.
        await t.lake.append('c.other', [{ id: 100 }]);
      }),
    ).rejects.toMatchObject({ code: 'LAKE_CONFLICT', message: expect.stringContaining('inserted into') });
    expect(filesUnder(t.dataPath).filter((f) => !files.includes(f))).toHaveLength(1);
    expect(await query(t.lake, `SELECT count(*)::INT AS n FROM c.other`)).toEqual([{ n: 21 }]);
  });

  it('runs a conflicting transaction again on the latest snapshot when asked to', async () => {
    let runs = 0;
    const result = await t.lake.transaction(
      async (tx) => {
        runs++;
        const deleted = await tx.delete('c.other', 'id = 4');
        if (runs === 1) await t.lake.append('c.other', [{ id: 101 }]);
        return deleted;
      },
      { conflictRetries: 2 },
    );
    expect(runs).toBe(2);
    expect(result.value).toBe(1);
    expect(await query(t.lake, `SELECT list(id ORDER BY id) AS ids FROM c.other WHERE id IN (4, 101)`)).toEqual([
      { ids: [101] },
    ]);
  });

  it('lets deletes of different files of a table commit concurrently, but not two of the same file', async () => {
    const both = await t.lake.transaction(async (tx) => {
      await tx.delete('c.other', 'id = 1');
      await t.lake.delete('c.other', 'id = 15');
    });
    expect(both.snapshotId).not.toBeNull();
    expect(await query(t.lake, `SELECT list(id ORDER BY id) AS ids FROM c.other WHERE id IN (1, 15)`)).toEqual([
      { ids: null },
    ]);
    await expect(
      t.lake.transaction(async (tx) => {
        await tx.delete('c.other', 'id = 2');
        await t.lake.delete('c.other', 'id = 3');
      }),
    ).rejects.toMatchObject({ code: 'LAKE_CONFLICT', message: expect.stringContaining('same data file') });
    expect(await query(t.lake, `SELECT list(id ORDER BY id) AS ids FROM c.other WHERE id IN (2, 3)`)).toEqual([
      { ids: [2] },
    ]);
  });

  it('refuses the second of two transactions creating the same table', async () => {
    await expect(
      t.lake.transaction(async (tx) => {
        await tx.createTable('c.twice', [{ name: 'x', type: 'INTEGER' }]);
        await t.lake.createTable('c.twice', [{ name: 'y', type: 'VARCHAR' }]);
      }),
    ).rejects.toMatchObject({ code: 'LAKE_CONFLICT' });
    expect((await t.lake.tables()).find((x) => x.name === 'c.twice')?.columns).toEqual([
      { name: 'y', type: 'VARCHAR' },
    ]);
  });
});
