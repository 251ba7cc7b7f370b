import { z } from 'zod';
import { parseWith } from '../../core/index.js';
import type { JobType } from '../../queue/index.js';
import { docsJobRuntime } from './runtime.js';
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
    return syncLibrary(await docsJobRuntime(job, data.home), data.library, { signal: job.signal });
  },
};

/** Every minute while schedules exist: queues the syncs whose cron expression fired. */
const docsScheduleTickJob: JobType<unknown> = {
  name: DOCS_SCHEDULE_TICK_JOB,
  options: { policy: 'stately', retryLimit: 0, timeoutSeconds: 120 },
  handler: async (job) => {
    const data = parseWith(tickJobData, job.data, `${DOCS_SCHEDULE_TICK_JOB} job data`);
    // The worker's queue runs the syncs too: it has their type.
    return { queued: await enqueueDueSyncs(job.pool, job.queue, new Date(), data.home) };
  },
};

/** The docs layer's job types, run by `bosun worker`. */
export const docsJobTypes: readonly JobType<never>[] = [docsSyncJob, docsScheduleTickJob] as JobType<never>[];
