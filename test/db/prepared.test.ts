import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { idsMatch, prepared } from '../../src/db/index.js';
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
      const held = await client.query<{ name: string; calls: number }>(
        `SELECT name, generic_plans + custom_plans AS calls FROM pg_prepared_statements`,
      );
      expect(held.rows).toEqual([{ name: prepared(text, []).name, calls: 2 }]);
    } finally {
      client.release();
    }
  });

  it('matches one id with =, which the server plans once, and several with ANY', async () => {
    const ids = Array.from({ length: 5 }, () => crypto.randomUUID());
    const client = await db.pool.connect();
    try {
      await client.query('CREATE TEMP TABLE item (id uuid PRIMARY KEY, n int NOT NULL)');
      await client.query('INSERT INTO item SELECT unnest($1::uuid[]), generate_series(1, 5)', [ids]);
      const read = async (wanted: string[]) => {
        const match = idsMatch('id', 1, wanted);
        const res = await client.query<{ n: number }>(
          prepared(`SELECT n FROM item WHERE ${match.sql} ORDER BY n`, [match.value]),
        );
        return { text: match.sql, ns: res.rows.map((r) => r.n) };
      };
      expect(await read([ids[3]!])).toEqual({ text: 'id = $1::uuid', ns: [4] });
      expect(await read([ids[0]!, ids[4]!])).toEqual({ text: 'id = ANY($1::uuid[])', ns: [1, 5] });
      for (const id of ids) await read([id]);
      const plans = await client.query<{ generic: number }>(
        `SELECT generic_plans::int AS generic FROM pg_prepared_statements WHERE statement LIKE '%id = $1::uuid%'`,
      );
      expect(plans.rows[0]!.generic).toBeGreaterThan(0);
    } finally {
      client.release();
    }
  });
});
