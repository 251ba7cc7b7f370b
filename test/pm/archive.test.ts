import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLake, type Lake } from '../../src/lake/index.js';
import {
  addNote,
  advanceProject,
  archiveProject,
  cancelProject,
  claimTask,
  completeTask,
  createProject,
  getProject,
  listProjects,
  planTasks,
  projectOverview,
  reopenProject,
  taskDetails,
  type PmContext,
} from '../../src/pm/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { done, inlineArtifact, pmContext, shippedTemplateSet, tempHome, uniqueSlug } from './helpers.js';

describe('archive → verify → reopen', () => {
  const home = tempHome();
  let db: TestDatabase;
  let pm: PmContext;
  let lake: Lake;
  beforeAll(async () => {
    db = await createTestDatabase();
    pm = pmContext(db);
    lake = await openLake({ pool: db.pool, dataPath: home.paths.lake });
  });
  afterAll(async () => {
    await db.drop();
    home.remove();
  });

  const dump = async (projectId: string) => {
    const out: Record<string, unknown[]> = {};
    for (const table of ['task', 'task_edge', 'run', 'artifact', 'handoff', 'note', 'event']) {
      const res = await db.pool.query(
        `SELECT row_to_json(t)::jsonb AS row FROM bosun.${table} t WHERE project_id = $1 ORDER BY 1`,
        [projectId],
      );
      out[table] = res.rows.map((r) => r.row);
    }
    return out;
  };

  async function documentedProject() {
    const slug = uniqueSlug('arch');
    await createProject(pm, shippedTemplateSet(), { slug, brief: 'Archive me' });
    await planTasks(pm, slug, [
      { key: 'a', title: 'A' },
      { key: 'b', title: 'B', dependsOn: ['a'] },
    ]);
    await advanceProject(pm, slug);
    await claimTask(pm, `${slug}#1`, 'me');
    const handoffs = [{ skill: 'docs.write' as const, input: { topic: 'x' }, reason: 'write it up' }];
    await completeTask(
      pm,
      `${slug}#1`,
      done('a done', { n: 1 }, { artifacts: [inlineArtifact('a.txt', 'text/plain', 'A')], handoffs }),
      { artifactsDir: home.paths.artifacts },
    );
    await claimTask(pm, `${slug}#3`, 'me');
    await completeTask(pm, `${slug}#3`, done('written'), { artifactsDir: home.paths.artifacts });
    await claimTask(pm, `${slug}#2`, 'me');
    await completeTask(pm, `${slug}#2`, done('b done'), { artifactsDir: home.paths.artifacts });
    await addNote(pm, { project: slug, kind: 'decision', body: 'Keep it small' });
    return slug;
  }

  it('refuses a project that is not documented', async () => {
    const slug = uniqueSlug('arch');
    await createProject(pm, shippedTemplateSet(), { slug });
    await expect(archiveProject(pm, { lake, paths: home.paths }, slug)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await getProject(db.pool, slug)).status).toBe('planning');
  });

  it('moves every row to the lake and a bundle, frees them, and brings them back identical', async () => {
    const slug = await documentedProject();
    await advanceProject(pm, slug);
    const project = await getProject(db.pool, slug);
    const before = await dump(project.id);
    expect(before.handoff).toHaveLength(1);
    expect(before.artifact).toHaveLength(1);

    const archived = await archiveProject(pm, { lake, paths: home.paths }, slug);
    expect(archived).toMatchObject({
      status: 'archived',
      archive: { previousStatus: 'documentation', counts: { task: 3, run: 3, artifact: 1, handoff: 1, note: 1 } },
    });
    const emptied = await dump(project.id);
    for (const table of ['task', 'task_edge', 'run', 'artifact', 'handoff', 'note']) expect(emptied[table]).toEqual([]);
    expect(emptied.event!.map((e) => (e as { kind: string }).kind)).toEqual(['project.phase', 'project.archived']);
    expect((await listProjects(db.pool, { status: 'archived', limit: 10, offset: 0 })).map((p) => p.slug)).toContain(
      slug,
    );
    expect((await projectOverview(db.pool, slug)).nextActions[0]).toContain('reopen');

    const bundle = JSON.parse(fs.readFileSync(archived.archive!.bundlePath, 'utf8'));
    expect(bundle).toMatchObject({
      format: 'bosun-project-archive',
      project: slug,
      snapshotId: archived.archive!.snapshotId,
    });
    expect(bundle.tables.task.map((t: { title: string }) => t.title)).toEqual(['A', 'B', 'docs.write: write it up']);

    const lakeRows = await lake.withReader({}, async (conn) =>
      (
        await conn.runAndReadAll(`SELECT count(*) AS n FROM archive.task WHERE project_slug = $1`, [slug])
      ).getRowObjectsJson(),
    );
    expect(Number(lakeRows[0]!.n)).toBe(3);

    const reopened = await reopenProject(pm, { lake }, slug);
    expect(reopened.status).toBe('documentation');
    const after = await dump(project.id);
    for (const table of ['task', 'task_edge', 'run', 'artifact', 'handoff', 'note'])
      expect(after[table]).toEqual(before[table]);
    const restoredEvents = after.event!.filter(
      (e) => (e as { id: number }).id <= Math.max(...before.event!.map((x) => (x as { id: number }).id)),
    );
    expect(restoredEvents).toEqual(before.event);
    const first = before.task!.find((t) => (t as { number: number }).number === 1) as { id: string };
    expect((await taskDetails(db.pool, `${slug}#3`)).task.parentId).toBe(first.id);

    await advanceProject(pm, slug, 'execution');
    await expect(reopenProject(pm, { lake }, slug)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('deletes nothing when a step fails, and a second run finishes the job', async () => {
    const slug = await documentedProject();
    await advanceProject(pm, slug);
    const project = await getProject(db.pool, slug);
    const before = await dump(project.id);
    const archivesDir = `${home.paths.home}/archives`;
    fs.rmSync(archivesDir, { recursive: true, force: true });
    fs.writeFileSync(archivesDir, 'a file where the bundle folder should be');
    await expect(archiveProject(pm, { lake, paths: home.paths }, slug)).rejects.toThrow();
    expect((await getProject(db.pool, slug)).status).toBe('archiving');
    const kept = await dump(project.id);
    for (const table of ['task', 'task_edge', 'run', 'artifact', 'handoff', 'note'])
      expect(kept[table]).toEqual(before[table]);
    fs.rmSync(archivesDir);
    const archived = await archiveProject(pm, { lake, paths: home.paths }, slug);
    expect(archived.archive).toMatchObject({ previousStatus: 'documentation', counts: { task: 3 } });
    expect((await reopenProject(pm, { lake }, slug)).status).toBe('documentation');
  });

  it('archives a cancelled project too, next to the others', async () => {
    const slug = await documentedProject();
    await cancelProject(pm, slug, 'stopped');
    const archived = await archiveProject(pm, { lake, paths: home.paths }, slug);
    expect(archived.archive!.previousStatus).toBe('cancelled');
    expect((await reopenProject(pm, { lake }, slug)).status).toBe('cancelled');
  });
});
