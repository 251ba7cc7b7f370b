import { Command, Option } from 'commander';
import { z } from 'zod';
import { BosunError, parseWith, toBosunError } from '../../core/index.js';
// Metadata in PostgreSQL only; the sync (sources, parsers, DuckDB) is imported by the commands that run one.
import {
  addLibrary,
  brokenLinks,
  closeInterruptedRuns,
  deprecateVersion,
  getLibrary,
  libraryNames,
  libraryVersions,
  listLibraries,
  listSchedules,
  recentSyncRuns,
  type SyncSummary,
} from '../../docs/library/index.js';
import type { SyncProgress } from '../../docs/sync/index.js';
import { withTransaction } from '../../db/index.js';
import type { CliContext } from '../context.js';
import { registerDocsSearchCommands } from './docs-search.js';
import { emit, emitLine, keyValues, reportError, table } from '../output.js';
import type { Wrap } from './wrap.js';
import { commandSummaries } from './summaries.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `docs add` options as commander gives them (strings), validated into source options. */
const addOptionsSchema = z
  .object({
    append: z.boolean().optional(),
    description: z.string().min(1).optional(),
    version: z.string().min(1).optional(),
    versionsFrom: z.literal('folders').optional(),
    defaultVersion: z.string().min(1).optional(),
    include: z.array(z.string().min(1)).optional(),
    exclude: z.array(z.string().min(1)).optional(),
    maxPages: z.coerce.number().int().positive().optional(),
    maxDepth: z.coerce.number().int().nonnegative().optional(),
    concurrency: z.coerce.number().int().positive().max(64).optional(),
    rate: z.coerce.number().positive().optional(),
    ref: z.string().min(1).optional(),
    subdir: z.string().min(1).optional(),
    tags: z.string().min(1).optional(),
    branches: z.string().min(1).optional(),
    scope: z.string().min(1).optional(),
    render: z.boolean().optional(),
    scrapy: z.string().min(1).optional(),
    documents: z.boolean().optional(),
  })
  .strict();
type AddOptions = z.infer<typeof addOptionsSchema>;

async function lakeOf(ctx: CliContext) {
  const db = await ctx.db();
  return { pool: db.pool, lake: await ctx.lake() };
}

async function add(
  ctx: CliContext,
  name: string,
  given: string | undefined,
  raw: Record<string, unknown>,
): Promise<void> {
  const opts: AddOptions = parseWith(addOptionsSchema, raw, 'options of docs add');
  const { append, description, defaultVersion, scrapy, ...source } = opts;
  if ((given === undefined) === (scrapy === undefined))
    throw new BosunError('INVALID_INPUT', 'give a source, or --scrapy <spider.py>, not both', {
      hint: 'e.g. bosun docs add mylib ./docs, or bosun docs add mylib --scrapy spider.py',
    });
  const input = (given ?? scrapy)!;
  const db = await ctx.db();
  const res = await addLibrary(db.pool, {
    name,
    input,
    source: { ...source, ...(scrapy ? { scrapy: true } : {}) },
    ...(append ? { append } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(defaultVersion !== undefined ? { defaultVersion } : {}),
  });
  const added = res.library.sources.find((s) => s.position === res.position)!;
  emit(ctx, { library: res.library.name, source: added }, () =>
    [
      `${append ? 'added a source to' : 'added library'} ${res.library.name}: source ${added.position} is ${added.spec.kind} ${added.input}`,
      `next: bosun docs sync ${res.library.name}`,
    ].join('\n'),
  );
}

/** A progress bar on a terminal; JSON lines with --json (at most a few per second); nothing otherwise. */
async function progressReporter(ctx: CliContext): Promise<{ onProgress: (e: SyncProgress) => void; stop: () => void }> {
  if (ctx.json) {
    let last = 0;
    return {
      onProgress: (e) => {
        const now = Date.now();
        if (e.phase === 'fetch' && now - last < 250) return;
        last = now;
        emitLine({ event: 'progress', ...e });
      },
      stop: () => undefined,
    };
  }
  if (!process.stderr.isTTY) return { onProgress: () => undefined, stop: () => undefined };
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{library} [{bar}] {value}/{total} {phase} {current}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress: (e) => {
      const payload = { library: e.library, phase: e.phase, current: (e.current ?? '').slice(-50) };
      if (!started) {
        bar.start(e.total ?? 0, e.done ?? 0, payload);
        started = true;
      }
      if (e.total !== undefined) bar.setTotal(e.total);
      bar.update(e.done ?? bar.getProgress() * bar.getTotal(), payload);
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}

function renderSummary(s: SyncSummary): string {
  const p = s.pages;
  const lines = [
    `${s.library}: ${p.added} added, ${p.changed} changed, ${p.removed} removed, ${p.unchanged} unchanged, ${p.failed} failed`,
    `  chunks: ${s.chunks.total} (${s.chunks.added} written, ${s.chunks.removed} removed)`,
    `  links: ${s.links.total} (${s.links.broken} broken)`,
    `  versions: ${s.versions.map((v) => (v === s.defaultVersion ? `${v} (default)` : v)).join(', ') || '(none)'}`,
    `  snapshot: ${s.snapshotId ?? 'none (nothing changed)'}, ${(s.durationMs / 1000).toFixed(1)} s`,
  ];
  for (const f of s.failures) lines.push(`  failed: ${f.version} ${f.url ?? f.path}: ${f.reason}`);
  for (const c of s.conflicts)
    lines.push(`  conflict: ${c.version} ${c.path} from source ${c.loser} ignored (source ${c.winner} has it)`);
  for (const w of s.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

async function sync(ctx: CliContext, names: string[], opts: { all?: boolean; force?: boolean }): Promise<void> {
  const { pool, lake } = await lakeOf(ctx);
  if (opts.all && names.length) throw new BosunError('INVALID_INPUT', 'give library names or --all, not both');
  const targets = opts.all ? await libraryNames(pool) : names;
  if (targets.length === 0) {
    throw new BosunError(
      'INVALID_INPUT',
      opts.all ? 'there are no libraries to sync' : 'name the libraries to sync, or give --all',
      {
        hint: 'add one with `bosun docs add <name> <source>`',
      },
    );
  }
  const controller = new AbortController();
  const interrupt = () => controller.abort(new BosunError('INTERRUPTED', 'interrupted'));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const [progress, { syncLibrary }] = await Promise.all([progressReporter(ctx), import('../../docs/sync/index.js')]);
  try {
    for (const name of targets) {
      try {
        const summary = await syncLibrary({ pool, lake, logger: ctx.logger }, name, {
          force: opts.force ?? false,
          signal: controller.signal,
          onProgress: progress.onProgress,
        });
        progress.stop();
        if (ctx.json) emitLine({ event: 'summary', ...summary });
        else process.stdout.write(renderSummary(summary) + '\n');
      } catch (err) {
        progress.stop();
        const e = toBosunError(err);
        if (ctx.json) {
          emitLine({ event: 'error', library: name, error: e.toJSON() });
          process.exitCode = e.exitCode;
        } else {
          process.exitCode = reportError(e, false);
        }
        if (controller.signal.aborted) break;
      }
    }
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

async function list(ctx: CliContext): Promise<void> {
  const libraries = await listLibraries((await ctx.db()).pool);
  emit(ctx, { libraries }, () =>
    table(
      libraries.map((l) => ({
        name: l.name,
        default: l.defaultVersion,
        versions: l.versions.length,
        pages: l.pages,
        chunks: l.chunks,
        'last sync': l.lastSync
          ? `${l.lastSync.status} ${(l.lastSync.finishedAt ?? l.lastSync.startedAt).toISOString()}`
          : 'never',
        snapshot: l.snapshotId,
      })),
    ),
  );
}

async function show(ctx: CliContext, name: string, opts: { brokenLimit: string }): Promise<void> {
  const pool = (await ctx.db()).pool;
  const limit = parseWith(z.coerce.number().int().min(0).max(10_000), opts.brokenLimit, '--broken-limit');
  const library = await getLibrary(pool, name);
  const versions = await libraryVersions(pool, name);
  const [lastRun] = await recentSyncRuns(pool, name, 1);
  const broken = await brokenLinks(pool, name, limit);
  const schedules = (await listSchedules(pool)).filter((s) => s.library === name || s.library === null);
  const report = {
    name: library.name,
    description: library.description,
    defaultVersion: library.defaultVersion,
    pinnedVersion: library.pinnedVersion,
    sources: library.sources,
    versions,
    lastSync: lastRun ?? null,
    brokenLinks: broken,
    schedules,
  };
  emit(ctx, report, () => {
    const summary = lastRun?.summary;
    const out = [
      keyValues([
        ['library', library.name],
        ['description', library.description],
        ['default version', library.defaultVersion],
        ['pinned version', library.pinnedVersion],
        [
          'last sync',
          lastRun ? `${lastRun.status} at ${(lastRun.finishedAt ?? lastRun.startedAt).toISOString()}` : 'never',
        ],
        ['snapshot', lastRun?.snapshotId ?? null],
        ['schedule', schedules.map((s) => `${s.cron} (${s.library ?? 'all libraries'})`).join('; ') || null],
      ]),
      '',
      'sources:',
      table(
        library.sources.map((s) => ({
          position: s.position,
          kind: s.spec.kind,
          source: s.input,
          options: optionsText(s.spec),
        })),
      ),
      '',
      'versions:',
      table(
        versions.map((v) => ({
          version: v.version,
          default: v.isDefault ? 'yes' : '',
          deprecated: v.deprecatedAt ? v.deprecatedAt.toISOString().slice(0, 10) : '',
          pages: v.pages,
          chunks: v.chunks,
          failed: v.failedPages,
        })),
      ),
    ];
    if (lastRun?.error) out.push('', `last sync failed: error[${lastRun.error.code}] ${lastRun.error.message}`);
    if (summary) out.push('', renderSummary(summary));
    out.push('', `broken links: ${broken.total}`);
    for (const l of broken.links) out.push(`  ${l.version} ${l.fromPath} → ${l.href} (${l.reason})`);
    if (broken.total > broken.links.length) out.push(`  … ${broken.total - broken.links.length} more (--broken-limit)`);
    return out.join('\n');
  });
}

function optionsText(spec: Record<string, unknown>): string {
  return Object.entries(spec)
    .filter(([k]) => !['kind', 'path', 'url'].includes(k))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
}

async function remove(ctx: CliContext, name: string): Promise<void> {
  const { pool, lake } = await lakeOf(ctx);
  const { removeLibrary } = await import('../../docs/sync/index.js');
  const res = await removeLibrary(pool, lake, name);
  emit(
    ctx,
    { removed: true, ...res },
    () =>
      `removed ${res.library}: ${res.pages} pages, ${res.chunks} chunks (snapshot ${res.snapshotId ?? 'none'}; earlier snapshots keep them)`,
  );
}

async function deprecate(ctx: CliContext, name: string, version: string): Promise<void> {
  const pool = (await ctx.db()).pool;
  const res = await withTransaction(pool, (client) => deprecateVersion(client, name, version));
  emit(
    ctx,
    { library: name, version, deprecated: true, ...res },
    () =>
      `${name} ${version} ${res.alreadyDeprecated ? 'was already' : 'is now'} deprecated; default version: ${res.defaultVersion ?? '(none)'}`,
  );
}

async function schedule(
  ctx: CliContext,
  name: string | undefined,
  opts: { all?: boolean; cron?: string; list?: boolean; remove?: boolean },
): Promise<void> {
  const pool = (await ctx.db()).pool;
  if (opts.list) {
    if (name || opts.all || opts.cron || opts.remove)
      throw new BosunError('INVALID_INPUT', '--list takes no library, --all, --cron or --remove');
    const schedules = await listSchedules(pool);
    emit(ctx, { schedules }, () =>
      table(
        schedules.map((s) => ({
          library: s.library ?? '(all)',
          cron: s.cron,
          'last queued': s.lastEnqueuedAt,
          since: s.createdAt,
        })),
      ),
    );
    return;
  }
  if (Boolean(name) === Boolean(opts.all))
    throw new BosunError('INVALID_INPUT', 'name one library or give --all', { hint: 'or --list to see the schedules' });
  const library = name ?? null;
  const [queue, { scheduleSyncs, unscheduleSyncs }] = await Promise.all([
    ctx.queue(),
    import('../../docs/sync/index.js'),
  ]);
  if (opts.remove) {
    if (opts.cron) throw new BosunError('INVALID_INPUT', '--remove takes no --cron');
    await unscheduleSyncs(pool, queue, library);
    emit(ctx, { library, removed: true }, () => `removed the schedule of ${library ?? 'all libraries'}`);
    return;
  }
  if (!opts.cron)
    throw new BosunError('INVALID_INPUT', 'give --cron "<minute> <hour> <day> <month> <weekday>"', {
      hint: 'e.g. --cron "0 3 * * *"',
    });
  const saved = await scheduleSyncs(pool, queue, library, opts.cron, ctx.paths.home);
  emit(
    ctx,
    { schedule: saved },
    () => `${library ?? 'all libraries'} sync on "${saved.cron}" (UTC), run by \`bosun worker\``,
  );
}

/** The `bosun docs` group. */
export function registerDocsCommands(program: Command, wrap: Wrap): void {
  const docs = program.command('docs').description(commandSummaries.docs);

  docs
    .command('add <name> [source]')
    .description(
      'register a library: a folder, a git repository, a website, an llms.txt, an OpenAPI document, or (--scrapy) your Scrapy spider',
    )
    .option('--append', 'add this source to an existing library (earlier sources win pages both provide)')
    .option('--description <text>', 'what the library is')
    .option('--version <version>', 'the version of every page (with --versions-from folders: only this version folder)')
    .addOption(
      new Option(
        '--versions-from <how>',
        'take versions from version folders (0.3/, v1.2/, 2025-11-25/, stable/…)',
      ).choices(['folders']),
    )
    .option('--default-version <version>', 'the version search uses by default (else the newest)')
    .option('--include <glob>', 'only paths matching (repeatable)', collect)
    .option('--exclude <glob>', 'skip paths matching (repeatable)', collect)
    .option('--max-pages <n>', 'at most this many pages per source')
    .option('--max-depth <n>', 'web: follow links this deep')
    .option('--concurrency <n>', 'web: requests at once')
    .option('--rate <n>', 'web: requests per second')
    .option('--scope <url>', 'web: crawl only under this URL prefix (default: the start URL folder)')
    .option('--render', "web: render JavaScript with the system's Chromium")
    .option('--documents', 'folder: PDFs and scans, one page per document page, OCR where there is no text layer')
    .option('--ref <ref>', 'git: branch, tag or commit')
    .option('--subdir <dir>', 'git: the documentation folder inside the repository')
    .option('--tags <pattern>', 'git: one version per tag matching the glob')
    .option('--branches <pattern>', 'git: one version per branch matching the glob')
    .option('--scrapy <spider.py>', 'the pages are the items of this Scrapy spider (url, title, html or markdown)')
    .action(
      wrap(async (ctx, name: string, source: string | undefined, opts: Record<string, unknown>) =>
        add(ctx, name, source, opts),
      ),
    );

  docs
    .command('sync [names...]')
    .description('fetch, process and commit libraries (incremental: unchanged pages are skipped)')
    .option('--all', 'every library')
    .option('--force', 're-process every page, changed or not')
    .action(wrap(async (ctx, names: string[], opts: { all?: boolean; force?: boolean }) => sync(ctx, names, opts)));

  docs
    .command('list')
    .description('libraries with versions, pages, chunks and their last sync')
    .action(wrap(async (ctx) => list(ctx)));

  docs
    .command('show <name>')
    .description('a library: sources, versions, last sync, failures, conflicts, broken links, schedule')
    .option('--broken-limit <n>', 'broken links listed', '20')
    .action(wrap(async (ctx, name: string, opts: { brokenLimit: string }) => show(ctx, name, opts)));

  docs
    .command('repair')
    .description('close syncs left running by processes that died (they show as interrupted)')
    .action(
      wrap(async (ctx) => {
        const { pool } = await ctx.db();
        const closed = await closeInterruptedRuns(pool);
        emit(ctx, { interrupted: closed }, () =>
          closed.length
            ? closed.map((c) => `closed the interrupted sync ${c.runId} of ${c.library}`).join('\n')
            : 'no interrupted syncs',
        );
      }),
    );

  docs
    .command('remove <name>')
    .description('remove a library: metadata and lake rows (earlier snapshots keep them)')
    .action(wrap(async (ctx, name: string) => remove(ctx, name)));

  docs
    .command('deprecate <name> <version>')
    .description('take a version out of default search')
    .action(wrap(async (ctx, name: string, version: string) => deprecate(ctx, name, version)));

  docs
    .command('schedule [name]')
    .description('scheduled syncs, run by `bosun worker`: <name>|--all --cron "0 3 * * *", --list, --remove')
    .option('--all', 'every library (also those added later)')
    .option('--cron <expression>', 'five fields, UTC: minute hour day-of-month month day-of-week')
    .option('--list', 'show the schedules')
    .option('--remove', 'remove the schedule')
    .action(
      wrap(
        async (
          ctx,
          name: string | undefined,
          opts: { all?: boolean; cron?: string; list?: boolean; remove?: boolean },
        ) => schedule(ctx, name, opts),
      ),
    );

  // search, read, outline, eval…: docs/search's commands, in their own file.
  registerDocsSearchCommands(docs, wrap);
}
