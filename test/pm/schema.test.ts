import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('pm schema', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it('rejects states outside the vocabulary and edits of the history', async () => {
    const p = await db.pool.query(
      `INSERT INTO bosun.project (id, slug, name) VALUES (gen_random_uuid(), 'p1', 'P') RETURNING id`,
    );
    const projectId = p.rows[0].id;
    await expect(db.pool.query(`UPDATE bosun.project SET status = 'done' WHERE id = $1`, [projectId])).rejects.toThrow(
      /check constraint/,
    );
    await expect(
      db.pool.query(
        `INSERT INTO bosun.task (id, project_id, number, title, status, cache_key) VALUES (gen_random_uuid(), $1, 1, 't', 'pending', 'x')`,
        [projectId],
      ),
    ).rejects.toThrow(/check constraint/);
    await db.pool.query(`INSERT INTO bosun.event (project_id, kind, actor) VALUES ($1, 'project.created', 'test')`, [
      projectId,
    ]);
    await expect(db.pool.query(`UPDATE bosun.event SET actor = 'someone else'`)).rejects.toThrow(/append-only/);
  });

  it('claims through the partial index on ready tasks', async () => {
    const plan = await db.pool.query(
      `EXPLAIN SELECT id FROM bosun.task WHERE status = 'ready' ORDER BY priority DESC, ready_at, number LIMIT 1`,
    );
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/task_ready_idx/);
  });
});
