import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepared } from '../../src/db/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('prepared statements', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('one text is one statement, prepared once on each connection and run with new values', async () => {
    const text = 'SELECT $1::int + 1 AS n';
    expect(prepared(text, [1]).name).toBe(prepared(text, [2]).name);
    expect(prepared(`${text} -- other`, [1]).name).not.toBe(prepared(text, [1]).name);
    const client = await db.pool.connect();
    try {
      const answers = [];
      for (const v of [1, 41]) answers.push((await client.query<{ n: number }>(prepared(text, [v]))).rows[0]!.n);
      expect(answers).toEqual([2, 42]);
      const held = await client.query<{ name: string; calls: number }>(`SELECT name, generic_plans + custom_plans AS calls FROM pg_prepared_statements`);
      expect(held.rows).toEqual([{ name: prepared(text, []).name, calls: 2 }]);
    } finally {
      client.release();
    }
  });
});
