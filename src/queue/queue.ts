import crypto from 'node:crypto';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import { BosunError, silentLogger, type Logger } from '../core/index.js';
import { prepared } from '../db/index.js';
import type { BatchSendOptions, JobInfo, JobType, SendOptions } from './types.js';

/** Workers LISTEN here; every send NOTIFYs with the queue name so a free worker starts it at once. */
export const WAKE_CHANNEL = 'bosun_queue';

export const DEFAULT_TIMEOUT_SECONDS = 15 * 60;

/** pg-boss's schema. */
export const BOSS_SCHEMA = 'pgboss';

export interface OpenQueueOptions {
  logger?: Logger;
  /** Run pg-boss maintenance (expiry, archiving) and cron schedules: true in `bosun worker`. */
  supervise?: boolean;
}

/**
 * The job queue behind a small interface: pg-boss stores and moves jobs; Bosun adds wake-ups,
 * leases and the worker loop (see worker.ts). Swapping pg-boss means rewriting this file and
 * worker.ts only.
 *
 * @example
 * ```ts
 * import { JobQueue, type JobType } from './index.js';
 *
 * const greet: JobType<{ name: string }> = {
 *   name: 'demo.greet',
 *   options: { retryLimit: 1 },
 *   handler: async (job) => ({ greeting: `hello ${job.data.name}` }),
 * };
 * const queue = await JobQueue.open(pool);
 * await queue.register([greet]);
 * const id = await queue.send('demo.greet', { name: 'Ada' }, { singletonKey: 'ada' });
 * await queue.schedule('demo.greet', '0 6 * * *', { name: 'morning' });
 * // `bosun worker` runs the handlers: a QueueWorker over the same queue.
 * await queue.close();
 * ```
 */
export class JobQueue {
  private readonly types = new Map<string, JobType<never>>();

  private constructor(
    readonly pool: pg.Pool,
    readonly boss: PgBoss,
    readonly logger: Logger,
  ) {}

  static async open(pool: pg.Pool, options: OpenQueueOptions = {}): Promise<JobQueue> {
    const logger = options.logger ?? silentLogger;
    const supervise = options.supervise ?? false;
    const boss = new PgBoss({
      // pg-boss's statements are a few fixed texts run over and over (fetch, complete, insert):
      // prepared, the server plans them once per connection. Those without values may hold
      // several commands (its migrations), which only the simple protocol runs.
      db: {
        executeSql: (text: string, values?: unknown[]) =>
          values?.length ? pool.query(prepared(text, values)) : pool.query(text),
      },
      schema: BOSS_SCHEMA,
      migrate: true,
      supervise,
      schedule: supervise,
      maintenanceIntervalSeconds: 30,
    });
    boss.on('error', (err) => logger.error({ err }, 'queue error'));
    try {
      await boss.start();
    } catch (err) {
      throw new BosunError('QUEUE_ERROR', `the job queue could not start: ${(err as Error).message}`, { cause: err });
    }
    return new JobQueue(pool, boss, logger);
  }

  /** Declares job types (idempotent: creates their pg-boss queues when missing). */
  async register(types: readonly JobType<never>[]): Promise<void> {
    for (const type of types) {
      const o = type.options ?? {};
      await this.boss.createQueue(type.name, {
        name: type.name,
        policy: o.policy ?? 'standard',
        retryLimit: o.retryLimit ?? 2,
        retryDelay: o.retryDelay ?? 1,
        retryBackoff: o.retryBackoff ?? true,
        expireInSeconds: o.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      });
      this.types.set(type.name, type);
    }
  }

  registered(): JobType<never>[] {
    return [...this.types.values()];
  }

  typeOf(name: string): JobType<never> {
    const type = this.types.get(name);
    if (!type) {
      throw new BosunError('QUEUE_ERROR', `unknown job type '${name}'`, {
        hint: `registered: ${[...this.types.keys()].join(', ') || '(none)'}`,
      });
    }
    return type;
  }

  /** Enqueues a job; returns its id, or null when a singleton key already has one queued. */
  async send(name: string, data: object, options: SendOptions = {}): Promise<string | null> {
    this.typeOf(name);
    const id = await this.boss.send(name, data, {
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
      ...bossJobOptions(options),
    });
    if (id && !options.startAfterSeconds) await this.pool.query('SELECT pg_notify($1, $2)', [WAKE_CHANNEL, name]);
    return id;
  }

  /** Enqueues many jobs of one type in one statement, each with its own options; returns their ids. */
  async sendMany(name: string, jobs: readonly { data: object; options?: BatchSendOptions }[]): Promise<string[]> {
    this.typeOf(name);
    if (!jobs.length) return [];
    const rows = jobs.map(({ data, options = {} }) => ({
      id: crypto.randomUUID(),
      name,
      data,
      ...bossJobOptions(options),
    }));
    await this.boss.insert(rows);
    await this.pool.query('SELECT pg_notify($1, $2)', [WAKE_CHANNEL, name]);
    return rows.map((j) => j.id);
  }

  /**
   * Completes active jobs, each with its own output, in one statement: the update pg-boss's
   * complete() makes, which takes a single output for all the ids it is given.
   */
  async completeMany(jobs: readonly { name: string; id: string; output?: object | undefined }[]): Promise<void> {
    if (!jobs.length) return;
    await this.pool.query(
      prepared(
        `UPDATE ${BOSS_SCHEMA}.job j SET completed_on = now(), state = 'completed', output = d.output::jsonb
           FROM unnest($1::text[], $2::uuid[], $3::text[]) AS d(name, id, output)
          WHERE j.name = d.name AND j.id = d.id AND j.state = 'active'`,
        [
          jobs.map((j) => j.name),
          jobs.map((j) => j.id),
          jobs.map((j) => (j.output === undefined ? null : JSON.stringify(j.output))),
        ],
      ),
    );
  }

  async getJob(name: string, id: string): Promise<JobInfo | null> {
    const job = await this.boss.getJobById(name, id, { includeArchive: true });
    if (!job) return null;
    return {
      id: job.id,
      name: job.name,
      state: job.state,
      retryCount: job.retryCount,
      data: job.data,
      output: job.output,
    };
  }

  /** Runs `name` on a cron expression (5 fields, UTC unless tz given); needs a supervising worker. */
  async schedule(name: string, cron: string, data: object = {}, options: { tz?: string } = {}): Promise<void> {
    this.typeOf(name);
    try {
      await this.boss.schedule(name, cron, data, { tz: options.tz ?? 'UTC' });
    } catch (err) {
      throw new BosunError(
        'INVALID_INPUT',
        `cannot schedule '${name}' with cron "${cron}": ${(err as Error).message}`,
        {
          hint: 'use five fields, e.g. "0 3 * * *" for every day at 03:00',
        },
      );
    }
  }

  async unschedule(name: string): Promise<void> {
    await this.boss.unschedule(name);
  }

  async schedules(): Promise<{ name: string; cron: string; timezone: string; data: unknown }[]> {
    const rows = await this.boss.getSchedules();
    return rows.map((r) => ({ name: r.name, cron: r.cron, timezone: r.options?.tz ?? 'UTC', data: r.data }));
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, close: false, wait: true });
  }
}

/** The options a job may set alone or in a batch, as pg-boss names them. */
function bossJobOptions(o: BatchSendOptions): { priority?: number; retryLimit?: number; expireInSeconds?: number } {
  return {
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
    ...(o.retryLimit !== undefined ? { retryLimit: o.retryLimit } : {}),
    ...(o.timeoutSeconds ? { expireInSeconds: o.timeoutSeconds } : {}),
  };
}
