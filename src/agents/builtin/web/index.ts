import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError, packageRoot } from '../../../core/index.js';
import type { ScrapyLimits, ScrapyRunResult } from '../../../exec/index.js';
import {
  artifactFromFile,
  completedEnvelope,
  failedEnvelope,
  sha256File,
  type ResultEnvelope,
} from '../../envelope.js';
import type { AgentContext, AgentExecutor } from '../../runtime/types.js';
import { taskFile } from '../task-file.js';
import { prepareItems, type PreparedItems } from './items.js';
import { storeScrape, writeCsv } from './store.js';

/**
 * The web agent: web.scrape crawls a site with Scrapy and turns what it extracts into a lake
 * table and a CSV. Bosun's own spider (spider.py beside this file) does the crawling from a JSON
 * config of selectors; `spider` runs a user's spider file instead, sandboxed like any user code.
 * Nothing is recorded unless the crawl ended on its own and produced items: a run killed,
 * timed out or failing leaves the table as it was. Input fields are those of agents/web.yaml.
 */
interface ScrapeInput {
  start_urls?: string[];
  allowed_domains?: string[];
  item?: { selector: string; fields: Record<string, string>; required?: string[] };
  key?: string;
  follow: string[];
  next_page?: string;
  spider?: string;
  spider_args: Record<string, string>;
  max_pages: number;
  max_depth: number;
  delay_ms: number;
  concurrency: number;
  autothrottle: boolean;
  user_agent: string;
  output_table?: string;
  timeout_seconds?: number;
  memory_mb: number;
}

const CONFIG_SPIDER = () => path.join(packageRoot(), 'src', 'agents', 'builtin', 'web', 'spider.py');
/** Time kept back from the run's deadline for the lake commit, so the agent reports a timeout itself. */
const DEADLINE_MARGIN_MS = 3_000;
/** Scrapy is asked to close this long before the process would be killed, keeping what it scraped. */
const CLOSE_MARGIN_MS = 5_000;
const SAMPLE_ROWS = 5;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** `shop.example.com` → `shop_example_com`: a table name from the site or the spider file. */
function tableNameFrom(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return /^[a-z_]/.test(name) ? name : `t_${name}`;
}

function defaultTable(input: ScrapeInput): string {
  if (input.spider) return tableNameFrom(path.basename(input.spider, '.py'));
  return tableNameFrom(new URL(input.start_urls![0]!).hostname);
}

function limitsOf(input: ScrapeInput, processMs: number): ScrapyLimits {
  const crawlMs = Math.min(processMs - CLOSE_MARGIN_MS, (input.timeout_seconds ?? Infinity) * 1000);
  return {
    maxPages: input.max_pages,
    maxDepth: input.max_depth,
    delayMs: input.delay_ms,
    concurrency: input.concurrency,
    autothrottle: input.autothrottle,
    userAgent: input.user_agent,
    crawlSeconds: Math.max(1, Math.floor(crawlMs / 1000)),
    downloadTimeoutSeconds: 30,
    maxResponseBytes: 32 * 1024 * 1024,
  };
}

/** The counts a person reads first, from Scrapy's stats and our own item checks. */
function countsOf(run: ScrapyRunResult, prepared: PreparedItems) {
  const c = run.counts;
  const stat = (name: string) => (typeof run.stats?.[name] === 'number' ? run.stats[name] : 0);
  // Requests robots.txt forbade surface as IgnoreRequest "download errors": they are reported as robotsForbidden.
  const { 'scrapy.exceptions.IgnoreRequest': _ignored, ...downloadErrors } = c.downloadErrors;
  return {
    pages: c.pages,
    scraped: run.items.length,
    items: prepared.rows.length,
    duplicates: prepared.duplicates,
    invalid: prepared.invalid + run.malformedLines,
    nonHtml: stat('bosun/non_html_response_count'),
    pagesWithoutItems: stat('bosun/page_without_items_count'),
    robotsForbidden: c.robotsForbidden,
    offsiteFiltered: c.offsiteFiltered,
    maxDepthReached: c.maxDepthReached,
    errors: { byStatus: c.httpErrors, byException: downloadErrors, spider: c.spiderErrors },
  };
}

function warningsOf(input: ScrapeInput, run: ScrapyRunResult, counts: ReturnType<typeof countsOf>): string[] {
  const warnings: string[] = [];
  const reason = run.counts.finishReason;
  if (reason === 'closespider_pagecount') warnings.push(`stopped at the page limit (max_pages ${input.max_pages})`);
  if (reason === 'closespider_timeout') warnings.push('stopped at the time limit (timeout_seconds)');
  const failed = Object.entries(counts.errors.byStatus).map(([status, n]) => `${n} × HTTP ${status}`);
  if (failed.length) warnings.push(`pages that failed: ${failed.join(', ')}`);
  const spider = Object.entries(counts.errors.spider).map(([type, n]) => `${n} × ${type}`);
  if (spider.length) warnings.push(`the spider raised on some pages: ${spider.join(', ')}`);
  if (counts.nonHtml) warnings.push(`${counts.nonHtml} response(s) were not HTML and were skipped`);
  if (counts.invalid) warnings.push(`${counts.invalid} item(s) were invalid and left out`);
  return warnings;
}

async function configFile(ctx: AgentContext, input: ScrapeInput): Promise<string> {
  const file = path.join(ctx.workDir, 'scrape-config.json');
  const config = {
    start_urls: input.start_urls,
    allowed_domains: input.allowed_domains ?? [],
    item: input.item,
    follow: input.follow,
    next_page: input.next_page ?? null,
  };
  await fs.writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

async function scrape(ctx: AgentContext, input: ScrapeInput): Promise<ResultEnvelope> {
  if ((input.spider === undefined) === (input.start_urls === undefined || input.item === undefined)) {
    throw new BosunError('INVALID_INPUT', 'give either start_urls and item (selectors), or spider (a spider file)', {
      details: { retryable: false },
    });
  }
  const fields = input.item ? Object.keys(input.item.fields) : undefined;
  if (fields && (!fields.length || fields.length > 100 || fields.some((name) => !FIELD_NAME.test(name))))
    throw new BosunError(
      'INVALID_INPUT',
      `item.fields must name 1 to 100 fields: ${fields.join(', ') || 'none given'}`,
      {
        hint: 'field names are columns: a letter, then letters, digits or underscores',
        details: { retryable: false },
      },
    );
  for (const name of [input.key, ...(input.item?.required ?? [])])
    if (name !== undefined && fields && !fields.includes(name))
      throw new BosunError('INVALID_INPUT', `'${name}' is not one of item.fields (${fields.join(', ')})`, {
        details: { retryable: false },
      });
  const spiderFile = input.spider ? await taskFile(ctx.workDir, input.spider, 'spider') : CONFIG_SPIDER();
  const spiderArgs = input.spider ? input.spider_args : { config: await configFile(ctx, input) };
  const table = input.output_table ?? defaultTable(input);
  const processMs = Math.max(5_000, ctx.timeoutMs - DEADLINE_MARGIN_MS);

  ctx.progress({ message: `crawling ${input.start_urls?.[0] ?? path.basename(spiderFile)}` });
  const run = await ctx.exec.runScrapySpider({
    spiderFile,
    spiderArgs,
    workDir: ctx.workDir,
    limits: limitsOf(input, processMs),
    memoryMb: input.memory_mb,
    timeoutMs: processMs,
    signal: ctx.signal,
    onLogLine: (line) => {
      const stats = /Crawled (\d+) pages .*scraped (\d+) items/.exec(line);
      if (stats) ctx.progress({ message: `crawled ${stats[1]} pages, scraped ${stats[2]} items` });
    },
  });
  const sandbox = { ...run.sandbox, timeoutSeconds: processMs / 1000 };
  const metrics = { pages: run.counts.pages, scraped: run.items.length, crawlMs: run.durationMs };
  const base = { outputs: { table: `scrape.${table}`, sandbox, log: run.stderrTail }, metrics };

  if (run.timedOut)
    return failedEnvelope(
      {
        code: 'TIMEOUT',
        message: `the crawl ran past ${processMs / 1000} s and was stopped; nothing was recorded`,
        retryable: true,
      },
      base,
    );
  if (run.aborted || ctx.signal.aborted)
    return failedEnvelope(
      { code: 'CANCELED', message: 'the crawl was stopped; nothing was recorded', retryable: true },
      base,
    );
  if (!run.ok || !run.stats) {
    const how = run.exitCode === null ? 'was killed' : `exited with code ${run.exitCode}`;
    return failedEnvelope(
      {
        code: 'SPIDER_FAILED',
        message: `the spider ${how}${run.exception ? `: ${run.exception}` : ''}; nothing was recorded`,
        retryable: false,
      },
      base,
    );
  }

  const prepared = prepareItems(run.items, {
    ...(fields ? { fields } : {}),
    required: input.item?.required ?? [],
    ...(input.key ? { key: input.key } : {}),
  });
  const counts = countsOf(run, prepared);
  const warnings = warningsOf(input, run, counts);
  const outputs = { ...base.outputs, counts, finishReason: run.counts.finishReason, warnings, sample: [] as unknown[] };
  const parts = { outputs, metrics: { ...metrics, items: counts.items, duplicates: counts.duplicates } };

  if (counts.pages === 0) {
    const why = Object.entries(counts.errors.byException).map(([type, n]) => `${n} × ${type}`);
    return failedEnvelope(
      {
        code: 'FETCH_FAILED',
        message: `no page could be fetched${why.length ? ` (${why.join(', ')})` : counts.robotsForbidden ? ' (robots.txt forbids the start URLs)' : ''}; nothing was recorded`,
        retryable: why.length > 0,
      },
      parts,
    );
  }
  if (counts.items === 0) {
    const what = input.item ? `the item selector ${JSON.stringify(input.item.selector)}` : 'the spider';
    return failedEnvelope(
      {
        code: 'NO_ITEMS',
        message: `${what} found no items on ${counts.pages} page(s); nothing was recorded`,
        retryable: false,
      },
      { ...parts, outputs: { ...outputs, warnings: [`no items: check ${what} against the pages`, ...warnings] } },
    );
  }

  ctx.progress({ message: `recording ${counts.items} items in scrape.${table}` });
  const lake = await ctx.lake();
  if (ctx.signal.aborted)
    return failedEnvelope(
      { code: 'CANCELED', message: 'the run was stopped before recording; nothing was recorded', retryable: true },
      parts,
    );
  const stored = await storeScrape(
    lake,
    table,
    prepared.fields,
    prepared.rows,
    `web.scrape: ${counts.items} items from ${counts.pages} pages`,
  );
  const csv = path.join(ctx.workDir, `${table}.csv`);
  await writeCsv(csv, stored.columns.slice(0, -1), prepared.rows);
  return completedEnvelope({
    summary: `scraped ${counts.items} items from ${counts.pages} pages into ${stored.table}${warnings.length ? ` (${warnings.length} warning${warnings.length > 1 ? 's' : ''})` : ''}`,
    outputs: {
      ...outputs,
      table: stored.table,
      snapshotId: stored.snapshotId,
      columns: stored.columns,
      sample: prepared.rows.slice(0, SAMPLE_ROWS),
    },
    artifacts: [await artifactFromFile(csv, 'text/csv')],
    metrics: parts.metrics,
  });
}

export const webAgent: AgentExecutor = {
  async run(ctx) {
    if (ctx.skillId !== 'web.scrape') {
      throw new BosunError('INVALID_INPUT', `the web agent has no skill '${ctx.skillId}'`, {
        details: { retryable: false },
      });
    }
    return scrape(ctx, ctx.input as unknown as ScrapeInput);
  },
  // The same spider file name with other content is another crawl.
  async cacheFingerprint(ctx) {
    const file = (ctx.input as unknown as ScrapeInput).spider;
    const spider = file === undefined ? null : await taskFile(ctx.workDir, file, 'spider').catch(() => null);
    return { spider: spider ? await sha256File(spider) : null };
  },
};
