import fs from 'node:fs';
import type { Command } from 'commander';
import type { BosunPaths } from '../../core/index.js';
import {
  citation,
  indexOwnDocumentation,
  openLakeSearcher,
  OWN_LIBRARY,
  type SearchResponse,
} from '../../docs/index.js';
import type { Lake } from '../../lake/index.js';
import { createProject, listProjects, loadTemplateSet } from '../../pm/index.js';
import { clientSnippet, defaultConfigFile, serverLaunch } from '../../mcp/clients.js';
import type { CliContext } from '../context.js';
import { emit, keyValues } from '../output.js';
import { clientEnv } from './mcp.js';
import { renderStatus, statusReport } from './server.js';
import { renderDoctor, runDoctor } from '../doctor.js';
import { pmContext } from './project.js';
import type { Wrap } from './wrap.js';
import { commandSummaries } from './summaries.js';

const CONFIG_TEMPLATE = `# Bosun configuration. Every key can also be set with an environment variable
# (BOSUN_<SECTION>_<KEY>, e.g. BOSUN_DATABASE_URL) or a flag; see \`bosun config show\`.
#
# database:
#   url: postgresql://user:pass@host:5432/bosun   # external PostgreSQL >= 15 (unset: embedded)
# lake:
#   dataPath: /path/to/lake                        # default: $BOSUN_HOME/lake
# worker:
#   concurrency: 4
{}
`;

/** Creates the home folders and a commented config file; never overwrites. */
export function initHome(paths: BosunPaths): { created: string[] } {
  const created: string[] = [];
  for (const dir of [
    paths.home,
    paths.run,
    paths.lake,
    paths.artifacts,
    paths.agents,
    paths.templates,
    paths.workspaces,
    paths.logs,
  ]) {
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      created.push(dir);
    }
  }
  if (!fs.existsSync(paths.configFile)) {
    fs.writeFileSync(paths.configFile, CONFIG_TEMPLATE);
    created.push(paths.configFile);
  }
  return { created };
}

async function quickstart(ctx: CliContext) {
  const home = initHome(ctx.paths);
  const db = await ctx.db();
  const status = await statusReport(ctx);
  const doctor = await runDoctor(ctx);
  const lake = await ctx.lake();
  const docs = await indexOwnDocumentation({ pool: db.pool, lake, logger: ctx.logger });
  const search = await firstSearch(ctx, lake);
  const example = await exampleProject(ctx, lake);
  // The server that serves this documentation to Claude Code, ready to paste.
  const launch = serverLaunch({ kind: 'docs', libraries: [OWN_LIBRARY], home: ctx.paths.home, env: clientEnv(ctx) });
  const client = {
    client: 'claude-code',
    file: defaultConfigFile('claude-code'),
    snippet: clientSnippet('claude-code', launch),
  };
  return {
    home: ctx.paths.home,
    created: home.created,
    database: db.target.mode,
    status,
    doctor,
    docs,
    search,
    example,
    client,
  };
}

/** The project a first look at `bosun ui` or `bosun project list` shows: an ETL plan, in planning (nothing runs). */
const EXAMPLE_PROJECT = {
  slug: 'example',
  template: 'etl-pipeline',
  name: 'Example: a nightly CSV load',
  params: { source_uri: 'https://example.org/exports/sales.csv', target_table: 'sales.orders' },
  brief:
    'An example made by `bosun quickstart`: load a nightly CSV export into the lake, check it, and report. Delete it or archive it whenever you like.',
};

async function exampleProject(ctx: CliContext, lake: Lake): Promise<{ slug: string; created: boolean } | null> {
  const pm = await pmContext(ctx);
  // Only on a home without projects: a quickstart run again never adds it back.
  if ((await listProjects(pm.pool, { limit: 1, offset: 0 })).length) return null;
  await createProject(pm, loadTemplateSet(ctx.paths), EXAMPLE_PROJECT, { lake });
  return { slug: EXAMPLE_PROJECT.slug, created: true };
}

/** The question the quickstart asks of Bosun's own documentation, to show search working. */
const QUICKSTART_QUERY = 'serve documentation to Claude Code over MCP';

async function firstSearch(ctx: CliContext, lake: Lake): Promise<SearchResponse> {
  const searcher = await openLakeSearcher({
    pool: (await ctx.db()).pool,
    lake,
    client: 'cli',
    logger: ctx.logger,
    libraries: [OWN_LIBRARY],
    cacheDir: ctx.searchCacheDir,
  });
  try {
    return await searcher.search({ query: QUICKSTART_QUERY, libraries: [OWN_LIBRARY], limit: 3, maxTokens: 600 });
  } finally {
    await searcher.close();
  }
}

function renderSearch(search: SearchResponse): string {
  return [
    `search "${search.query}":`,
    ...(search.hits.length ? search.hits.map((h) => `  [${h.rank}] ${citation(h)}`) : ['  (no hits)']),
  ].join('\n');
}

export function registerInitCommands(program: Command, wrap: Wrap): void {
  program
    .command('init')
    .description(commandSummaries.init)
    .action(
      wrap(async (ctx) => {
        const res = initHome(ctx.paths);
        emit(ctx, { home: ctx.paths.home, ...res }, () =>
          keyValues([
            ['home', ctx.paths.home],
            ['created', res.created.length ? res.created.join(', ') : 'nothing (already initialised)'],
          ]),
        );
      }),
    );

  program
    .command('quickstart')
    .description(commandSummaries.quickstart)
    .action(
      wrap(async (ctx) => {
        const res = await quickstart(ctx);
        emit(ctx, res, () =>
          [
            `Bosun home: ${res.home}`,
            '',
            renderStatus(res.status),
            '',
            renderDoctor(res.doctor),
            '',
            `documentation: library ${res.docs.library}, ${res.docs.pages.added + res.docs.pages.changed + res.docs.pages.unchanged} pages, ${res.docs.chunks.total} chunks (bosun docs show ${res.docs.library})`,
            renderSearch(res.search),
            ...(res.example
              ? [
                  '',
                  `example project: ${res.example.slug} (bosun project show ${res.example.slug}; see everything with bosun ui)`,
                ]
              : []),
            '',
            `Serve it to Claude Code: paste into ${res.client.file} (or run \`bosun mcp install --client claude-code --library ${OWN_LIBRARY}\`):`,
            JSON.stringify(res.client.snippet, null, 2),
          ].join('\n'),
        );
        if (!res.doctor.ok) process.exitCode = 1;
      }),
    );
}
