import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAgentRegistry, type AgentRegistry } from '../../src/agents/index.js';
import { silentLogger } from '../../src/core/index.js';
import { JobQueue, QueueWorker } from '../../src/queue/index.js';
import {
  advanceProject,
  createDispatcher,
  createProject,
  getTask,
  listArtifacts,
  listRuns,
  listTasks,
  planTasks,
  pmJobTypes,
  runTask,
  type PmContext,
  type TaskDraft,
} from '../../src/pm/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import {
  installScribeAgent,
  installStewardAgent,
  shippedTemplateSet,
  tempHome,
  uniqueSlug,
  waitFor,
} from './helpers.js';

describe('task execution through the queue', () => {
  const home = tempHome();
  let db: TestDatabase;
  let registry: AgentRegistry;
  let queue: JobQueue;
  let worker: QueueWorker;
  let pm: PmContext;

  beforeAll(async () => {
    db = await createTestDatabase();
    installStewardAgent(home.paths);
    installScribeAgent(home.paths);
    registry = await openAgentRegistry({ pool: db.pool, paths: home.paths, logger: silentLogger });
    queue = await JobQueue.open(db.pool);
    await queue.register(pmJobTypes);
    const dispatch = createDispatcher({
      pool: db.pool,
      logger: silentLogger,
      actor: 'test',
      home: home.paths.home,
      registry: async () => registry,
      queue: async () => queue,
    });
    pm = { pool: db.pool, logger: silentLogger, actor: 'test', afterCommit: dispatch };
    worker = new QueueWorker(queue, { concurrency: 4, pollMs: 200, heartbeatMs: 1000 });
    await worker.start();
  });
  afterAll(async () => {
    await worker?.stop(5_000);
    await queue?.close();
    await db.drop();
    home.remove();
  });

  async function execute(drafts: TaskDraft[]) {
    const slug = uniqueSlug('exec');
    await createProject(pm, shippedTemplateSet(), { slug });
    await planTasks(pm, slug, drafts);
    await advanceProject(pm, slug);
    return slug;
  }
  const settled = (ref: string, timeoutMs = 30_000) =>
    waitFor(
      `${ref} to finish`,
      async () => {
        const t = await getTask(db.pool, ref);
        return ['completed', 'failed', 'canceled', 'rejected'].includes(t.status) && t;
      },
      timeoutMs,
    );

  it('routes tasks when they are created, and runs the automatic ones in dependency order', async () => {
    const slug = await execute([
      { key: 'make', title: 'Make sample data', skill: 'data.synthetic', inputs: { rows: 3 } },
      {
        key: 'check',
        title: 'Check the sample',
        skill: 'data.quality',
        dependsOn: ['make'],
        inputs: { rows: '{{ steps.make.outputs.rows }}', echo: 'checked' },
      },
      { key: 'write', title: 'Write the report', skill: 'docs.write' },
    ]);
    const check = await settled(`${slug}#2`);
    expect(check).toMatchObject({
      status: 'completed',
      agentId: 'steward',
      result: { outputs: { rows: 3, echo: 'checked' } },
    });
    const make = await getTask(db.pool, `${slug}#1`);
    expect(make.route).toMatchObject({ agentId: 'steward', skillId: 'data.synthetic', automatic: true });
    expect((make.route as { reasons: string[] }).reasons.join(' ')).toContain('data.synthetic');
    expect((make.route as { runnersUp: { agentId: string }[] }).runnersUp.map((r) => r.agentId)).toContain(
      'data-engineering',
    );

    const runs = await listRuns(db.pool, make.id);
    expect(runs).toEqual([
      expect.objectContaining({
        attempt: 1,
        state: 'completed',
        agentId: 'steward',
        agentVersion: '1.2.3',
        skill: 'data.synthetic',
      }),
    ]);
    expect(runs[0]!.claimedBy).toMatch(/^worker:/);
    const [artifact] = await listArtifacts(db.pool, { taskIds: [make.id] });
    const file = artifact!.uri!.replace('file://', '');
    expect(file.startsWith(home.paths.artifacts)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('n\n1\n2\n3\n');

    const write = await getTask(db.pool, `${slug}#3`);
    expect(write).toMatchObject({ status: 'ready', automatic: false, agentId: 'scribe' });

    const stats = await db.pool.query(
      `SELECT runs, successes FROM bosun.agent_skill_stats WHERE agent_id = 'steward' AND skill_id = 'data.synthetic'`,
    );
    expect(stats.rows[0].runs).toBeGreaterThanOrEqual(1);
  });

  it('routes and queues the tasks of one plan together, each exactly once', async () => {
    const slug = await execute(
      Array.from({ length: 12 }, (_, i) => ({
        title: 'Make sample data',
        skill: 'data.synthetic',
        inputs: { rows: 1 },
        priority: i % 3,
      })),
    );
    const tasks = await Promise.all(Array.from({ length: 12 }, (_, i) => settled(`${slug}#${i + 1}`)));
    expect(tasks.map((t) => t.status)).toEqual(Array(12).fill('completed'));
    const events = await db.pool.query<{ kind: string; n: number }>(
      `SELECT CASE WHEN kind = 'task.status' THEN 'to ' || (data->>'to') ELSE kind END AS kind, count(*)::int AS n
         FROM bosun.event WHERE task_id = ANY($1::uuid[]) GROUP BY 1`,
      [tasks.map((t) => t.id)],
    );
    expect(Object.fromEntries(events.rows.map((r) => [r.kind, r.n]))).toEqual({
      'task.created': 12,
      'task.routed': 12,
      'to submitted': 12,
      'to working': 12,
      'run.started': 12,
      'artifact.recorded': 12,
      'run.finished': 12,
      'to completed': 12,
    });
    const jobs = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'task.run' AND data->>'taskId' = ANY($1::text[])`,
      [tasks.map((t) => t.id)],
    );
    expect(jobs.rows[0]!.n).toBe(12);
  });

  it("a join completes by itself in the worker and passes its branches' outputs on", async () => {
    const slug = await execute([
      { key: 'make', title: 'Make sample data', skill: 'data.synthetic', inputs: { rows: 2 } },
      { key: 'check', title: 'Check the sample', skill: 'data.quality', inputs: { rows: 3 } },
      {
        key: 'join',
        title: 'Both branches are done',
        skill: 'flow.join',
        dependsOn: ['make', 'check'],
        inputs: { made: '{{ steps.make.outputs.rows }}', checked: '{{ steps.check.outputs.rows }}' },
      },
      {
        key: 'after',
        title: 'Make more sample data',
        skill: 'data.synthetic',
        dependsOn: ['join'],
        inputs: { rows: '{{ steps.join.outputs.made }}', echo: '{{ steps.join.outputs.checked }}' },
      },
    ]);
    const after = await settled(`${slug}#4`);
    expect(after).toMatchObject({ status: 'completed', result: { outputs: { rows: 2, echo: 3 } } });
    const join = await getTask(db.pool, `${slug}#3`);
    expect(join).toMatchObject({
      status: 'completed',
      agentId: 'flow',
      result: { summary: 'passed on made, checked', outputs: { made: 2, checked: 3 } },
    });
    expect(await listRuns(db.pool, join.id)).toEqual([
      expect.objectContaining({ attempt: 1, state: 'completed', agentId: 'flow', skill: 'flow.join' }),
    ]);
  });

  it('retries a retryable failure through the queue, then completes', async () => {
    const slug = await execute([
      { title: 'Flaky', skill: 'data.synthetic', inputs: { rows: 1, failTimes: 1 }, attemptsAllowed: 3 },
    ]);
    const task = await settled(`${slug}#1`);
    expect(task).toMatchObject({ status: 'completed', attempts: 2, result: { outputs: { attempt: 2 } } });
    const runs = await listRuns(db.pool, task.id);
    expect(runs.map((r) => [r.attempt, r.state, r.error?.code ?? null])).toEqual([
      [1, 'failed', 'PLANNED'],
      [2, 'completed', null],
    ]);
  });

  it('fails for good when the attempts run out', async () => {
    const slug = await execute([
      { title: 'Hopeless', skill: 'data.synthetic', inputs: { failTimes: 5 }, attemptsAllowed: 2 },
    ]);
    const task = await settled(`${slug}#1`);
    expect(task).toMatchObject({ status: 'failed', attempts: 2, statusReason: 'planned failure 2' });
  });

  it('runs handoffs as child tasks and completes the parent with their results', async () => {
    const slug = await execute([
      {
        title: 'Plan the checks',
        skill: 'data.synthetic',
        inputs: {
          rows: 2,
          handoffs: [{ skill: 'data.quality', input: { rows: 5, echo: 'child' }, reason: 'check the sample' }],
        },
      },
    ]);
    const parent = await settled(`${slug}#1`);
    expect(parent.status).toBe('completed');
    const [child] = await listTasks(db.pool, { parentId: parent.id, limit: 5, offset: 0 });
    expect(child).toMatchObject({ status: 'completed', agentId: 'steward', skill: 'data.quality' });
    expect(parent.result).toMatchObject({
      outputs: { rows: 2, handoffs: [{ ref: child!.ref, status: 'completed', outputs: { rows: 5, echo: 'child' } }] },
    });
  });

  it('a repeated run of a completed task changes nothing', async () => {
    const slug = await execute([{ title: 'Once', skill: 'data.synthetic', inputs: { rows: 1 } }]);
    const task = await settled(`${slug}#1`);
    const before = {
      runs: await listRuns(db.pool, task.id),
      artifacts: await listArtifacts(db.pool, { taskIds: [task.id] }),
    };
    const rt = { pm, registry, paths: home.paths };
    const again = await runTask(rt, task.id, { claimant: 'me', logger: silentLogger });
    expect(again).toMatchObject({ kind: 'skipped', reason: 'the task is completed' });
    const jobId = (await queue.send('task.run', { taskId: task.id, home: home.paths.home }))!;
    const job = await waitFor('the repeated job', async () => {
      const info = await queue.getJob('task.run', jobId);
      return info?.state === 'completed' && info;
    });
    expect(job.output).toEqual({ task: task.ref, skipped: 'the task is completed' });
    expect(await listRuns(db.pool, task.id)).toEqual(before.runs);
    expect(await listArtifacts(db.pool, { taskIds: [task.id] })).toEqual(before.artifacts);
    expect((await getTask(db.pool, task.id)).resultSha256).toBe(task.resultSha256);
  });

  it('refuses to run a task routed to an assistant', async () => {
    const slug = await execute([{ title: 'Write it', skill: 'docs.write' }]);
    await waitFor('routing', async () => (await getTask(db.pool, `${slug}#1`)).route !== null);
    await expect(
      runTask({ pm, registry, paths: home.paths }, `${slug}#1`, { claimant: 'me', logger: silentLogger }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      hint: expect.stringContaining('claim it'),
    });
  });
});
