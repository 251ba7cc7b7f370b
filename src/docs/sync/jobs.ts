import { z } from 'zod';
import { parseWith } from '../../core/index.js';
import { JobQueue, type JobType } from '../../queue/index.js';
import { withDocsRuntime } from './runtime.js';
import { DOCS_SCHEDULE_TICK_JOB, DOCS_SYNC_JOB, enqueueDueSyncs } from './schedule.js';
import { syncLibrary } from './sync-library.js';

const syncJobData = z.object({ library: z.string().min(1), home: z.string().min(1).optional() }).strict();
const tickJobData = z.object({ home: z.string().min(1).optional() }).strict();

/** A sync of one library. 'stately' with the library as singleton key: never two at once, at most one waiting. */
const docsSyncJob: JobType<unknown> = {
  name: DOCS_SYNC_JOB,
  options: { policy: 'stately', retryLimit: 1, retryDelay: 60, timeoutSeconds: 2 * 60 * 60 },
  handler: async (job) => {
    const data = parseWith(syncJobData, job.data, `${DOCS_SYNC_JOB} job data`);
    return withDocsRuntime(data.home, job.logger, (rt) => syncLibrary(rt, data.library, { signal: job.signal }));
  },
};

/** Every minute while schedules exist: queues the syncs whose cron expression fired. */
const docsScheduleTickJob: JobType<unknown> = {
  name: DOCS_SCHEDULE_TICK_JOB,
  options: { policy: 'stately', retryLimit: 0, timeoutSeconds: 120 },
  handler: async (job) => {
    const data = parseWith(tickJobData, job.data, `${DOCS_SCHEDULE_TICK_JOB} job data`);
    return withDocsRuntime(data.home, job.logger, async (rt) => {
      const queue = await JobQueue.open(rt.pool, { logger: job.logger });
      try {
        await queue.register([docsSyncJob as JobType<never>]);
        return { queued: await enqueueDueSyncs(rt.pool, queue, new Date(), data.home) };
      } finally {
        await queue.close();
      }
    });
  },
};

/** The docs layer's job types, run by `bosun worker`. */
export const docsJobTypes: readonly JobType<never>[] = [docsSyncJob, docsScheduleTickJob] as JobType<never>[];
