import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enqueueDueSchedules,
  executeAgent,
  infraScheduleJobTypes,
  INFRA_SCHEDULE_TICK_JOB,
  runScheduleNow,
  type AgentRegistry,
} from '../../src/agents/index.js';
import { configSchema, silentLogger } from '../../src/core/index.js';
import { createProject, listTasks, loadTemplateSet, taskRaiser, type PmContext } from '../../src/pm/index.js';
import { JobQueue, QueueWorker } from '../../src/queue/index.js';
import { runBosun } from '../support/cli.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

/**
 * infra.schedule and infra.monitor on a real PostgreSQL, pg-boss queue and worker, with
 * commands run by exec's sandbox and tasks raised through the PM's own functions.
 */
describe('infra.schedule and infra.monitor', () => {
  let fx: AgentsFixture;
  let registry: AgentRegistry;
  let pm: PmContext;
  let queue: JobQueue;
  let n = 0;

  const run = (skillId: string, input: Record<string, unknown>) =>
    executeAgent({
      registry,
      agentId: 'infra',
      skillId,
      input,
      workDir: `${fx.home}/runs/${++n}`,
      noCache: true,
      tasks: taskRaiser(pm),
    });

  beforeAll(async () => {
    fx = await agentsFixture();
    registry = await fx.open();
    pm = { pool: fx.db.pool, logger: silentLogger, actor: 'test' };
    await createProject(pm, loadTemplateSet(fx.paths), { slug: 'ops' });
    queue = await JobQueue.open(fx.db.pool);
  }, 60_000);

  afterAll(async () => {
    await queue?.close();
    await fx?.cleanup();
  });

  it('schedules a command, runs it in the sandbox, and puts the minute tick on the queue', async () => {
    const env = await run('infra.schedule', {
      name: 'nightly-ok',
      cron: '0 3 * * *',
      command: ['sh', '-c', 'echo done; touch state-file'],
      run_now: true,
    });
    expect(env.status, JSON.stringify(env.error)).toBe('completed');
    const first = env.outputs.firstRun as { status: string; detail: string; isolation: string };
    expect(first.status, first.detail).toBe('succeeded');
    expect(first.detail).toContain('done');
    expect(first.isolation).toMatch(/^bubblewrap\/jail\/network isolated/);
    expect(env.outputs.nextRunAt).toMatch(/T03:00:00.000Z$/);
    expect((await queue.schedules()).map((s) => s.name)).toContain(INFRA_SCHEDULE_TICK_JOB);
  });

  it('refuses a bad cron expression and a schedule with both command and task_template', async () => {
    const bad = await run('infra.schedule', { cron: '61 * * * *', command: ['true'] });
    expect(bad.status).toBe('failed');
    expect(bad.error?.message).toMatch(/invalid cron expression/);
    const both = await run('infra.schedule', {
      cron: '* * * * *',
      command: ['true'],
      task_template: { title: 't' },
      project: 'ops',
    });
    expect(both.error?.message).toMatch(/exactly one of command and task_template/);
  });

  it('the tick queues due schedules and a worker runs them; the monitor sees the failure streak and raises one task', async () => {
    const env = await run('infra.schedule', {
      name: 'broken-job',
      cron: '*/5 * * * *',
      command: ['sh', '-c', 'echo boom >&2; exit 3'],
      project: 'ops',
      run_now: true,
    });
    expect((env.outputs.firstRun as { status: string }).status).toBe('failed');

    const types = infraScheduleJobTypes(() => Promise.resolve(taskRaiser(pm)));
    await queue.register(types);
    const queued = await enqueueDueSchedules(fx.db.pool, queue, new Date(Date.now() + 10 * 60_000), fx.home);
    expect(queued).toContain('broken-job');
    const worker = new QueueWorker(queue, { concurrency: 2, pollMs: 200, heartbeatMs: 1000 });
    await worker.start();
    try {
      for (let i = 0; i < 100; i++) {
        const r = await fx.db.pool.query(
          `SELECT count(*)::int AS n FROM bosun.infra_schedule_run r JOIN bosun.infra_schedule s ON s.id = r.schedule_id
            WHERE s.name = 'broken-job' AND r.status <> 'running'`,
        );
        if (r.rows[0].n >= 2) break;
        await new Promise((res) => setTimeout(res, 200));
      }
    } finally {
      await worker.stop(10_000);
    }

    const monitor = await run('infra.monitor', { schedule: 'broken-job', raise_task: true });
    expect(monitor.status, JSON.stringify(monitor.error)).toBe('completed');
    const out = monitor.outputs as {
      broken: boolean;
      health: { failureStreak: number; lastSuccessAt: string | null; lastRun: { detail: string } };
      raised: { ref: string; created: boolean };
    };
    expect(out.broken).toBe(true);
    expect(out.health.failureStreak).toBe(2);
    expect(out.health.lastSuccessAt).toBeNull();
    expect(out.health.lastRun.detail).toMatch(/exit code 3: boom/);
    expect(out.raised).toEqual({ ref: 'ops#1', created: true });

    // Monitoring again during the same streak finds the task it raised.
    const again = await run('infra.monitor', { schedule: 'broken-job', raise_task: true });
    expect((again.outputs as typeof out).raised).toEqual({ ref: 'ops#1', created: false });
    const tasks = await listTasks(pm.pool, { limit: 100, offset: 0 });
    expect(tasks.map((t) => t.title)).toEqual(['Schedule broken-job is failing (2 runs in a row)']);

    const healthy = await run('infra.monitor', { schedule: 'nightly-ok', raise_task: true, project: 'ops' });
    expect(healthy.outputs).toMatchObject({
      broken: false,
      raised: null,
      health: { state: 'healthy', failureStreak: 0 },
    });
  }, 60_000);

  it('a task_template schedule raises its task in the project each time it fires', async () => {
    const env = await run('infra.schedule', {
      name: 'weekly-report',
      cron: '0 8 * * 1',
      task_template: { title: 'Weekly report', skill: 'flow.join' },
      project: 'ops',
      run_now: true,
    });
    expect(env.outputs.firstRun).toMatchObject({ status: 'succeeded', taskRef: 'ops#2' });
    const again = await runScheduleNow(
      {
        pool: fx.db.pool,
        paths: fx.paths,
        allowUnconfined: configSchema.parse({}).sandbox.allowUnconfined,
        logger: silentLogger,
        tasks: taskRaiser(pm),
      },
      'weekly-report',
    );
    expect(again).toMatchObject({ status: 'succeeded', taskRef: 'ops#3' });
  });

  it('bosun schedules list --json shows each schedule with its health and last runs', async () => {
    const res = await runBosun(['schedules', 'list', '--json'], {
      home: fx.home,
      env: { BOSUN_DATABASE_URL: fx.db.url },
    });
    expect(res.exitCode, res.stderr).toBe(0);
    const byName = new Map(
      (
        res.json.schedules as {
          schedule: { name: string };
          health: { state: string; failureStreak: number };
          lastRuns: unknown[];
        }[]
      ).map((s) => [s.schedule.name, s]),
    );
    expect([...byName.keys()]).toEqual(['broken-job', 'nightly-ok', 'weekly-report']);
    expect(byName.get('broken-job')!.health).toMatchObject({ state: 'failing', failureStreak: 2 });
    expect(byName.get('broken-job')!.lastRuns).toHaveLength(2);
    expect(byName.get('weekly-report')!.health.state).toBe('healthy');
  });

  it('infra.deploy writes a plan and says it needs a person', async () => {
    const env = await run('infra.deploy', { service: 'api', target: 'kubernetes', secrets: ['DB_PASSWORD'] });
    expect(env.status).toBe('completed');
    expect(env.outputs.needsPerson).toBe(true);
    expect(env.artifacts.map((a) => a.name)).toEqual(['deploy-plan.md']);
    expect(JSON.stringify(env.outputs.steps)).toContain('kubectl');
  });
});
