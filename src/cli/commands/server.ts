import type { Command } from 'commander';
import { redactUrl } from '../../core/index.js';
import {
  embeddedStatus,
  embeddedUrl,
  migrationStatus,
  serverVersion,
  stopEmbeddedServer,
  createPool,
  unreachable,
} from '../../db/index.js';
import { liveWorkers } from '../../queue/index.js';
import { allMigrations } from '../../migrations.js';
import type { CliContext } from '../context.js';
import { emit, keyValues } from '../output.js';
import type { Wrap } from './wrap.js';
import { commandSummaries } from './summaries.js';

export interface StatusReport {
  mode: 'embedded' | 'external';
  running: boolean;
  serverVersion: string | null;
  port: number | null;
  pid: number | null;
  dataDir: string | null;
  url: string | null;
  migrations: { applied: number; total: number; latest: string | null; pending: number } | null;
  workers: { pid: number; hostname: string; concurrency: number; startedAt: string; heartbeatAt: string }[];
  home: string;
}

/** Status without starting anything: an embedded server that is down is reported as such. */
export async function statusReport(ctx: CliContext): Promise<StatusReport> {
  const external = ctx.config.database.url;
  const base = { home: ctx.paths.home, workers: [] as StatusReport['workers'] };
  let url: string | null = external ?? null;
  let report: StatusReport;
  if (external) {
    report = {
      ...base,
      mode: 'external',
      running: false,
      serverVersion: null,
      port: null,
      pid: null,
      dataDir: null,
      url: redactUrl(external),
      migrations: null,
    };
  } else {
    const st = await embeddedStatus(ctx.paths);
    report = {
      ...base,
      mode: 'embedded',
      running: st.running,
      serverVersion: null,
      port: st.running ? (st.state?.port ?? null) : null,
      pid: st.running ? (st.state?.pid ?? null) : null,
      dataDir: st.dataDir,
      url: null,
      migrations: null,
    };
    if (st.running && st.state) url = await embeddedUrl(ctx.paths, st.state.port);
  }
  if (!url) return report;
  const pool = createPool(url, { max: 1 });
  try {
    const v = await serverVersion(pool).catch((err: unknown) => {
      throw unreachable(url, err);
    });
    const m = await migrationStatus(pool, allMigrations);
    report.running = true;
    report.serverVersion = v.version;
    report.migrations = { applied: m.applied, total: m.total, latest: m.latest, pending: m.pending.length };
    report.url = redactUrl(url);
    const workers = await liveWorkers(pool).catch(() => []);
    report.workers = workers.map((w) => ({
      pid: w.pid,
      hostname: w.hostname,
      concurrency: w.concurrency,
      startedAt: w.started_at.toISOString(),
      heartbeatAt: w.heartbeat_at.toISOString(),
    }));
  } finally {
    await pool.end();
  }
  return report;
}

export function renderStatus(r: StatusReport): string {
  return keyValues([
    ['mode', r.mode],
    ['running', r.running ? 'yes' : 'no'],
    ['server version', r.serverVersion],
    ['port', r.port],
    ['pid', r.pid],
    ['data dir', r.dataDir],
    ['url', r.url],
    [
      'migrations',
      r.migrations ? `${r.migrations.applied}/${r.migrations.total} (latest ${r.migrations.latest ?? '-'})` : null,
    ],
    [
      'workers',
      r.workers.length ? r.workers.map((w) => `pid ${w.pid}@${w.hostname} ×${w.concurrency}`).join(', ') : 'none',
    ],
    ['home', r.home],
  ]);
}

export function registerServerCommands(program: Command, wrap: Wrap): void {
  program
    .command('up')
    .description(commandSummaries.up)
    .action(
      wrap(async (ctx) => {
        await ctx.db();
        const report = await statusReport(ctx);
        emit(ctx, report, () => renderStatus(report));
      }),
    );

  program
    .command('down')
    .description(commandSummaries.down)
    .action(
      wrap(async (ctx) => {
        if (ctx.config.database.url) {
          emit(
            ctx,
            { stopped: false, reason: 'external database: Bosun never stops it' },
            () => 'external database: nothing to stop',
          );
          return;
        }
        const res = await stopEmbeddedServer(ctx.paths, ctx.logger);
        emit(ctx, res, () => (res.stopped ? 'embedded PostgreSQL stopped' : 'embedded PostgreSQL was not running'));
      }),
    );

  program
    .command('status')
    .description(commandSummaries.status)
    .action(
      wrap(async (ctx) => {
        const report = await statusReport(ctx);
        emit(ctx, report, () => renderStatus(report));
      }),
    );
}
