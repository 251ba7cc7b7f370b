import { setTimeout as sleep } from 'node:timers/promises';
import { BosunError } from '../core/index.js';
import type { JobType } from './types.js';

/**
 * Job types that exercise the queue itself (tests, `bench:queue`, and `bosun worker` smoke
 * checks): a no-op, a sleep that honours cancellation, a deduplicated ('stately') one, and one
 * that fails a set number of times.
 */
export const testJobTypes: JobType<never>[] = [
  { name: 'test.noop', options: { retryLimit: 0 }, handler: async () => ({ ok: true }) },
  {
    name: 'test.sleep',
    options: { retryLimit: 1, retryDelay: 1, timeoutSeconds: 60 },
    handler: async (job) => {
      const { ms } = job.data as { ms: number };
      await sleep(ms, undefined, { signal: job.signal });
      return { slept: ms };
    },
  },
  {
    name: 'test.exclusive',
    options: { policy: 'stately', retryLimit: 0 },
    handler: async () => ({ ok: true }),
  },
  {
    name: 'test.flaky',
    options: { retryLimit: 3, retryDelay: 1, retryBackoff: false },
    handler: async (job) => {
      const { failTimes } = job.data as { failTimes: number };
      if (job.retryCount < failTimes)
        throw new BosunError('QUEUE_ERROR', `planned failure ${job.retryCount + 1} of ${failTimes}`);
      return { attempts: job.retryCount + 1 };
    },
  },
];
