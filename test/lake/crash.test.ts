import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/exec/index.js';
import { repoRoot } from '../support/cli.js';
import { createTestLake, filesUnder, query, type TestLake } from './support.js';

const writerScript = path.join(repoRoot, 'test', 'lake', 'fixtures', 'writer.ts');

describe('crash safety and damaged files', () => {
  let t: TestLake;
  beforeAll(async () => {
    t = await createTestLake();
    await t.lake.createSchema('c');
    await t.lake.createTable('c.log', [
      { name: 'writer', type: 'INTEGER' },
      { name: 'seq', type: 'INTEGER' },
    ]);
    await t.lake.append('c.log', [{ writer: 1, seq: 1 }]);
    await t.lake.createTable('c.second', [{ name: 'x', type: 'INTEGER' }]);
    await t.lake.append('c.second', [{ x: 1 }, { x: 2 }]);
    await t.lake.append('c.second', [{ x: 3 }]);
  });
  afterAll(async () => t.close());

  /** Every data and delete file the catalog names, resolved. */
  async function catalogPaths(): Promise<string[]> {
    const res = await t.db.pool.query(
      `SELECT s.schema_name || '/' || t.table_name || '/' || f.path AS path
         FROM (SELECT table_id, path FROM ducklake.ducklake_data_file UNION ALL SELECT table_id, path FROM ducklake.ducklake_delete_file) f
         JOIN ducklake.ducklake_table t USING (table_id) JOIN ducklake.ducklake_schema s USING (schema_id)`,
    );
    return res.rows.map((r) => path.join(t.dataPath, r.path));
  }

  it('a writer killed between its Parquet write and its commit leaves the catalog whole, and cleanup removes its file', async () => {
    const before = { snapshot: await t.lake.latestSnapshotId(), files: filesUnder(t.dataPath) };
    const killer = new AbortController();
    const run = await runCommand(process.execPath, ['--import', 'tsx', writerScript, 'hang', t.db.url, t.dataPath], {
      cwd: repoRoot,
      timeoutMs: 60_000,
      killGraceMs: 0,
      signal: killer.signal,
      onStdoutLine: (line) => {
        if (line === 'written') killer.abort();
      },
    });
    expect(run.aborted, run.stderr).toBe(true);
    expect(await t.lake.latestSnapshotId()).toBe(before.snapshot);
    for (const file of await catalogPaths()) expect(fs.existsSync(file), file).toBe(true);
    const stray = filesUnder(t.dataPath).filter((f) => !before.files.includes(f));
    expect(stray).toEqual([expect.stringMatching(/^c\/log\/ducklake-[0-9a-f-]{36}\.parquet$/)]);
    expect(await query(t.lake, `SELECT count(*)::INT AS n FROM c.log`)).toEqual([{ n: 1 }]);

    // Too young to be sure its writer is gone: kept.
    expect((await t.lake.cleanup()).removed).toEqual([]);
    const strayPath = path.join(t.dataPath, stray[0]!);
    const past = new Date(Date.now() - 2 * 3_600_000);
    fs.utimesSync(strayPath, past, past);
    const listed = (await t.lake.cleanup({ dryRun: true })).removed;
    expect(listed).toEqual([
      { path: strayPath, reason: 'stray', bytes: fs.statSync(strayPath).size, ageMs: expect.any(Number) },
    ]);
    // Its age: the two hours it was set back by, give or take the test's own time.
    expect(listed[0]!.ageMs).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect(listed[0]!.ageMs).toBeLessThan(2 * 3_600_000 + 60_000);
    expect(fs.existsSync(strayPath)).toBe(true);
    expect((await t.lake.cleanup()).removed.map((f) => f.path)).toEqual([strayPath]);
    expect(filesUnder(t.dataPath)).toEqual(before.files);
  });

  it('names a missing data file, and still reads the other tables', async () => {
    const [file] = (await catalogPaths()).filter((p) => p.includes('/c/log/'));
    const saved = fs.readFileSync(file!);
    fs.rmSync(file!);
    try {
      await expect(query(t.lake, `SELECT count(*) FROM c.log`)).rejects.toThrow(
        `LAKE_FILE_MISSING: table c.log: file ${file} is missing`,
      );
      expect(await query(t.lake, `SELECT count(*)::INT AS n FROM c.second`)).toEqual([{ n: 3 }]);
      await expect(
        t.lake.append('c.log', [{ writer: 2, seq: 2 }]).then(() => t.lake.delete('c.log', 'seq = 1')),
      ).rejects.toThrow(file);
    } finally {
      fs.writeFileSync(file!, saved);
    }
  });

  it('names a corrupt data file, whichever file of the table it is', async () => {
    const files = (await catalogPaths()).filter((p) => p.includes('/c/second/'));
    expect(files).toHaveLength(2);
    for (const file of files) {
      const saved = fs.readFileSync(file);
      fs.writeFileSync(file, Buffer.alloc(saved.length, 7));
      // DuckDB caches file contents by modification time: the damaged copy gets a time of its own.
      fs.utimesSync(file, new Date('2001-01-01'), new Date('2001-01-01'));
      try {
        await expect(query(t.lake, `SELECT sum(x) FROM c.second`), file).rejects.toThrow(file);
      } finally {
        fs.writeFileSync(file, saved);
      }
    }
    expect(await query(t.lake, `SELECT sum(x)::INT AS s FROM c.second`)).toEqual([{ s: 6 }]);
  });
});
