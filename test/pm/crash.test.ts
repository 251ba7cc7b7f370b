import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAgentRegistry } from '../../src/agents/index.js';
import { silentLogger } from '../../src/core/index.js';
import { runCommand } from '../../src/exec/index.js';
import { JobQueue, QueueWorker } from '../../src/queue/index.js';
import {
  advanceProject,
  createDispatcher,
  createProject,
  getTask,
  listArtifacts,
  listRuns,
  planTasks,
  pmJobTypes,
} from '../../src/pm/index.js';
import { bosunBin, repoRoot } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { installStewardAgent, shippedTemplateSet, tempHome, waitFor } from './helpers.js';

describe('a worker killed mid-run', () => {
  const home = tempHome();
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    installStewardAgent(home.paths);
  });
  afterAll(async () => {
    await db.drop();
    home.remove();
  });

  it('is detected dead, the run is retried once elsewhere, and the task completes exactly once', async () => {
    const stopChild = new AbortController();
    // The database only on the command line: the worker's jobs must run on the worker's connection.
    const child = runCommand(process.execPath, [bosunBin, '--database-url', db.url, 'worker', '--concurrency', '2'], {
      env: { BOSUN_HOME: home.paths.home, BOSUN_LOG_LEVEL: 'warn' },
      cwd: repoRoot,
      timeoutMs: 0,
      signal: stopChild.signal,
    });
    const registry = await openAgentRegistry({ pool: db.pool, paths: home.paths, logger: silentLogger });
    const queue = await JobQueue.open(db.pool);
    await queue.register(pmJobTypes);
    let survivor: QueueWorker | undefined;
    try {
      await waitFor(
        'the child worker',
        async () =>
          (await db.pool.query(`SELECT 1 FROM bosun.process WHERE kind = 'worker' AND stopped_at IS NULL`)).rowCount! >
          0,
      );
      const pm = {
        pool: db.pool,
        logger: silentLogger,
        actor: 'test',
        afterCommit: createDispatcher({
          pool: db.pool,
          logger: silentLogger,
          actor: 'test',
          home: home.paths.home,
          registry: async () => registry,
          queue: async () => queue,
        }),
      };
      await createProject(pm, shippedTemplateSet(), { slug: 'crash' });
      await planTasks(pm, 'crash', [
        { title: 'Slow sample', skill: 'data.synthetic', inputs: { rows: 2, sleepMs: 4000 } },
      ]);
      await advanceProject(pm, 'crash');

      const first = await waitFor('attempt 1 to start in the child', async () => {
        const runs = await listRuns(db.pool, (await getTask(db.pool, 'crash#1')).id);
        return runs[0]?.state === 'working' && runs[0];
      });
      const pid = Number(first.claimedBy.split(':').at(-1));
      expect(pid).not.toBe(process.pid);
      process.kill(pid, 'SIGKILL');
      await child.catch(() => undefined);

      // Another worker notices the silence (its heartbeat is older than deadAfterMs) and the job is retried there.
      survivor = new QueueWorker(queue, { concurrency: 2, pollMs: 200, heartbeatMs: 1000, deadAfterMs: 8000 });
      await survivor.start();
      const task = await waitFor(
        'the retried task to complete',
        async () => {
          const t = await getTask(db.pool, 'crash#1');
          return t.status === 'completed' && t;
        },
        60_000,
      );
      const runs = await listRuns(db.pool, task.id);
      expect(runs.map((r) => [r.attempt, r.state, r.error?.code ?? null])).toEqual([
        [1, 'failed', 'WORKER_LOST'],
        [2, 'completed', null],
      ]);
      expect(runs[1]!.claimedBy).toBe(`worker:${os.hostname()}:${process.pid}`);
      const completions = await db.pool.query(
        `SELECT count(*)::int AS n FROM bosun.event WHERE task_id = $1 AND kind = 'task.status' AND data->>'to' = 'completed'`,
        [task.id],
      );
      expect(completions.rows[0].n).toBe(1);
      expect(await listArtifacts(db.pool, { taskIds: [task.id] })).toHaveLength(1);
      expect(task.result).toMatchObject({ outputs: { rows: 2 } });
    } finally {
      stopChild.abort();
      await survivor?.stop(5_000);
      await queue.close();
    }
  }, 120_000);
});
