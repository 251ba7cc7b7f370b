import type { Pool } from '../../../../db/index.js';
import { scheduleHealth, type ScheduleHealth } from './health.js';
import { describeSchedule } from './skill.js';
import { listSchedules, recentRuns, type ScheduleRun } from './store.js';

/** What `bosun schedules list` shows: each schedule, its health, and its last runs. */
export interface ScheduleOverview {
  schedule: ReturnType<typeof describeSchedule> & { lastEnqueuedAt: string | null };
  health: ScheduleHealth;
  lastRuns: Pick<ScheduleRun, 'startedAt' | 'status' | 'durationMs' | 'exitCode' | 'detail' | 'taskRef'>[];
}

export async function infraScheduleOverview(pool: Pool, lastRuns = 5): Promise<ScheduleOverview[]> {
  const out: ScheduleOverview[] = [];
  for (const s of await listSchedules(pool)) {
    const runs = await recentRuns(pool, s.id, 50);
    out.push({
      schedule: { ...describeSchedule(s), lastEnqueuedAt: s.lastEnqueuedAt?.toISOString() ?? null },
      health: scheduleHealth(runs),
      lastRuns: runs.slice(0, lastRuns).map((r) => ({
        startedAt: r.startedAt,
        status: r.status,
        durationMs: r.durationMs,
        exitCode: r.exitCode,
        detail: r.detail,
        taskRef: r.taskRef,
      })),
    });
  }
  return out;
}
