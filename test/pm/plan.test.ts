import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, getProject, listTasks, planTasks, type PmContext } from '../../src/pm/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { pmContext, shippedTemplateSet, uniqueSlug } from './helpers.js';

describe('plans (task graphs added to a project)', () => {
  let db: TestDatabase;
  let pm: PmContext;
  beforeAll(async () => {
    db = await createTestDatabase();
    pm = pmContext(db);
  });
  afterAll(async () => db.drop());

  async function project() {
    const slug = uniqueSlug('plan');
    await createProject(pm, shippedTemplateSet(), { slug });
    return slug;
  }
  const taskCount = async (slug: string) =>
    (await listTasks(db.pool, { projectId: (await getProject(db.pool, slug)).id, limit: 1000, offset: 0 })).length;

  it('adds a DAG with numbers, edges and first states', async () => {
    const slug = await project();
    const tasks = await planTasks(pm, slug, [
      { key: 'fetch', title: 'Fetch', skill: 'web.scrape' },
      {
        key: 'parse',
        title: 'Parse',
        skill: 'python.run',
        dependsOn: ['fetch'],
        inputs: { html: '{{ steps.fetch.outputs.path }}' },
      },
      { key: 'report', title: 'Report', skill: 'docs.write', dependsOn: ['parse', 'fetch'] },
    ]);
    expect(tasks.map((t) => [t.ref, t.stepKey, t.status])).toEqual([
      [`${slug}#1`, 'fetch', 'ready'],
      [`${slug}#2`, 'parse', 'blocked'],
      [`${slug}#3`, 'report', 'blocked'],
    ]);
    const more = await planTasks(pm, slug, [{ title: 'Review', dependsOn: ['#3', 'parse'] }]);
    expect(more[0]).toMatchObject({ ref: `${slug}#4`, status: 'blocked' });
  });

  it('returns tasks in the order of the plan even when dependencies come later', async () => {
    const slug = await project();
    const tasks = await planTasks(pm, slug, [
      { key: 'last', title: 'Last', dependsOn: ['first'] },
      { key: 'first', title: 'First' },
    ]);
    expect(tasks.map((t) => t.stepKey)).toEqual(['last', 'first']);
    expect(tasks.map((t) => t.number)).toEqual([1, 2]);
  });

  it('rejects a cycle, naming it, and adds nothing', async () => {
    const slug = await project();
    await expect(
      planTasks(pm, slug, [
        { key: 'a', title: 'A', dependsOn: ['b'] },
        { key: 'b', title: 'B', dependsOn: ['a'] },
        { key: 'c', title: 'C' },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'the plan has a dependency cycle: a → b → a' });
    expect(await taskCount(slug)).toBe(0);
  });

  it('rejects an unknown skill with the known ones', async () => {
    const slug = await project();
    await expect(planTasks(pm, slug, [{ title: 'Read minds', skill: 'mind.read' }])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining("unknown skill 'mind.read'"),
      hint: expect.stringContaining('youtube.transcript'),
    });
    expect(await taskCount(slug)).toBe(0);
  });

  it('rejects dependencies that do not exist or belong to another project', async () => {
    const slug = await project();
    const other = await project();
    await planTasks(pm, other, [{ title: 'Theirs' }]);
    await expect(planTasks(pm, slug, [{ title: 'X', dependsOn: ['nowhere'] }])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(planTasks(pm, slug, [{ title: 'X', dependsOn: [`${other}#1`] }])).rejects.toMatchObject({
      message: expect.stringContaining('belongs to another project'),
    });
    expect(await taskCount(slug)).toBe(0);
  });

  it('rejects reading outputs of a task that is not upstream', async () => {
    const slug = await project();
    await expect(
      planTasks(pm, slug, [
        { key: 'a', title: 'A' },
        { key: 'b', title: 'B', inputs: { x: '{{ steps.a.outputs.rows }}' } },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', hint: "add 'a' to its dependsOn" });
  });

  it('rejects malformed drafts with the field named', async () => {
    const slug = await project();
    await expect(planTasks(pm, slug, [{ title: '' }])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('0.title'),
    });
    await expect(planTasks(pm, slug, [{ title: 'x', trigger: 'whenever' as never }])).rejects.toMatchObject({
      message: expect.stringContaining('0.trigger'),
    });
    await expect(planTasks(pm, slug, [])).rejects.toMatchObject({
      message: expect.stringContaining('at least one task'),
    });
  });

  it('rejects a key the project already has', async () => {
    const slug = await project();
    await planTasks(pm, slug, [{ key: 'a', title: 'A' }]);
    await expect(planTasks(pm, slug, [{ key: 'a', title: 'Again' }])).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await taskCount(slug)).toBe(1);
  });

  it('adds a draft with a known idempotency key only once', async () => {
    const slug = await project();
    const first = await planTasks(pm, slug, [{ title: 'Once', idempotencyKey: 'k1' }]);
    const second = await planTasks(pm, slug, [{ title: 'Once', idempotencyKey: 'k1' }, { title: 'New' }]);
    expect(second[0]!.id).toBe(first[0]!.id);
    expect(second[1]).toMatchObject({ title: 'New', number: 2 });
    expect(await taskCount(slug)).toBe(2);
  });
});
