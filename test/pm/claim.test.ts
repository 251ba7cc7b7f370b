import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/index.js';
import { silentLogger } from '../../src/core/index.js';
import {
  advanceProject,
  claimNextTask,
  claimTask,
  createProject,
  planTasks,
  type PmContext,
} from '../../src/pm/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { pmContext, shippedTemplateSet, uniqueSlug } from './helpers.js';

describe('claiming tasks', () => {
  let db: TestDatabase;
  let pm: PmContext;
  beforeAll(async () => {
    db = await createTestDatabase();
    pm = pmContext(db);
  });
  afterAll(async () => db.drop());

  async function projectWith(n: number, priorities: (i: number) => number = () => 0) {
    const slug = uniqueSlug('claim');
    await createProject(pm, shippedTemplateSet(), { slug });
    await planTasks(
      pm,
      slug,
      Array.from({ length: n }, (_, i) => ({ title: `T${i + 1}`, priority: priorities(i) })),
    );
    await advanceProject(pm, slug);
    return slug;
  }

  it('20 claimers at once, each on its own connection: no task is claimed twice, and all are claimed', async () => {
    const slug = await projectWith(15);
    const pools = Array.from({ length: 20 }, () => createPool(db.url, { max: 1 }));
    try {
      const results = await Promise.all(
        pools.map((pool, i) =>
          claimNextTask(
            { pool, logger: silentLogger, actor: `claimer-${i}` },
            { projectSlug: slug, claimant: `claimer-${i}` },
          ),
        ),
      );
      const claimed = results.filter((r) => r !== null);
      expect(claimed).toHaveLength(15);
      expect(new Set(claimed.map((c) => c.task.id)).size).toBe(15);
      expect(results.filter((r) => r === null)).toHaveLength(5);
      const runs = await db.pool.query(
        `SELECT count(*)::int AS n, count(DISTINCT task_id)::int AS tasks FROM bosun.run r JOIN bosun.project p ON p.id = r.project_id WHERE p.slug = $1`,
        [slug],
      );
      expect(runs.rows[0]).toEqual({ n: 15, tasks: 15 });
      for (const c of claimed)
        expect(c.task).toMatchObject({ status: 'working', claimedBy: c.run.claimedBy, attempts: 1 });
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('two clients claiming the same task at the same moment: exactly one wins', async () => {
    const slug = await projectWith(1);
    const pools = [createPool(db.url, { max: 1 }), createPool(db.url, { max: 1 })];
    try {
      const outcomes = await Promise.allSettled(
        pools.map((pool, i) => claimTask({ pool, logger: silentLogger, actor: `c${i}` }, `${slug}#1`, `c${i}`)),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(/is working \(claimed by c[01]\)/),
      });
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('takes the highest priority first, then the longest ready', async () => {
    const slug = await projectWith(4, (i) => (i === 2 ? 10 : 0));
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await claimNextTask(pm, { projectSlug: slug, claimant: 'me' }))!.task.ref);
    expect(order).toEqual([`${slug}#3`, `${slug}#1`, `${slug}#2`, `${slug}#4`]);
    expect(await claimNextTask(pm, { projectSlug: slug, claimant: 'me' })).toBeNull();
  });

  it('does not claim a blocked task, nor one of a project still in planning', async () => {
    const slug = uniqueSlug('claim');
    await createProject(pm, shippedTemplateSet(), { slug });
    await planTasks(pm, slug, [
      { key: 'a', title: 'A' },
      { key: 'b', title: 'B', dependsOn: ['a'] },
    ]);
    await expect(claimTask(pm, `${slug}#1`, 'me')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('planning'),
    });
    await advanceProject(pm, slug);
    await expect(claimTask(pm, `${slug}#2`, 'me')).rejects.toMatchObject({
      code: 'CONFLICT',
      hint: expect.stringContaining('dependencies'),
    });
    expect(await claimNextTask(pm, { projectSlug: slug, claimant: 'me' })).toMatchObject({ task: { stepKey: 'a' } });
    expect(await claimNextTask(pm, { projectSlug: slug, claimant: 'me' })).toBeNull();
  });
});
