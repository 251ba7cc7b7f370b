import type { Command } from 'commander';
import { BosunError } from '../../core/index.js';
import { listSchedules as listDocsSchedules } from '../../docs/library/index.js';
import { emit, table } from '../output.js';
import { commandSummaries } from './summaries.js';
import type { Wrap } from './wrap.js';

/**
 * `bosun schedules list|remove`: the recurring jobs on the queue — the infra agent's (commands
 * and task templates, with their health and last runs) and the docs syncs (`bosun docs
 * schedule`), in one place. Schedules are made by the infra.schedule skill.
 */
export function registerSchedulesCommands(program: Command, wrap: Wrap): void {
  const schedules = program.command('schedules').description(commandSummaries.schedules);

  schedules
    .command('list')
    .description('every schedule: cron, health (last success, failure streak, duration trend) and last runs')
    .option('--runs <n>', 'last runs shown per schedule', '5')
    .action(
      wrap(async (ctx, opts: { runs: string }) => {
        const { infraScheduleOverview } = await import('../../agents/index.js');
        const pool = (await ctx.db()).pool;
        const infra = await infraScheduleOverview(pool, Math.max(0, Number(opts.runs) || 0));
        const docs = (await listDocsSchedules(pool)).map((s) => ({
          library: s.library ?? '(all)',
          cron: s.cron,
          lastQueuedAt: s.lastEnqueuedAt,
        }));
        emit(ctx, { schedules: infra, docsSyncs: docs }, () =>
          [
            infra.length
              ? table(
                  infra.map(({ schedule: s, health: h }) => ({
                    name: s.name,
                    kind: s.kind,
                    cron: s.cron,
                    state: h.state,
                    runs: h.runs,
                    failures: h.failures,
                    streak: h.failureStreak,
                    'last success': h.lastSuccessAt ?? '—',
                    'last run': h.lastRun ? `${h.lastRun.status} ${h.lastRun.startedAt}` : '—',
                    trend: h.durationTrend.direction,
                  })),
                )
              : 'no schedules (the infra.schedule skill makes them)',
            ...infra
              .filter((o) => o.health.failureStreak > 0)
              .map((o) => `  ${o.schedule.name} last failed: ${o.health.lastRun?.detail ?? '(no detail)'}`),
            ...(docs.length ? ['', 'docs syncs (bosun docs schedule):', table(docs)] : []),
          ].join('\n'),
        );
      }),
    );

  schedules
    .command('remove <name>')
    .description('remove an infra schedule and its run history')
    .action(
      wrap(async (ctx, name: string) => {
        const { deleteInfraSchedule } = await import('../../agents/index.js');
        if (!(await deleteInfraSchedule((await ctx.db()).pool, name)))
          throw new BosunError('NOT_FOUND', `there is no schedule '${name}'`, { hint: '`bosun schedules list`' });
        emit(ctx, { removed: name }, () => `removed ${name}`);
      }),
    );
}
