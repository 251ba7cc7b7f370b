import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue, QueueWorker, testJobTypes, type JobInfo } from '../../src/queue/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { runBosun } from '../support/cli.js';

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('job queue', () => {
  let db: TestDatabase;
  let queue: JobQueue;
  const jobState = (name: string, id: string) => queue.getJob(name, id);
  const finished = (name: string, id: string) =>
    waitFor<JobInfo>(`job ${id}`, async () => {
      const j = await jobState(name, id);
      return j && ['completed', 'failed', 'cancelled'].includes(j.state) ? j : null;
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    queue = await JobQueue.open(db.pool, {});
    await queue.register(testJobTypes);
  });
  afterAll(async () => {
    await queue.close();
    await db.drop();
  });

  it('runs a job and stores its output', async () => {
    const worker = new QueueWorker(queue, { concurrency: 2 });
    await worker.start();
    try {
      const id = (await queue.send('test.sleep', { ms: 10 }))!;
      const job = await finished('test.sleep', id);
      expect(job).toMatchObject({ state: 'completed', output: { slept: 10 } });
    } finally {
      await worker.stop();
    }
  });

  it("hands handlers the worker's pool and queue", async () => {
    const seen: { pool?: unknown; queue?: unknown } = {};
    await queue.register([
      {
        name: 'test.context',
        options: { retryLimit: 0 },
        handler: async (job) => {
          Object.assign(seen, { pool: job.pool, queue: job.queue });
          const { rows } = await job.pool.query<{ db: string }>('SELECT current_database() AS db');
          return { db: rows[0]!.db, followUp: await job.queue.send('test.noop', {}) };
        },
      },
    ]);
    const worker = new QueueWorker(queue, { concurrency: 1 });
    await worker.start();
    try {
      const id = (await queue.send('test.context', {}))!;
      const job = await finished('test.context', id);
      expect(job).toMatchObject({ state: 'completed', output: { db: db.name } });
      expect(seen.pool).toBe(db.pool);
      expect(seen.queue).toBe(queue);
      expect(await finished('test.noop', (job.output as { followUp: string }).followUp)).toMatchObject({
        state: 'completed',
      });
    } finally {
      await worker.stop();
    }
  });

  it('starts a waiting job on NOTIFY, not on the polling interval', async () => {
    const worker = new QueueWorker(queue, { concurrency: 1, pollMs: 30_000 });
    await worker.start();
    try {
      await sleep(200); // the worker is now idle, waiting up to 30 s
      const sent = Date.now();
      const id = (await queue.send('test.noop', {}))!;
      await finished('test.noop', id);
      expect(Date.now() - sent).toBeLessThan(5_000);
    } finally {
      await worker.stop();
    }
  });

  it('retries a failing job until it succeeds', async () => {
    const worker = new QueueWorker(queue, { concurrency: 1, pollMs: 200 });
    await worker.start();
    try {
      const id = (await queue.send('test.flaky', { failTimes: 2 }))!;
      const job = await finished('test.flaky', id);
      expect(job).toMatchObject({ state: 'completed', retryCount: 2, output: { attempts: 3 } });
    } finally {
      await worker.stop();
    }
  });

  it('aborts a job past its timeout and fails it', async () => {
    const worker = new QueueWorker(queue, { concurrency: 1, pollMs: 200, abortGraceMs: 500 });
    await worker.start();
    try {
      const id = (await queue.send('test.sleep', { ms: 60_000 }, { timeoutSeconds: 1, retryLimit: 0 }))!;
      const job = await finished('test.sleep', id);
      expect(job.state).toBe('failed');
      expect(JSON.stringify(job.output)).toMatch(/timed out after 1 s/);
    } finally {
      await worker.stop();
    }
  });

  it('keeps one queued job per singleton key on a stately queue', async () => {
    const a = await queue.send('test.exclusive', {}, { singletonKey: 'only-one', startAfterSeconds: 60 });
    const b = await queue.send('test.exclusive', {}, { singletonKey: 'only-one', startAfterSeconds: 60 });
    const other = await queue.send('test.exclusive', {}, { singletonKey: 'another', startAfterSeconds: 60 });
    expect(a).toBeTruthy();
    expect(b).toBeNull();
    expect(other).toBeTruthy();
  });

  it('rejects an unknown job type and a bad cron expression clearly', async () => {
    await expect(queue.send('no.such', {})).rejects.toMatchObject({
      code: 'QUEUE_ERROR',
      message: expect.stringContaining('no.such'),
    });
    await expect(queue.schedule('test.noop', 'every day')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await queue.schedule('test.noop', '*/5 * * * *', { from: 'cron' });
    expect(await queue.schedules()).toContainEqual(expect.objectContaining({ name: 'test.noop', cron: '*/5 * * * *' }));
    await queue.unschedule('test.noop');
    expect(await queue.schedules()).toEqual([]);
  });

  it('retries the job of a worker killed with -9 on another worker', async () => {
    const child = runBosun(['worker', '--concurrency', '1'], { env: { BOSUN_DATABASE_URL: db.url } });
    const pid = await waitFor('the worker process', async () => {
      const r = await db.pool.query<{ pid: number }>(
        `SELECT pid FROM bosun.process WHERE kind = 'worker' AND stopped_at IS NULL AND pid <> $1`,
        [process.pid],
      );
      return r.rows[0]?.pid;
    });
    const id = (await queue.send('test.sleep', { ms: 1_500 }, { retryLimit: 1 }))!;
    await waitFor('the job to start', async () => (await jobState('test.sleep', id))?.state === 'active');
    process.kill(pid, 'SIGKILL');
    await child;
    const rescuer = new QueueWorker(queue, { concurrency: 1, pollMs: 200, heartbeatMs: 500, deadAfterMs: 2_000 });
    await rescuer.start();
    try {
      const job = await finished('test.sleep', id);
      expect(job).toMatchObject({ state: 'completed', retryCount: 1 });
      expect(rescuer.completed).toBe(1);
      const leases = await db.pool.query('SELECT count(*)::int AS n FROM bosun.job_lease');
      expect(leases.rows[0].n).toBe(0);
    } finally {
      await rescuer.stop();
    }
  });

  it('retries a job whose worker died after fetching it but before leasing it', async () => {
    const id = (await queue.send('test.noop', { orphan: true }, { retryLimit: 1 }))!;
    // What a worker killed between the two statements leaves: an active job with no lease.
    const [fetched] = await queue.boss.fetch('test.noop', { batchSize: 1 });
    expect(fetched?.id).toBe(id);
    expect((await jobState('test.noop', id))?.state).toBe('active');
    const rescuer = new QueueWorker(queue, { concurrency: 1, pollMs: 200, heartbeatMs: 500, deadAfterMs: 1_000 });
    await rescuer.start();
    try {
      expect(await finished('test.noop', id)).toMatchObject({ state: 'completed', retryCount: 1 });
      expect(rescuer.completed).toBe(1);
    } finally {
      await rescuer.stop();
    }
  });

  it('`bosun worker` finishes its running job on SIGTERM, then exits 0', async () => {
    const child = runBosun(['worker', '--json'], { env: { BOSUN_DATABASE_URL: db.url } });
    const pid = await waitFor('the worker process', async () => {
      const r = await db.pool.query<{ pid: number }>(
        `SELECT pid FROM bosun.process WHERE kind = 'worker' AND stopped_at IS NULL AND heartbeat_at > now() - interval '10 seconds' AND pid <> $1`,
        [process.pid],
      );
      return r.rows[0]?.pid;
    });
    const id = (await queue.send('test.sleep', { ms: 1_500 }))!;
    await waitFor('the job to start', async () => (await jobState('test.sleep', id))?.state === 'active');
    process.kill(pid, 'SIGTERM');
    const res = await child;
    expect(res.exitCode, res.stderr).toBe(0);
    const events = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ event: 'stopped', signal: 'SIGTERM', completed: 1 });
    expect((await jobState('test.sleep', id))?.state).toBe('completed');
    const row = await db.pool.query('SELECT stopped_at FROM bosun.process WHERE pid = $1', [pid]);
    expect(row.rows[0].stopped_at).not.toBeNull();
  });
});
