import { z } from 'zod';
import { loadConfig, parseWith } from '../../../../core/index.js';
import type { Pool } from '../../../../db/index.js';
import { cronFiredBetween, parseCron } from '../../../../docs/sync/index.js';
import type { JobContext, JobQueue, JobType } from '../../../../queue/index.js';
import type { TaskRaiser } from '../../../runtime/types.js';
import { runScheduleNow } from './run.js';
import { listSchedules, markEnqueued } from './store.js';

/**
 * The infra schedules on Bosun's queue, the way docs sync schedules work (docs/sync/schedule.ts):
 * pg-boss keeps one cron schedule per queue, so one minute tick evaluates every schedule's cron
 * expression with the docs layer's parser and queues a run for each that fired since it last
 * queued one (a worker that was down catches up once, not once per missed minute).
 */
export const INFRA_SCHEDULE_TICK_JOB = 'infra.schedule-tick';
export const INFRA_SCHEDULE_RUN_JOB = 'infra.schedule-run';
export const EVERY_MINUTE = '* * * * *';

const tickData = z.object({ home: z.string().min(1).optional() }).strict();
const runData = z.object({ schedule: z.string().min(1), home: z.string().min(1).optional() }).strict();

/** Queues a run of every enabled schedule whose cron fired in (last queued, now]; returns their names. */
export async function enqueueDueSchedules(pool: Pool, queue: JobQueue, now: Date, home?: string): Promise<string[]> {
  const queued: string[] = [];
  for (const s of await listSchedules(pool)) {
    if (!s.enabled || !cronFiredBetween(parseCron(s.cron), s.lastEnqueuedAt ?? s.createdAt, now)) continue;
    // 'stately' with the schedule as key: a slow job never piles up runs of itself.
    await queue.send(INFRA_SCHEDULE_RUN_JOB, { schedule: s.id, ...(home ? { home } : {}) }, { singletonKey: s.id });
    await markEnqueued(pool, s.id, now);
    queued.push(s.name);
  }
  return queued;
}

/** How a worker gets a task raiser for a job: the PM's, wired in by the composition root (src/jobs.ts). */
export type JobTaskRaiser = (job: JobContext<unknown>, home: string) => Promise<TaskRaiser>;

/** The tick and run job types; `tasks` lets task schedules create PM tasks. */
export function infraScheduleJobTypes(tasks?: JobTaskRaiser): JobType<never>[] {
  const tick: JobType<unknown> = {
    name: INFRA_SCHEDULE_TICK_JOB,
    options: { policy: 'stately', retryLimit: 0, timeoutSeconds: 120 },
    handler: async (job) => {
      const data = parseWith(tickData, job.data, `${INFRA_SCHEDULE_TICK_JOB} job data`);
      return { queued: await enqueueDueSchedules(job.pool, job.queue, new Date(), data.home) };
    },
  };
  const run: JobType<unknown> = {
    name: INFRA_SCHEDULE_RUN_JOB,
    // pg-boss allows under 24 h; schedules may ask for 22 h (skill.ts), which leaves the sandbox time to kill.
    // A failed run is recorded and reported by infra.monitor; retrying would hide the failure
    // streak the monitor is there to show, so the job itself is not retried.
    options: { policy: 'stately', retryLimit: 0, timeoutSeconds: 23 * 60 * 60 },
    handler: async (job) => {
      const data = parseWith(runData, job.data, `${INFRA_SCHEDULE_RUN_JOB} job data`);
      const { config, paths } = loadConfig(data.home ? { home: data.home } : {});
      const raiser = tasks ? await tasks(job, paths.home) : undefined;
      const end = await runScheduleNow(
        {
          pool: job.pool,
          paths,
          allowUnconfined: config.sandbox.allowUnconfined,
          logger: job.logger,
          signal: job.signal,
          ...(raiser ? { tasks: raiser } : {}),
        },
        data.schedule,
      );
      return { status: end.status, durationMs: end.durationMs, detail: end.detail ?? null };
    },
  };
  return [tick, run] as JobType<never>[];
}
