import type pg from 'pg';
import { BosunError } from '../../core/index.js';
import type { JobQueue } from '../../queue/index.js';
import {
  deleteSchedule,
  getLibrary,
  libraryNames,
  listSchedules,
  markScheduleEnqueued,
  saveSchedule,
  type DocsSchedule,
} from '../library/index.js';
import { cronFiredBetween, parseCron } from './cron.js';

export const DOCS_SYNC_JOB = 'docs.sync';
/** Runs every minute while any docs schedule exists and queues the syncs that are due. */
export const DOCS_SCHEDULE_TICK_JOB = 'docs.schedule-tick';
const EVERY_MINUTE = '* * * * *';

/** What a docs.sync job carries. */
export interface DocsSyncJobData {
  library: string;
  /** The Bosun home of whoever queued it (see runtime.ts). */
  home?: string;
}

/** Schedules syncs of one library (or of every library: null) on a five-field UTC cron expression. */
export async function scheduleSyncs(
  pool: pg.Pool,
  queue: JobQueue,
  library: string | null,
  cron: string,
  home: string,
): Promise<DocsSchedule> {
  parseCron(cron);
  if (library !== null) await getLibrary(pool, library);
  const saved = await saveSchedule(pool, library, cron);
  await queue.schedule(DOCS_SCHEDULE_TICK_JOB, EVERY_MINUTE, { home });
  return saved;
}

/** Removes a schedule; the minute tick goes with the last one. */
export async function unscheduleSyncs(pool: pg.Pool, queue: JobQueue, library: string | null): Promise<void> {
  if (!(await deleteSchedule(pool, library))) {
    throw new BosunError(
      'NOT_FOUND',
      library === null ? 'there is no schedule for all libraries' : `library '${library}' has no schedule`,
      {
        hint: '`bosun docs schedule --list` shows the schedules',
      },
    );
  }
  if ((await listSchedules(pool)).length === 0) await queue.unschedule(DOCS_SCHEDULE_TICK_JOB);
}

/**
 * Queues a docs.sync job for every library whose schedule fired since it last queued one
 * (a worker that was down catches up once, not once per missed minute). The 'stately' policy
 * with the library as singleton key keeps one queued and one running sync per library.
 */
export async function enqueueDueSyncs(
  pool: pg.Pool,
  queue: JobQueue,
  now: Date,
  home: string | undefined,
): Promise<string[]> {
  const queued: string[] = [];
  for (const schedule of await listSchedules(pool)) {
    if (!cronFiredBetween(parseCron(schedule.cron), schedule.lastEnqueuedAt ?? schedule.createdAt, now)) continue;
    const libraries = schedule.library === null ? await libraryNames(pool) : [schedule.library];
    for (const library of libraries) {
      const data: DocsSyncJobData = { library, ...(home ? { home } : {}) };
      await queue.send(DOCS_SYNC_JOB, data, { singletonKey: library });
      queued.push(library);
    }
    await markScheduleEnqueued(pool, schedule.id, now);
  }
  return queued;
}
