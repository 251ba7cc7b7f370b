import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBosunError } from '../../src/core/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('toBosunError', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reads a connection PostgreSQL terminated as DB_UNAVAILABLE (exit 5), not INTERNAL', async () => {
    // What a client sees when its server goes away: its backend is terminated under it (57P01).
    const victim = new pg.Client({ connectionString: db.url });
    await victim.connect();
    victim.on('error', () => undefined);
    const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    // Its outcome is caught at once: the rejection may come before the terminate call returns.
    const outcome = victim.query('SELECT pg_sleep(30)').then(
      () => null,
      (err: unknown) => err,
    );
    await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    const raw = await outcome;
    await victim.end().catch(() => undefined);
    expect((raw as { code?: string }).code).toBe('57P01');
    const e = toBosunError(raw);
    expect(e.code).toBe('DB_UNAVAILABLE');
    expect(e.exitCode).toBe(5);
    expect(e.details).toEqual({ retryable: true });
    expect(e.hint).toContain('bosun up');
  });

  it('keeps a query error (bad SQL) INTERNAL, and a refused socket UNAVAILABLE', async () => {
    const bad = await db.pool.query('SELEC 1').then(
      () => null,
      (err: unknown) => err,
    );
    expect(toBosunError(bad).code).toBe('INTERNAL');
    const refused = await new pg.Client({ host: '127.0.0.1', port: 9, user: 'x' }).connect().then(
      () => null,
      (err: unknown) => err,
    );
    expect(toBosunError(refused).code).toBe('DB_UNAVAILABLE');
  });
});
