import os from 'node:os';
import pg from 'pg';
import type PgBoss from 'pg-boss';
import { BosunError, newId, WriteBatcher, type Logger } from '../core/index.js';
import { prepared } from '../db/index.js';
import { BOSS_SCHEMA, DEFAULT_TIMEOUT_SECONDS, WAKE_CHANNEL, type JobQueue } from './queue.js';

export interface WorkerOptions {
  concurrency: number;
  /** Poll when no notification arrives (jobs scheduled for later, retries). */
  pollMs?: number;
  heartbeatMs?: number;
  /** A worker whose heartbeat is older than this is dead; its jobs are failed and retried. */
  deadAfterMs?: number;
  /** Extra time a job gets after its abort signal before it is failed anyway. */
  abortGraceMs?: number;
}

type FetchedJob = PgBoss.JobWithMetadata<unknown>;

/** Advisory lock key of the orphaned-job sweep (any fixed number unique within Bosun). */
const ORPHAN_SWEEP_LOCK = 0x626f73756e01;
type CompletedJob = { name: string; id: string; output: object | undefined };

/** Resolves when poked or after `ms`, whichever comes first. */
class Wakeup {
  private resolve: (() => void) | null = null;
  private pending = false;
  poke(): void {
    this.pending = true;
    this.resolve?.();
  }
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.resolve = null;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.resolve = done;
    });
  }
}

function intervalSeconds(interval: unknown): number | null {
  if (!interval || typeof interval !== 'object') return null;
  const i = interval as { days?: number; hours?: number; minutes?: number; seconds?: number };
  const s = (i.days ?? 0) * 86400 + (i.hours ?? 0) * 3600 + (i.minutes ?? 0) * 60 + (i.seconds ?? 0);
  return s > 0 ? s : null;
}

/**
 * Runs registered job types with at most `concurrency` at once. Fetches as soon as a slot is
 * free or a NOTIFY arrives (pg-boss's own work() loop sleeps its polling interval between
 * fetches), leases each job to this process, heart-beats, and fails the jobs of dead workers.
 */
export class QueueWorker {
  readonly processId = newId();
  private readonly active = new Map<string, { name: string; controller: AbortController; done: Promise<void> }>();
  private readonly wake = new Wakeup();
  private listener: pg.Client | null = null;
  private loopDone: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private readonly completions = new WriteBatcher<CompletedJob>((batch) => this.writeCompletions(batch));
  private readonly opts: Required<WorkerOptions>;
  /** Jobs finished by this worker since start (for status and benchmarks). */
  completed = 0;
  failed = 0;

  constructor(
    private readonly queue: JobQueue,
    options: WorkerOptions,
    private readonly logger: Logger = queue.logger,
  ) {
    this.opts = { pollMs: 1_000, heartbeatMs: 5_000, deadAfterMs: 30_000, abortGraceMs: 5_000, ...options };
  }

  async start(): Promise<void> {
    const pool = this.queue.pool;
    await pool.query(
      `INSERT INTO bosun.process (id, kind, hostname, pid, concurrency) VALUES ($1, 'worker', $2, $3, $4)`,
      [this.processId, os.hostname(), process.pid, this.opts.concurrency],
    );
    await this.listen();
    this.timers.push(setInterval(() => void this.heartbeat(), this.opts.heartbeatMs));
    this.timers.push(
      setInterval(() => void this.reapDeadWorkers(), Math.max(1_000, Math.floor(this.opts.deadAfterMs / 3))),
    );
    await this.reapDeadWorkers();
    this.loopDone = this.loop();
  }

  private async listen(): Promise<void> {
    const opts = this.queue.pool.options;
    const client = new pg.Client({ ...opts });
    client.on('notification', () => this.wake.poke());
    client.on('error', (err) => {
      this.logger.warn({ err }, 'queue listener lost its connection; falling back to polling');
      this.listener = null;
    });
    await client.connect();
    await client.query(`LISTEN ${WAKE_CHANNEL}`);
    this.listener = client;
  }

  private async heartbeat(): Promise<void> {
    await this.queue.pool
      .query('UPDATE bosun.process SET heartbeat_at = now() WHERE id = $1', [this.processId])
      .catch((err: unknown) => this.logger.warn({ err }, 'heartbeat failed'));
  }

  /** Marks silent workers dead and fails their leased jobs so pg-boss retries them. */
  async reapDeadWorkers(): Promise<number> {
    try {
      const dead = await this.queue.pool.query<{ job_id: string; queue: string }>(
        `WITH dead AS (
           UPDATE bosun.process SET stopped_at = now()
            WHERE stopped_at IS NULL AND kind = 'worker' AND id <> $1
              AND heartbeat_at < now() - make_interval(secs => $2)
           RETURNING id)
         DELETE FROM bosun.job_lease l USING dead WHERE l.process_id = dead.id
         RETURNING l.job_id, l.queue`,
        [this.processId, this.opts.deadAfterMs / 1000],
      );
      for (const row of dead.rows) {
        this.logger.warn({ job: row.job_id, queue: row.queue }, 'job of a dead worker failed for retry');
        await this.queue.boss.fail(row.queue, row.job_id, {
          message: 'the worker running this job stopped responding',
        });
      }
      const orphans = await this.failOrphans();
      if (dead.rowCount || orphans) this.wake.poke();
      return (dead.rowCount ?? 0) + orphans;
    } catch (err) {
      this.logger.warn({ err }, 'dead-worker sweep failed');
      return 0;
    }
  }

  /**
   * A worker killed between fetching a job (pg-boss marks it active) and leasing it leaves an
   * active job nobody holds: fail those once they are older than a dead worker's silence. One
   * sweeper at a time (an advisory lock), so a job retried and fetched again since it was seen
   * (its start time is new) is never failed under its new worker.
   */
  private async failOrphans(): Promise<number> {
    const client = await this.queue.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        ORPHAN_SWEEP_LOCK,
      ]);
      if (!rows[0]?.locked) return 0;
      try {
        const orphans = await client.query<{ id: string; name: string }>(
          `SELECT j.id, j.name FROM ${BOSS_SCHEMA}.job j
            WHERE j.state = 'active' AND j.started_on < now() - make_interval(secs => $1)
              AND NOT EXISTS (SELECT 1 FROM bosun.job_lease l WHERE l.job_id = j.id)`,
          [this.opts.deadAfterMs / 1000],
        );
        for (const job of orphans.rows) {
          this.logger.warn({ job: job.id, queue: job.name }, 'job left active without a worker failed for retry');
          await this.queue.boss.fail(job.name, job.id, {
            message: 'the worker that fetched this job stopped before running it',
          });
        }
        return orphans.rowCount ?? 0;
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [ORPHAN_SWEEP_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  private async loop(): Promise<void> {
    const names = () => this.queue.registered().map((t) => t.name);
    while (!this.stopping) {
      let fetched = 0;
      for (const name of names()) {
        const free = this.opts.concurrency - this.active.size;
        if (free <= 0 || this.stopping) break;
        let jobs: FetchedJob[];
        try {
          jobs = await this.queue.boss.fetch<unknown>(name, { batchSize: free, includeMetadata: true });
        } catch (err) {
          this.logger.error({ err, queue: name }, 'fetch failed');
          jobs = [];
        }
        if (!jobs.length) continue;
        fetched += jobs.length;
        await this.lease(name, jobs);
        for (const job of jobs) this.run(name, job);
      }
      if (this.stopping) break;
      if (fetched === 0 || this.active.size >= this.opts.concurrency) await this.wake.wait(this.opts.pollMs);
    }
  }

  private async lease(name: string, jobs: FetchedJob[]): Promise<void> {
    await this.queue.pool
      .query(
        prepared(
          `INSERT INTO bosun.job_lease (job_id, queue, process_id) SELECT unnest($1::uuid[]), $2, $3 ON CONFLICT DO NOTHING`,
          [jobs.map((j) => j.id), name, this.processId],
        ),
      )
      .catch((err: unknown) => this.logger.warn({ err }, 'lease failed'));
  }

  private run(name: string, job: FetchedJob): void {
    const type = this.queue.typeOf(name);
    const controller = new AbortController();
    const timeoutS = intervalSeconds(job.expireIn) ?? type.options?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const logger = this.logger.child({ job: job.id, queue: name, retry: job.retryCount });
    const done = (async () => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort(new BosunError('EXEC_TIMEOUT', `job timed out after ${timeoutS} s`));
          setTimeout(() => reject(controller.signal.reason as Error), this.opts.abortGraceMs).unref();
        }, timeoutS * 1000);
      });
      try {
        const output = await Promise.race([
          type.handler({
            id: job.id,
            name,
            data: job.data as never,
            retryCount: job.retryCount,
            signal: controller.signal,
            logger,
            pool: this.queue.pool,
            queue: this.queue,
          }),
          timedOut,
        ]);
        void this.completions.add({ name, id: job.id, output: toObject(output) });
        this.completed++;
      } catch (thrown) {
        // A handler aborted by our timeout or shutdown reports the reason, not a bare AbortError.
        const err: unknown = controller.signal.aborted ? controller.signal.reason : thrown;
        this.failed++;
        logger.warn({ err }, 'job failed');
        const e = err instanceof BosunError ? err.toJSON() : { message: (err as Error)?.message ?? String(err) };
        await this.queue.boss
          .fail(name, job.id, e)
          .catch((failErr: unknown) => logger.error({ err: failErr }, 'could not record failure'));
        await this.queue.pool
          .query(prepared('DELETE FROM bosun.job_lease WHERE job_id = $1', [job.id]))
          .catch(() => undefined);
      } finally {
        clearTimeout(timer);
        this.active.delete(job.id);
        this.wake.poke();
      }
    })();
    this.active.set(job.id, { name, controller, done });
  }

  /**
   * Completions are written in batches (WriteBatcher): one statement for the jobs' states and
   * outputs, one lease delete. Per-job round trips were the throughput limit. A crash before
   * the write re-runs those jobs, which the queue's at-least-once contract already allows.
   */
  private async writeCompletions(batch: CompletedJob[]): Promise<void> {
    try {
      await this.queue.completeMany(batch);
      await this.queue.pool.query(
        prepared('DELETE FROM bosun.job_lease WHERE job_id = ANY($1::uuid[])', [batch.map((c) => c.id)]),
      );
    } catch (err) {
      this.logger.error({ err, jobs: batch.length }, 'could not record completions; the jobs will be retried');
    }
  }

  get inFlight(): number {
    return this.active.size;
  }

  /**
   * Stops fetching, waits up to `timeoutMs` for running jobs, then aborts the rest (their
   * handlers fail them, so pg-boss retries them elsewhere).
   */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.stopping = true;
    this.wake.poke();
    await this.loopDone;
    const all = () => Promise.all([...this.active.values()].map((a) => a.done));
    const finished = await Promise.race([
      all().then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs)),
    ]);
    if (!finished) {
      for (const a of this.active.values())
        a.controller.abort(new BosunError('QUEUE_ERROR', 'the worker is shutting down'));
      await Promise.race([all(), new Promise((r) => setTimeout(r, this.opts.abortGraceMs + 1_000))]);
    }
    await this.completions.idle();
    for (const t of this.timers) clearInterval(t);
    await this.listener?.end().catch(() => undefined);
    await this.queue.pool
      .query('UPDATE bosun.process SET stopped_at = now() WHERE id = $1', [this.processId])
      .catch(() => undefined);
  }
}

function toObject(output: unknown): object | undefined {
  if (output === undefined || output === null) return undefined;
  return typeof output === 'object' && !Array.isArray(output) ? output : { value: output };
}

/** Live workers (heartbeat within the dead-after window), for `bosun status`. */
export async function liveWorkers(pool: pg.Pool, deadAfterMs = 30_000) {
  const res = await pool.query<{
    id: string;
    hostname: string;
    pid: number;
    concurrency: number;
    started_at: Date;
    heartbeat_at: Date;
  }>(
    `SELECT id, hostname, pid, concurrency, started_at, heartbeat_at FROM bosun.process
      WHERE kind = 'worker' AND stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => $1)
      ORDER BY started_at`,
    [deadAfterMs / 1000],
  );
  return res.rows;
}
