import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, migrate, migrationStatus, type Migration } from '../../src/db/index.js';
import { allMigrations } from '../../src/migrations.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => db.drop());

  it('apply exactly once when many processes start at the same moment', async () => {
    const extra: Migration[] = [
      ...allMigrations,
      { id: 'test/001_counter', sql: 'CREATE TABLE bosun.counter (n int); INSERT INTO bosun.counter VALUES (1);' },
    ];
    const pools = Array.from({ length: 6 }, () => createPool(db.url, { max: 2 }));
    try {
      const results = await Promise.all(pools.map((p) => migrate(p, extra)));
      for (const r of results) expect(r).toMatchObject({ applied: extra.length, total: extra.length, pending: [] });
      const rows = await db.pool.query('SELECT count(*)::int AS n FROM bosun.counter');
      expect(rows.rows[0].n).toBe(1);
      const ledger = await db.pool.query('SELECT count(*)::int AS n FROM bosun.schema_migration');
      expect(ledger.rows[0].n).toBe(extra.length);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('refuses an applied migration whose text changed, and changes nothing', async () => {
    const edited: Migration[] = [
      ...allMigrations,
      { id: 'test/001_counter', sql: 'CREATE TABLE bosun.other (n int);' },
    ];
    await expect(migrate(db.pool, edited)).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      message: expect.stringContaining('test/001_counter'),
    });
    const other = await db.pool.query(`SELECT to_regclass('bosun.other') AS t`);
    expect(other.rows[0].t).toBeNull();
  });

  it('rolls back a failing migration and reports it as pending', async () => {
    const broken: Migration[] = [
      ...allMigrations,
      { id: 'test/001_counter', sql: 'CREATE TABLE bosun.counter (n int); INSERT INTO bosun.counter VALUES (1);' },
      { id: 'test/002_broken', sql: 'CREATE TABLE bosun.half (n int); SELECT no_such_function();' },
    ];
    await expect(migrate(db.pool, broken)).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    const half = await db.pool.query(`SELECT to_regclass('bosun.half') AS t`);
    expect(half.rows[0].t).toBeNull();
    const status = await migrationStatus(db.pool, broken);
    expect(status.pending).toEqual(['test/002_broken']);
  });
});
