import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  advanceProject,
  claimNextTask,
  claimTask,
  completeTask,
  createProject,
  getTask,
  listArtifacts,
  listTasks,
  planTasks,
  retryTask,
  taskDetails,
  type PmContext,
  type TaskDraft,
} from '../../src/pm/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { done, inlineArtifact, pmContext, shippedTemplateSet, tempHome, uniqueSlug } from './helpers.js';

describe('results', () => {
  const home = tempHome();
  let db: TestDatabase;
  let pm: PmContext;
  const artifactsDir = () => home.paths.artifacts;
  beforeAll(async () => {
    db = await createTestDatabase();
    pm = pmContext(db);
  });
  afterAll(async () => {
    await db.drop();
    home.remove();
  });

  async function running(drafts: TaskDraft[]) {
    const slug = uniqueSlug('res');
    await createProject(pm, shippedTemplateSet(), { slug });
    await planTasks(pm, slug, drafts);
    await advanceProject(pm, slug);
    return slug;
  }
  const complete = (ref: string, envelope: unknown) =>
    completeTask(pm, ref, envelope, { artifactsDir: artifactsDir() });

  it('completing twice with the same result is a no-op; with another it is a CONFLICT', async () => {
    const slug = await running([{ title: 'Count rows' }]);
    await claimNextTask(pm, { projectSlug: slug, claimant: 'me' });
    const first = await complete(`${slug}#1`, done('42 rows', { rows: 42 }));
    expect(first).toMatchObject({
      alreadyCompleted: false,
      task: { status: 'completed', result: { outputs: { rows: 42 } } },
    });
    const again = await complete(`${slug}#1`, { ...done('42 rows', { rows: 42 }) });
    expect(again.alreadyCompleted).toBe(true);
    expect(again.task.finishedAt).toEqual(first.task.finishedAt);
    await expect(complete(`${slug}#1`, done('43 rows', { rows: 43 }))).rejects.toMatchObject({ code: 'CONFLICT' });
    const events = await db.pool.query(
      `SELECT count(*)::int AS n FROM bosun.event WHERE task_id = $1 AND kind = 'task.status' AND data->>'to' = 'completed'`,
      [first.task.id],
    );
    expect(events.rows[0].n).toBe(1);
  });

  it('rejects an envelope that does not validate, and changes nothing', async () => {
    const slug = await running([{ title: 'Anything' }]);
    const { task, run } = (await claimNextTask(pm, { projectSlug: slug, claimant: 'me' }))!;
    const eventsBefore = await db.pool.query('SELECT count(*)::int AS n FROM bosun.event WHERE task_id = $1', [
      task.id,
    ]);
    await expect(complete(task.ref, { status: 'completed', summary: 'no outputs field' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('outputs'),
    });
    await expect(complete(task.ref, { ...done('x'), status: 'failed' })).rejects.toMatchObject({
      message: expect.stringContaining('error is required'),
    });
    await expect(complete(task.ref, { ...done('x'), status: 'working' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      complete(task.ref, done('x', {}, { handoffs: [{ skill: 'magic.do', input: {}, reason: 'why not' }] })),
    ).rejects.toMatchObject({
      message: expect.stringContaining("unknown skill 'magic.do'"),
    });
    await expect(
      complete(
        task.ref,
        done(
          'x',
          {},
          {
            artifacts: [{ name: 'a.txt', mediaType: 'text/plain', inline: 'hello', sha256: 'f'.repeat(64), bytes: 5 }],
          },
        ),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await getTask(db.pool, task.ref)).toMatchObject({ status: 'working', result: null });
    const runRow = await db.pool.query('SELECT state, envelope FROM bosun.run WHERE id = $1', [run.id]);
    expect(runRow.rows[0]).toEqual({ state: 'working', envelope: null });
    const eventsAfter = await db.pool.query('SELECT count(*)::int AS n FROM bosun.event WHERE task_id = $1', [task.id]);
    expect(eventsAfter.rows[0].n).toBe(eventsBefore.rows[0].n);
  });

  it('needs the task to be claimed', async () => {
    const slug = await running([{ title: 'Unclaimed' }]);
    await expect(complete(`${slug}#1`, done('x'))).rejects.toMatchObject({
      code: 'CONFLICT',
      hint: expect.stringContaining('claim it first'),
    });
  });

  it('stores file artifacts under the artifacts folder after checking their hash, and records them once', async () => {
    const slug = await running([{ title: 'Write a report' }]);
    await claimNextTask(pm, { projectSlug: slug, claimant: 'me' });
    const file = path.join(home.paths.home, 'report.md');
    fs.writeFileSync(file, '# Report\n');
    const sha = crypto.createHash('sha256').update('# Report\n').digest('hex');
    const bad = done(
      'report',
      {},
      { artifacts: [{ name: 'report.md', mediaType: 'text/markdown', path: file, sha256: sha, bytes: 99 }] },
    );
    await expect(complete(`${slug}#1`, bad)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('not what the result declares'),
    });
    const good = done(
      'report',
      {},
      { artifacts: [{ name: 'report.md', mediaType: 'text/markdown', path: file, sha256: sha, bytes: 9 }] },
    );
    const { task } = await complete(`${slug}#1`, good);
    const artifacts = await listArtifacts(db.pool, { taskIds: [task.id] });
    expect(artifacts).toHaveLength(1);
    const stored = artifacts[0]!.uri!.replace(/^file:\/\//, '');
    expect(stored.startsWith(home.paths.artifacts)).toBe(true);
    expect(fs.readFileSync(stored, 'utf8')).toBe('# Report\n');
    expect(artifacts[0]).toMatchObject({ sha256: sha, bytes: 9, lineage: { task: task.ref, attempt: 1 } });
  });

  it('a completed result that fails its acceptance checks fails the task, and can be retried', async () => {
    const slug = await running([
      { title: 'Load', acceptance: ['looks right', { output: 'rows_loaded', op: 'gte', value: 1 }] },
    ]);
    await claimNextTask(pm, { projectSlug: slug, claimant: 'me' });
    const { task } = await complete(`${slug}#1`, done('loaded nothing', { rows_loaded: 0 }));
    expect(task).toMatchObject({
      status: 'failed',
      statusReason: expect.stringContaining('expected outputs.rows_loaded gte 1, got 0'),
    });
    expect(await retryTask(pm, task.ref)).toMatchObject({ status: 'ready' });
    await claimTask(pm, task.ref, 'me');
    expect((await complete(task.ref, done('loaded', { rows_loaded: 10 }))).task).toMatchObject({
      status: 'completed',
      attempts: 2,
    });
  });

  it('input-required keeps the run open until the claimant completes it', async () => {
    const slug = await running([{ title: 'Ask the client' }]);
    await claimNextTask(pm, { projectSlug: slug, claimant: 'me' });
    const paused = await complete(`${slug}#1`, { ...done('which region?'), status: 'input-required' });
    expect(paused.task).toMatchObject({ status: 'input-required', statusReason: 'which region?' });
    const finished = await complete(`${slug}#1`, done('EU it is', { region: 'eu' }));
    expect(finished.task.status).toBe('completed');
    const runs = await db.pool.query('SELECT state FROM bosun.run WHERE task_id = $1', [finished.task.id]);
    expect(runs.rows).toEqual([{ state: 'completed' }]);
  });

  it('fills {{ steps.… }} inputs from upstream results, and lists upstream artifacts', async () => {
    const slug = await running([
      { key: 'fetch', title: 'Fetch' },
      {
        key: 'parse',
        title: 'Parse',
        dependsOn: ['fetch'],
        inputs: { path: '{{ steps.fetch.outputs.file }}', note: 'from {{ steps.fetch.outputs.file }}' },
      },
    ]);
    const before = await taskDetails(db.pool, `${slug}#2`);
    expect(before.missingInputs).toEqual(['steps.fetch.outputs.file', 'steps.fetch.outputs.file']);
    await claimTask(pm, `${slug}#1`, 'me');
    await complete(
      `${slug}#1`,
      done('fetched', { file: '/data/page.html' }, { artifacts: [inlineArtifact('page.html', 'text/html', '<p>')] }),
    );
    const after = await taskDetails(db.pool, `${slug}#2`);
    expect(after.task.status).toBe('ready');
    expect(after.inputs).toEqual({ path: '/data/page.html', note: 'from /data/page.html' });
    expect(after.missingInputs).toEqual([]);
    expect(after.upstreamArtifacts.map((a) => a.name)).toEqual(['page.html']);
  });

  it('handoffs create child tasks; the parent completes when they do, with their results aggregated', async () => {
    const slug = await running([
      { key: 'research', title: 'Research' },
      { key: 'write', title: 'Write', dependsOn: ['research'] },
    ]);
    await claimTask(pm, `${slug}#1`, 'me');
    const handoffs = [
      {
        skill: 'youtube.transcript',
        input: { url: 'https://www.youtube.com/watch?v=abc' },
        reason: 'the talk explains it',
      },
      { skill: 'web.scrape', input: { url: 'https://example.com' }, reason: 'the docs too' },
    ];
    const { task: parent } = await complete(`${slug}#1`, done('found two sources', { sources: 2 }, { handoffs }));
    expect(parent).toMatchObject({ status: 'working', statusReason: 'waiting for its handoff tasks' });
    const children = await listTasks(db.pool, { parentId: parent.id, limit: 10, offset: 0 });
    expect(children.map((c) => [c.skill, c.status])).toEqual([
      ['youtube.transcript', 'ready'],
      ['web.scrape', 'ready'],
    ]);
    expect((await getTask(db.pool, `${slug}#2`)).status).toBe('blocked');
    await claimTask(pm, children[0]!.ref, 'me');
    await complete(children[0]!.ref, done('transcript', { words: 900 }));
    expect((await getTask(db.pool, parent.ref)).status).toBe('working');
    await claimTask(pm, children[1]!.ref, 'me');
    await complete(children[1]!.ref, done('scraped', { pages: 3 }));
    const settled = await getTask(db.pool, parent.ref);
    expect(settled.status).toBe('completed');
    expect(settled.result).toMatchObject({
      outputs: {
        sources: 2,
        handoffs: [
          { ref: children[0]!.ref, status: 'completed', outputs: { words: 900 } },
          { ref: children[1]!.ref, status: 'completed', outputs: { pages: 3 } },
        ],
      },
      metrics: { handoffs: 2, handoffsFailed: 0 },
    });
    expect((await getTask(db.pool, `${slug}#2`)).status).toBe('ready');
    const rows = await db.pool.query('SELECT count(*)::int AS n FROM bosun.handoff WHERE from_task_id = $1', [
      parent.id,
    ]);
    expect(rows.rows[0].n).toBe(2);
  });
});
