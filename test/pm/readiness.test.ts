import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  advanceProject,
  claimTask,
  completeTask,
  createProject,
  evaluateTrigger,
  failTask,
  cancelTask,
  getProject,
  listTasks,
  planTasks,
  retryTask,
  type PmContext,
  type TaskState,
  type TriggerRule,
} from '../../src/pm/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { done, pmContext, shippedTemplateSet, tempHome, uniqueSlug } from './helpers.js';

describe('trigger rules', () => {
  const cases: [TriggerRule, TaskState[], string][] = [
    ['all_success', ['completed', 'completed'], 'ready'],
    ['all_success', ['completed', 'working'], 'waiting'],
    ['all_success', ['completed', 'failed'], 'impossible'],
    ['all_success', ['canceled', 'ready'], 'impossible'],
    ['all_done', ['failed', 'canceled'], 'ready'],
    ['all_done', ['failed', 'blocked'], 'waiting'],
    ['one_success', ['failed', 'completed'], 'ready'],
    ['one_success', ['failed', 'working'], 'waiting'],
    ['one_success', ['failed', 'rejected'], 'impossible'],
    ['none_failed', ['completed', 'canceled'], 'ready'],
    ['none_failed', ['completed', 'working'], 'waiting'],
    ['none_failed', ['rejected', 'working'], 'impossible'],
    ['all_success', [], 'ready'],
  ];
  it.each(cases)('%s over %j is %s', (rule, states, expected) => {
    expect(evaluateTrigger(rule, states)).toBe(expected);
  });
});

describe('DAG readiness in the database', () => {
  const home = tempHome();
  let db: TestDatabase;
  let pm: PmContext;
  beforeAll(async () => {
    db = await createTestDatabase();
    pm = pmContext(db);
  });
  afterAll(async () => {
    await db.drop();
    home.remove();
  });

  const statuses = async (slug: string) => {
    const tasks = await listTasks(db.pool, { projectId: (await getProject(db.pool, slug)).id, limit: 100, offset: 0 });
    return Object.fromEntries(tasks.map((t) => [t.stepKey, t.status]));
  };
  const finish = async (ref: string, how: 'complete' | 'fail') => {
    await claimTask(pm, ref, 'me');
    if (how === 'complete') await completeTask(pm, ref, done('ok'), { artifactsDir: home.paths.artifacts });
    else await failTask(pm, ref, { reason: 'broken' });
  };

  async function diamond() {
    const slug = uniqueSlug('dag');
    await createProject(pm, shippedTemplateSet(), { slug });
    await planTasks(pm, slug, [
      { key: 'a', title: 'A' },
      { key: 'b', title: 'B' },
      { key: 'success', title: 'all_success', dependsOn: ['a', 'b'], trigger: 'all_success' },
      { key: 'done', title: 'all_done', dependsOn: ['a', 'b'], trigger: 'all_done' },
      { key: 'one', title: 'one_success', dependsOn: ['a', 'b'], trigger: 'one_success' },
      { key: 'nofail', title: 'none_failed', dependsOn: ['a', 'b'], trigger: 'none_failed' },
      { key: 'after', title: 'after all_success', dependsOn: ['success'] },
    ]);
    await advanceProject(pm, slug);
    return slug;
  }

  it('releases each rule at its moment: one success is enough for one_success, all_success waits for both', async () => {
    const slug = await diamond();
    await finish(`${slug}#1`, 'complete');
    expect(await statuses(slug)).toMatchObject({
      success: 'blocked',
      done: 'blocked',
      one: 'ready',
      nofail: 'blocked',
      after: 'blocked',
    });
    await finish(`${slug}#2`, 'complete');
    expect(await statuses(slug)).toMatchObject({
      success: 'ready',
      done: 'ready',
      one: 'ready',
      nofail: 'ready',
      after: 'blocked',
    });
  });

  it('a failure cancels what can no longer run, and down the line, but not all_done', async () => {
    const slug = await diamond();
    await finish(`${slug}#1`, 'complete');
    await finish(`${slug}#2`, 'fail');
    expect(await statuses(slug)).toMatchObject({
      success: 'canceled',
      done: 'ready',
      one: 'ready',
      nofail: 'canceled',
      after: 'canceled',
    });
  });

  it('retrying the failed task revives what it canceled, which then runs when it succeeds', async () => {
    const slug = await diamond();
    await finish(`${slug}#1`, 'complete');
    await finish(`${slug}#2`, 'fail');
    await retryTask(pm, `${slug}#2`);
    expect(await statuses(slug)).toMatchObject({
      b: 'ready',
      success: 'blocked',
      nofail: 'blocked',
      after: 'blocked',
      done: 'ready',
    });
    await finish(`${slug}#2`, 'complete');
    expect(await statuses(slug)).toMatchObject({ success: 'ready', nofail: 'ready', after: 'blocked' });
  });

  it('a task canceled by hand releases all_done and cancels all_success downstream', async () => {
    const slug = await diamond();
    await cancelTask(pm, `${slug}#1`, 'not needed');
    await cancelTask(pm, `${slug}#2`, 'not needed');
    expect(await statuses(slug)).toMatchObject({
      success: 'canceled',
      done: 'ready',
      one: 'canceled',
      nofail: 'ready',
      after: 'canceled',
    });
    await expect(retryTask(pm, `${slug}#7`)).rejects.toMatchObject({
      code: 'CONFLICT',
      hint: expect.stringContaining('retry these first'),
    });
  });

  it('a task added after its dependency finished starts ready (or canceled when it never can run)', async () => {
    const slug = await diamond();
    await finish(`${slug}#1`, 'fail');
    const [late, doomed] = await planTasks(pm, slug, [
      { key: 'late', title: 'Late', dependsOn: ['a'], trigger: 'all_done' },
      { key: 'doomed', title: 'Doomed', dependsOn: ['a'] },
    ]);
    expect(late!.status).toBe('ready');
    expect(doomed).toMatchObject({ status: 'canceled', canceledByUpstream: true });
  });
});
