import { z } from 'zod';
import { parseWith } from '../../../../core/index.js';
import { completedEnvelope, type ResultEnvelope } from '../../../envelope.js';
import type { AgentContext } from '../../../runtime/types.js';
import { scheduleHealth, type ScheduleHealth } from './health.js';
import { getSchedule, recentRuns, type InfraSchedule, type ScheduleRun } from './store.js';

/** infra.monitor: a schedule's health, and a PM task when it is broken and the caller asks for one. */

export const monitorInputSchema = z
  .object({
    schedule: z.string().min(1),
    /** Failed runs in a row from which the schedule counts as broken. */
    failure_threshold: z.number().int().min(1).max(1000).default(1),
    raise_task: z.boolean().default(false),
    /** Where the task goes; default the schedule's project. */
    project: z.string().min(1).optional(),
    /** Runs read (newest first). */
    window: z.number().int().min(2).max(1000).default(50),
  })
  .strict();

type Raised = { ref: string; created: boolean } | null;

async function raise(
  ctx: AgentContext,
  s: InfraSchedule,
  health: ScheduleHealth,
  runs: ScheduleRun[],
  project: string | undefined,
): Promise<{ raised: Raised; raiseSkipped: string | null }> {
  if (!project) return { raised: null, raiseSkipped: 'no project: give project, or schedule with one' };
  if (!ctx.tasks) return { raised: null, raiseSkipped: 'this run cannot create PM tasks (not run through the PM)' };
  // One task per failure streak: the key is the streak's first failed run, so monitoring again
  // while it keeps failing finds the same task instead of raising another.
  const firstFailed = runs.filter((r) => r.status !== 'running')[health.failureStreak - 1]!;
  const raised = await ctx.tasks.raise({
    project,
    title: `Schedule ${s.name} is failing (${health.failureStreak} run${health.failureStreak === 1 ? '' : 's'} in a row)`,
    description: [
      `The ${s.kind} schedule ${s.name} ("${s.cron}" UTC) failed its last ${health.failureStreak} run(s).`,
      `Last error: ${health.lastRun?.detail ?? 'none recorded'}`,
      `Last success: ${health.lastSuccessAt ?? 'never'}.`,
      s.command ? `Command: ${JSON.stringify(s.command)}` : `Task template: ${JSON.stringify(s.taskTemplate)}`,
    ].join('\n'),
    tags: ['schedule', 'incident'],
    inputs: { schedule: s.name },
    idempotencyKey: `schedule:${s.id}:failing-since:${firstFailed.id}`,
  });
  return { raised, raiseSkipped: null };
}

export async function runMonitorSkill(ctx: AgentContext): Promise<ResultEnvelope> {
  const v = parseWith(monitorInputSchema, ctx.input, 'infra.monitor input');
  const s = await getSchedule(ctx.pool, v.schedule);
  const runs = await recentRuns(ctx.pool, s.id, v.window);
  const health = scheduleHealth(runs);
  const broken = health.failureStreak >= v.failure_threshold;
  const { raised, raiseSkipped } =
    broken && v.raise_task
      ? await raise(ctx, s, health, runs, v.project ?? s.project ?? undefined)
      : { raised: null, raiseSkipped: null };
  const trend = health.durationTrend;
  return completedEnvelope({
    summary:
      `${s.name}: ${broken ? `BROKEN, ${health.failureStreak} failure(s) in a row` : health.state}; ` +
      `last success ${health.lastSuccessAt ?? 'never'}; duration ${trend.direction}` +
      (raised ? `; raised ${raised.ref}${raised.created ? '' : ' (already open)'}` : '') +
      (raiseSkipped ? `; no task raised: ${raiseSkipped}` : ''),
    outputs: { schedule: s.name, broken, health, raised, raiseSkipped },
    metrics: { runs: health.runs, failures: health.failures, failureStreak: health.failureStreak },
  });
}
