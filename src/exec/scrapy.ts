import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { BosunError, packageRoot } from '../core/index.js';
import { runCommand } from './run.js';
import { runSandboxed, type SandboxReport } from './sandbox.js';
import { which } from './which.js';

/**
 * Running a Scrapy spider, for the web agent (its own configurable spider) and for the docs layer
 * (a user's spider as a documentation source). The spider always runs in the sandbox, with the
 * network on (it crawls) and the limits as Scrapy settings on the command line, which outrank a
 * spider's own `custom_settings`: robots.txt obeyed, AutoThrottle, depth and page caps, a time
 * cap. Items come back from a JSON-lines feed, counts from Scrapy's own stats (written by
 * scrapy/bosun_scrapy_stats.py when the spider closes).
 */
export interface ScrapyLimits {
  maxPages: number;
  maxDepth: number;
  /** Between requests to a site; AutoThrottle starts from it. */
  delayMs: number;
  concurrency: number;
  /** AutoThrottle adapts the delay to the site's latency; off only when asked (a benchmark on loopback). */
  autothrottle: boolean;
  userAgent: string;
  /** Scrapy closes the spider itself after this long (what was scraped until then is kept). */
  crawlSeconds: number;
  downloadTimeoutSeconds: number;
  maxResponseBytes: number;
}

export interface ScrapyRunOptions {
  /** The spider file (readable; it runs in the sandbox). */
  spiderFile: string;
  /** Passed as `-a name=value`. */
  spiderArgs?: Record<string, string>;
  /** Writable: the feed, the stats and the spider's HOME go here. */
  workDir: string;
  /** Further paths the spider may read (its config). */
  readOnly?: string[];
  limits: ScrapyLimits;
  memoryMb?: number;
  /** The whole process, hard: past it the run is killed and reports timedOut. */
  timeoutMs: number;
  signal?: AbortSignal;
  onLogLine?: (line: string) => void;
}

/** What the crawl did, from Scrapy's stats. */
export interface ScrapyCounts {
  /** Responses the spider got (robots.txt not counted). */
  pages: number;
  /** Items the feed received. */
  items: number;
  /** Final HTTP error responses by status (after retries), robots.txt not counted. */
  httpErrors: Record<string, number>;
  /** Download failures (connection refused, DNS, timeout) by exception type, each attempt counted. */
  downloadErrors: Record<string, number>;
  /** Exceptions raised in the spider's callbacks, by type. */
  spiderErrors: Record<string, number>;
  robotsForbidden: number;
  offsiteFiltered: number;
  /** The deepest request made (DEPTH_LIMIT caps it). */
  maxDepthReached: number;
  /** `finished`, `closespider_pagecount`, `closespider_timeout`, … */
  finishReason: string | null;
}

export interface ScrapyRunResult {
  ok: boolean;
  exitCode: number | null;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  /** Parsed lines of the feed that are JSON objects. */
  items: Record<string, unknown>[];
  /** Feed lines that were not JSON objects. */
  malformedLines: number;
  /** Scrapy's stats; null when the spider never closed (it failed to load, or was killed). */
  stats: Record<string, unknown> | null;
  counts: ScrapyCounts;
  /** The last line of a Python traceback in the log, when there is one. */
  exception: string | null;
  stderrTail: string;
  sandbox: SandboxReport;
}

const SUPPORT_DIR = () => path.join(packageRoot(), 'src', 'exec', 'scrapy');

let interpreter: Promise<string | null> | undefined;

/** The first python3 that can import Scrapy (Debian's, when a pyenv or venv python comes first on PATH). */
export function scrapyPython(): Promise<string | null> {
  interpreter ??= (async () => {
    const candidates = [await which('python3'), '/usr/bin/python3'].filter((p): p is string => Boolean(p));
    for (const python of new Set(candidates)) {
      const probe = await runCommand(python, ['-c', 'import scrapy'], { timeoutMs: 30_000 });
      if (probe.ok) return python;
    }
    return null;
  })();
  return interpreter;
}

async function requireScrapyPython(): Promise<string> {
  const python = await scrapyPython();
  if (!python)
    throw new BosunError('TOOL_MISSING', 'Scrapy is not installed for any python3 on this machine', {
      hint: 'apt-get install python3-scrapy',
      details: { retryable: false },
    });
  return python;
}

function settingsArgs(limits: ScrapyLimits, statsFile: string): string[] {
  const settings: Record<string, string | number> = {
    ROBOTSTXT_OBEY: 'True',
    AUTOTHROTTLE_ENABLED: limits.autothrottle ? 'True' : 'False',
    AUTOTHROTTLE_START_DELAY: Math.max(limits.delayMs / 1000, 0.01),
    AUTOTHROTTLE_TARGET_CONCURRENCY: limits.concurrency,
    DOWNLOAD_DELAY: limits.delayMs / 1000,
    CONCURRENT_REQUESTS: limits.concurrency,
    CONCURRENT_REQUESTS_PER_DOMAIN: limits.concurrency,
    DEPTH_LIMIT: limits.maxDepth,
    CLOSESPIDER_PAGECOUNT: limits.maxPages,
    CLOSESPIDER_TIMEOUT: limits.crawlSeconds,
    DOWNLOAD_TIMEOUT: limits.downloadTimeoutSeconds,
    DOWNLOAD_MAXSIZE: limits.maxResponseBytes,
    RETRY_TIMES: 1,
    USER_AGENT: limits.userAgent,
    TELNETCONSOLE_ENABLED: 'False',
    LOG_LEVEL: 'INFO',
    // Scrapy's 'Crawled N pages …, scraped M items' line, often enough to show progress.
    LOGSTATS_INTERVAL: 10,
    FEED_EXPORT_ENCODING: 'utf-8',
    REQUEST_FINGERPRINTER_IMPLEMENTATION: '2.7',
    STATS_CLASS: 'bosun_scrapy_stats.JsonFileStatsCollector',
    BOSUN_STATS_FILE: statsFile,
  };
  return Object.entries(settings).flatMap(([name, value]) => ['-s', `${name}=${value}`]);
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Stats keys `prefix<name>` → `{ name: count }`, less what robots.txt requests account for. */
function countsByName(stats: Record<string, unknown>, prefix: string, minus = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(stats)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    const n = num(value) - (minus ? num(stats[`${minus}${name}`]) : 0);
    if (n > 0) out[name] = n;
  }
  return out;
}

export function scrapyCounts(stats: Record<string, unknown> | null, items: number): ScrapyCounts {
  const s = stats ?? {};
  return {
    pages: Math.max(0, num(s.response_received_count) - num(s['robotstxt/response_count'])),
    items,
    httpErrors: countsByName(s, 'httperror/response_ignored_status_count/'),
    downloadErrors: countsByName(s, 'downloader/exception_type_count/', 'robotstxt/exception_count/'),
    spiderErrors: countsByName(s, 'spider_exceptions/'),
    robotsForbidden: num(s['robotstxt/forbidden']),
    offsiteFiltered: num(s['offsite/filtered']),
    maxDepthReached: num(s.request_depth_max),
    finishReason: typeof s.finish_reason === 'string' ? s.finish_reason : null,
  };
}

async function readFeed(file: string): Promise<{ items: Record<string, unknown>[]; malformed: number }> {
  const items: Record<string, unknown>[] = [];
  let malformed = 0;
  const exists = await fs.stat(file).then(
    () => true,
    () => false,
  );
  if (!exists) return { items, malformed };
  const lines = readline.createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value)) items.push(value as Record<string, unknown>);
      else malformed++;
    } catch {
      malformed++;
    }
  }
  return { items, malformed };
}

/**
 * What went wrong, from the log: the last exception line of a traceback
 * (`ZeroDivisionError: division by zero`), else Scrapy's own usage error (`Unable to load …`).
 */
function lastException(stderr: string): string | null {
  const lines = stderr.split('\n');
  const exception = lines.filter((l) => /^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b/.test(l)).at(-1);
  const usage = lines.find((l) => /^runspider: error: /.test(l))?.slice('runspider: error: '.length);
  return (exception ?? usage)?.trim() ?? null;
}

export async function runScrapySpider(options: ScrapyRunOptions): Promise<ScrapyRunResult> {
  const python = await requireScrapyPython();
  const dir = path.join(options.workDir, '.scrapy');
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(path.join(dir, 'home'), { recursive: true });
  const feed = path.join(dir, 'items.jl');
  const statsFile = path.join(dir, 'stats.json');
  const spiderArgs = Object.entries(options.spiderArgs ?? {}).flatMap(([k, v]) => ['-a', `${k}=${v}`]);
  const argv = [
    python,
    '-m',
    'scrapy',
    'runspider',
    ...settingsArgs(options.limits, statsFile),
    ...spiderArgs,
    '-O',
    `${feed}:jsonlines`,
    options.spiderFile,
  ];
  const result = await runSandboxed(argv, {
    workDir: options.workDir,
    readOnly: [SUPPORT_DIR(), options.spiderFile, ...(options.readOnly ?? [])],
    allowNetwork: true,
    memoryMb: options.memoryMb ?? 2048,
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    maxOutputBytes: 256 * 1024,
    env: {
      PYTHONPATH: SUPPORT_DIR(),
      PYTHONNOUSERSITE: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      HOME: path.join(dir, 'home'),
      TMPDIR: path.join(dir, 'home'),
    },
    ...(options.onLogLine ? { onStderrLine: options.onLogLine } : {}),
  });
  const stats = await fs
    .readFile(statsFile, 'utf8')
    .then((text) => JSON.parse(text) as Record<string, unknown>)
    .catch(() => null);
  const { items, malformed } = await readFeed(feed);
  return {
    ok: result.ok,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    aborted: result.aborted,
    durationMs: result.durationMs,
    items,
    malformedLines: malformed,
    stats,
    counts: scrapyCounts(stats, items.length),
    exception: lastException(result.stderr),
    stderrTail: result.stderr.slice(-4000),
    sandbox: result.sandbox,
  };
}
