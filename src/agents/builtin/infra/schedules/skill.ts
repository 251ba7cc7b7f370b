import { z } from 'zod';
import { parseWith, BosunError } from '../../../../core/index.js';
import { cronMatches, parseCron } from '../../../../docs/sync/index.js';
import { JobQueue } from '../../../../queue/index.js';
import { completedEnvelope, type ResultEnvelope } from '../../../envelope.js';
import type { AgentContext } from '../../../runtime/types.js';
import { EVERY_MINUTE, INFRA_SCHEDULE_TICK_JOB, infraScheduleJobTypes } from './jobs.js';
import { runScheduleNow } from './run.js';
import { saveSchedule, type InfraSchedule } from './store.js';

/** infra.schedule: saves a recurring job and makes sure the queue's minute tick is there to run it. */

const taskTemplateSchema = z
  .object({
    title: z.string().trim().min(1).max(500),
    description: z.string().max(20_000).optional(),
    skill: z.string().min(1).optional(),
    inputs: z.record(z.unknown()).optional(),
    tags: z.array(z.string().min(1).max(50)).max(20).optional(),
  })
  .strict();

export const scheduleInputSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, 'lowercase letters, digits, . _ -')
      .optional(),
    cron: z.string().min(1),
    command: z.array(z.string()).min(1).optional(),
    task_template: taskTemplateSchema.optional(),
    project: z.string().min(1).optional(),
    timeout_s: z.number().int().min(1).max(79_200).default(600),
    memory_mb: z.number().int().min(16).max(65_536).default(512),
    allow_network: z.boolean().default(false),
    run_now: z.boolean().default(false),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.command === undefined) === (v.task_template === undefined))
      ctx.addIssue({ code: 'custom', message: 'give exactly one of command and task_template' });
    if (v.task_template && !v.project)
      ctx.addIssue({
        code: 'custom',
        path: ['project'],
        message: 'a task_template schedule needs the project its tasks go to',
      });
  });

/** A stable default name from what the schedule runs, so scheduling the same thing twice replaces it. */
function defaultName(v: z.output<typeof scheduleInputSchema>): string {
  const text = v.command ? v.command.join('-') : `${v.project}-${v.task_template!.title}`;
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug || 'schedule';
}

/** The next minute the cron fires, within 31 days (null: not that soon). */
function nextFire(cron: string, from: Date): string | null {
  const parsed = parseCron(cron);
  const start = Math.floor(from.getTime() / 60_000) * 60_000 + 60_000;
  for (let t = start, end = start + 31 * 24 * 60 * 60_000; t < end; t += 60_000)
    if (cronMatches(parsed, new Date(t))) return new Date(t).toISOString();
  return null;
}

/** pg-boss's cron runs the tick for every schedule; created here (idempotent) so `bosun worker` picks it up. */
async function ensureTick(ctx: AgentContext): Promise<void> {
  const queue = await JobQueue.open(ctx.pool, { logger: ctx.logger });
  try {
    await queue.register(infraScheduleJobTypes().filter((t) => t.name === INFRA_SCHEDULE_TICK_JOB));
    await queue.schedule(INFRA_SCHEDULE_TICK_JOB, EVERY_MINUTE, { home: ctx.paths.home });
  } finally {
    await queue.close();
  }
}

export const describeSchedule = (s: InfraSchedule) => ({
  id: s.id,
  name: s.name,
  cron: s.cron,
  kind: s.kind,
  command: s.command,
  taskTemplate: s.taskTemplate,
  project: s.project,
  timeoutSeconds: s.timeoutSeconds,
  memoryMb: s.memoryMb,
  allowNetwork: s.allowNetwork,
  enabled: s.enabled,
});

export async function runScheduleSkill(ctx: AgentContext): Promise<ResultEnvelope> {
  const v = parseWith(scheduleInputSchema, ctx.input, 'infra.schedule input');
  parseCron(v.cron);
  if (v.command && v.command[0]!.trim() === '')
    throw new BosunError('INVALID_INPUT', 'command[0] must name a program', { details: { retryable: false } });
  const saved = await saveSchedule(ctx.pool, {
    name: v.name ?? defaultName(v),
    cron: v.cron,
    kind: v.command ? 'command' : 'task',
    command: v.command ?? null,
    taskTemplate: v.task_template ?? null,
    project: v.project ?? null,
    timeoutSeconds: v.timeout_s,
    memoryMb: v.memory_mb,
    allowNetwork: v.allow_network,
  });
  await ensureTick(ctx);
  const firstRun = v.run_now
    ? await runScheduleNow(
        {
          pool: ctx.pool,
          paths: ctx.paths,
          allowUnconfined: ctx.config.sandbox.allowUnconfined,
          logger: ctx.logger,
          signal: ctx.signal,
          ...(ctx.tasks ? { tasks: ctx.tasks } : {}),
        },
        saved.id,
      )
    : null;
  const next = nextFire(saved.cron, new Date());
  return completedEnvelope({
    summary:
      `schedule ${saved.name} (${saved.kind}) on "${saved.cron}" UTC; next ${next ?? 'not within 31 days'}; ` +
      `runs when \`bosun worker\` is up` +
      (firstRun ? `; first run ${firstRun.status} in ${firstRun.durationMs} ms` : ''),
    outputs: {
      schedule: describeSchedule(saved),
      nextRunAt: next,
      tick: { job: INFRA_SCHEDULE_TICK_JOB, cron: EVERY_MINUTE },
      firstRun: firstRun && {
        status: firstRun.status,
        durationMs: firstRun.durationMs,
        exitCode: firstRun.exitCode ?? null,
        detail: firstRun.detail ?? null,
        taskRef: firstRun.taskRef ?? null,
        isolation: firstRun.isolation ?? null,
      },
    },
  });
}
