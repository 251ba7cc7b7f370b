import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  advanceProject,
  cancelProject,
  cancelTask,
  claimNextTask,
  createProject,
  failTask,
  getProject,
  holdProject,
  listEvents,
  listTasks,
  planTasks,
  resumeProject,
  type PmContext,
} from '../../src/pm/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { pmContext, shippedTemplateSet, uniqueSlug } from './helpers.js';

describe('project lifecycle', () => {
  let db: TestDatabase;
  let pm: PmContext;
  beforeAll(async () => {
    db = await createTestDatabase();
    pm = pmContext(db);
  });
  afterAll(async () => db.drop());

  async function newProject(tasks = 1) {
    const slug = uniqueSlug('life');
    await createProject(pm, shippedTemplateSet(), { slug, name: 'Life', brief: 'Prove the lifecycle' });
    if (tasks)
      await planTasks(
        pm,
        slug,
        Array.from({ length: tasks }, (_, i) => ({ title: `Task ${i + 1}` })),
      );
    return slug;
  }

  const phases = async (slug: string) => {
    const project = await getProject(db.pool, slug);
    const events = await listEvents(db.pool, { projectId: project.id, limit: 100 });
    return events
      .filter((e) => e.kind === 'project.phase')
      .map((e) => `${String(e.data.from)}→${String(e.data.to)}`)
      .reverse();
  };

  it('starts in planning and refuses a duplicate slug without touching the first project', async () => {
    const slug = await newProject(0);
    expect(await getProject(db.pool, slug)).toMatchObject({ status: 'planning', name: 'Life' });
    await expect(createProject(pm, shippedTemplateSet(), { slug, name: 'Other' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await getProject(db.pool, slug)).toMatchObject({ name: 'Life' });
  });

  it('rejects a bad slug', async () => {
    await expect(createProject(pm, shippedTemplateSet(), { slug: 'Not A Slug' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('planning → execution needs a ready task', async () => {
    const slug = await newProject(0);
    await expect(advanceProject(pm, slug)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('no ready task'),
    });
    await planTasks(pm, slug, [{ title: 'First' }]);
    const project = await advanceProject(pm, slug);
    expect(project).toMatchObject({ status: 'execution' });
    expect(project.startedAt).toBeInstanceOf(Date);
    expect(await phases(slug)).toEqual(['planning→execution']);
  });

  it('execution → documentation needs every task finished, and writes the document', async () => {
    const slug = await newProject(2);
    await advanceProject(pm, slug);
    await expect(advanceProject(pm, slug)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/unfinished tasks: .*#1 \(ready\), .*#2 \(ready\)/),
    });
    await claimNextTask(pm, { projectSlug: slug, claimant: 'me' });
    await failTask(pm, `${slug}#1`, { reason: 'source unreachable' });
    await cancelTask(pm, `${slug}#2`, 'not needed');
    const project = await advanceProject(pm, slug);
    expect(project.status).toBe('documentation');
    expect(project.document).toContain('## Open issues');
    expect(project.document).toContain('source unreachable');
    expect(project.documentAt).toBeInstanceOf(Date);
  });

  it('refuses moves that are not on the map, naming the legal ones', async () => {
    const slug = await newProject(1);
    await expect(advanceProject(pm, slug, 'documentation')).rejects.toMatchObject({
      code: 'CONFLICT',
      hint: 'from planning it can move to: execution',
    });
    await expect(advanceProject(pm, slug, 'archiving')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      hint: expect.stringContaining('project archive'),
    });
    expect((await getProject(db.pool, slug)).status).toBe('planning');
  });

  it('documentation can go back to execution, where tasks can be added again', async () => {
    const slug = await newProject(1);
    await advanceProject(pm, slug);
    await cancelTask(pm, `${slug}#1`, 'scope changed');
    await advanceProject(pm, slug);
    await expect(planTasks(pm, slug, [{ title: 'Late' }])).rejects.toMatchObject({
      code: 'CONFLICT',
      hint: expect.stringContaining('--to execution'),
    });
    await advanceProject(pm, slug, 'execution');
    const [late] = await planTasks(pm, slug, [{ title: 'Late' }]);
    expect(late).toMatchObject({ status: 'ready', ref: `${slug}#2` });
    expect(await phases(slug)).toEqual(['planning→execution', 'execution→documentation', 'documentation→execution']);
  });

  it('hold stops claims and resume returns to the phase it left', async () => {
    const slug = await newProject(1);
    await advanceProject(pm, slug);
    const held = await holdProject(pm, slug, 'client on holiday');
    expect(held).toMatchObject({ status: 'on_hold', heldFrom: 'execution' });
    await expect(claimNextTask(pm, { projectSlug: slug, claimant: 'me' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const elsewhere = await claimNextTask(pm, { claimant: 'me' });
    expect(elsewhere?.task.projectSlug).not.toBe(slug);
    await expect(holdProject(pm, slug)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(advanceProject(pm, slug)).rejects.toMatchObject({
      code: 'CONFLICT',
      hint: expect.stringContaining('resume'),
    });
    expect(await resumeProject(pm, slug)).toMatchObject({ status: 'execution', heldFrom: null });
    await expect(resumeProject(pm, slug)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await claimNextTask(pm, { projectSlug: slug, claimant: 'me' })).toMatchObject({
      task: { ref: `${slug}#1` },
    });
  });

  it('cancel ends every unfinished task and run, writes the document, and is final', async () => {
    const slug = await newProject(2);
    await advanceProject(pm, slug);
    const claimed = await claimNextTask(pm, { projectSlug: slug, claimant: 'me' });
    const project = await cancelProject(pm, slug, 'client withdrew');
    expect(project.status).toBe('cancelled');
    expect(project.document).toContain('client withdrew');
    const tasks = await listTasks(db.pool, { projectId: project.id, limit: 10, offset: 0 });
    expect(tasks.map((t) => t.status)).toEqual(['canceled', 'canceled']);
    const run = await db.pool.query('SELECT state FROM bosun.run WHERE id = $1', [claimed!.run.id]);
    expect(run.rows[0].state).toBe('canceled');
    await expect(cancelProject(pm, slug, 'again')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(resumeProject(pm, slug)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(advanceProject(pm, slug, 'execution')).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('records an event for every change, in order', async () => {
    const slug = await newProject(1);
    await advanceProject(pm, slug);
    await claimNextTask(pm, { projectSlug: slug, claimant: 'me' });
    await failTask(pm, `${slug}#1`, { reason: 'nope' });
    const project = await getProject(db.pool, slug);
    const kinds = (await listEvents(db.pool, { projectId: project.id, limit: 50 })).map((e) => e.kind).reverse();
    expect(kinds).toEqual([
      'project.created',
      'task.created',
      'project.phase',
      'task.status',
      'run.started',
      'task.status',
      'run.finished',
    ]);
  });
});
