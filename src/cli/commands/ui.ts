import type { Command } from 'commander';
import { z } from 'zod';
import { parseWith } from '../../core/index.js';
import type { Searcher } from '../../docs/search/index.js';
import type { CliContext } from '../context.js';
import { emit } from '../output.js';
import { commandSummaries } from './summaries.js';
import { agentRegistry, pmContext } from './project.js';
import type { Wrap } from './wrap.js';

const uiOptions = z
  .object({
    port: z.coerce.number().int().min(0).max(65_535).default(4848),
    open: z.boolean().optional(),
  })
  .strict();

/** Serves the dashboard until SIGINT/SIGTERM; the printed URL carries the one-time token. */
async function serve(ctx: CliContext, raw: Record<string, unknown>): Promise<void> {
  const o = parseWith(uiOptions, raw, 'options of ui');
  const [{ startDashboard }, { openLakeSearcher, embedderFromConfig }] = await Promise.all([
    import('../../ui/index.js'),
    import('../../docs/index.js'),
  ]);
  const db = await ctx.db();
  let searcher: Promise<Searcher> | null = null;
  const dashboard = await startDashboard(
    {
      pool: db.pool,
      logger: ctx.logger,
      paths: ctx.paths,
      lake: () => ctx.lake(),
      pm: () => pmContext(ctx, 'ui'),
      registry: () => agentRegistry(ctx),
      searcher: () => {
        searcher ??= (async () =>
          openLakeSearcher({
            pool: db.pool,
            lake: await ctx.lake(),
            client: 'ui',
            logger: ctx.logger,
            embedder: await embedderFromConfig(ctx.config),
            freshnessMs: 1_000,
          }))();
        return searcher;
      },
    },
    { port: o.port },
  );
  emit(ctx, { url: dashboard.url, port: dashboard.port }, () => `Bosun dashboard: ${dashboard.url}\n(Ctrl-C stops it)`);
  if (o.open) {
    const { runCommand } = await import('../../exec/index.js');
    const opened = await runCommand('xdg-open', [dashboard.url], { timeoutMs: 10_000 });
    if (!opened.ok) ctx.logger.warn(`could not open a browser (xdg-open): open ${dashboard.url} yourself`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await dashboard.close();
  // Assigned inside the deps' closure, which TypeScript does not follow.
  const opened = searcher as Promise<Searcher> | null;
  if (opened) await (await opened).close();
}

export function registerUiCommand(program: Command, wrap: Wrap): void {
  program
    .command('ui')
    .description(commandSummaries.ui)
    .option('--port <n>', 'port (0 = any free one)', '4848')
    .option('--open', 'open it in the default browser')
    .action(wrap(async (ctx, opts: Record<string, unknown>) => serve(ctx, opts)));
}
