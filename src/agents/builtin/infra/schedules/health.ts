import type { ScheduleRun } from './store.js';

/**
 * A schedule's health from its runs: what a person asks first when a recurring job is in doubt
 * (did it work lately, since when has it been failing, is it getting slower). Pure, so the rules
 * are tested on their own and `bosun schedules list` and infra.monitor say the same thing.
 */
export interface ScheduleHealth {
  state: 'healthy' | 'failing' | 'never-ran' | 'running';
  runs: number;
  failures: number;
  lastRun: {
    status: ScheduleRun['status'];
    startedAt: string;
    durationMs: number | null;
    detail: string | null;
  } | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  /** Failed runs in a row, newest first; 0 when the last finished run succeeded. */
  failureStreak: number;
  /** Mean duration of the last (up to) 5 finished runs against the 5 before them. */
  durationTrend: {
    recentMeanMs: number | null;
    previousMeanMs: number | null;
    direction: 'rising' | 'falling' | 'steady' | 'unknown';
  };
}

/** A change under this share of the previous mean is noise. */
const TREND_THRESHOLD = 0.25;
const WINDOW = 5;

const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);

/** `runs` newest first. */
export function scheduleHealth(runs: readonly ScheduleRun[]): ScheduleHealth {
  const finished = runs.filter((r) => r.status !== 'running');
  let failureStreak = 0;
  for (const r of finished) {
    if (r.status !== 'failed') break;
    failureStreak++;
  }
  const durations = finished.map((r) => r.durationMs).filter((d): d is number => d !== null);
  const recentMeanMs = mean(durations.slice(0, WINDOW));
  const previousMeanMs = mean(durations.slice(WINDOW, 2 * WINDOW));
  let direction: ScheduleHealth['durationTrend']['direction'] = 'unknown';
  if (recentMeanMs !== null && previousMeanMs !== null) {
    const change = (recentMeanMs - previousMeanMs) / Math.max(previousMeanMs, 1);
    direction = change > TREND_THRESHOLD ? 'rising' : change < -TREND_THRESHOLD ? 'falling' : 'steady';
  }
  const last = runs[0];
  const iso = (d: Date | undefined) => (d ? d.toISOString() : null);
  return {
    state: !last
      ? 'never-ran'
      : failureStreak > 0
        ? 'failing'
        : last.status === 'running' && !finished.length
          ? 'running'
          : 'healthy',
    runs: runs.length,
    failures: finished.filter((r) => r.status === 'failed').length,
    lastRun: last
      ? {
          status: last.status,
          startedAt: last.startedAt.toISOString(),
          durationMs: last.durationMs,
          detail: last.detail,
        }
      : null,
    lastSuccessAt: iso(finished.find((r) => r.status === 'succeeded')?.startedAt),
    lastFailureAt: iso(finished.find((r) => r.status === 'failed')?.startedAt),
    failureStreak,
    durationTrend: { recentMeanMs, previousMeanMs, direction },
  };
}
