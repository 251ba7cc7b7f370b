import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BosunError } from '../../core/index.js';
import { runScrapySpider } from '../../exec/index.js';
import { errorDoc, pageDoc, uniquePath } from './document.js';
import { limits, type ScrapySpec } from './spec.js';
import type { AcquireContext, SourceDocument } from './types.js';

/**
 * A user's Scrapy spider as a documentation source: each item it yields with `url`, `title` and
 * `html` or `markdown` is one page, handed to the normal pipeline (normalise, parse, chunk,
 * index, one snapshot). The spider runs through exec's Scrapy runner, so it is sandboxed and
 * Bosun's limits (robots.txt, page and depth caps) hold whatever its own settings say. A spider
 * that fails fails the sync: a half-crawled site never becomes a snapshot.
 */
const SPIDER_HOURS = 2;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The item's title where the parser looks for it: front matter in markdown, <title> in HTML. */
function withTitle(format: 'markdown' | 'html', content: string, title: string | undefined): string {
  if (!title) return content;
  if (format === 'markdown')
    return /^---\r?\n/.test(content) ? content : `---\ntitle: ${JSON.stringify(title)}\n---\n\n${content}`;
  return /<title[\s>]/i.test(content) ? content : `<title>${escapeHtml(title)}</title>\n${content}`;
}

/** The page path of an item: its URL's path (and query), as the web source names pages. */
function pathOf(url: URL): string {
  const p = url.pathname.replace(/^\/+/, '');
  return (p === '' || p.endsWith('/') ? `${p}index.html` : p) + url.search;
}

function pageOf(item: Record<string, unknown>, n: number, spec: ScrapySpec, taken: Set<string>): SourceDocument {
  const version = spec.version ?? null;
  const url = typeof item.url === 'string' && URL.canParse(item.url) ? new URL(item.url) : null;
  const base = {
    path: uniquePath(url ? pathOf(url) : `items/${n}`, taken),
    ...(url ? { url: url.href } : {}),
    version,
  };
  const title = typeof item.title === 'string' && item.title.trim() ? item.title.trim() : undefined;
  if (!url) return errorDoc({ ...base, format: 'text' }, 'the spider item has no url');
  if (typeof item.markdown === 'string' && item.markdown.trim())
    return pageDoc({ ...base, format: 'markdown' }, withTitle('markdown', item.markdown, title));
  if (typeof item.html === 'string' && item.html.trim())
    return pageDoc({ ...base, format: 'html' }, withTitle('html', item.html, title));
  return errorDoc({ ...base, format: 'text' }, 'the spider item has neither html nor markdown');
}

export async function* acquireScrapy(spec: ScrapySpec, ctx: AcquireContext): AsyncGenerator<SourceDocument> {
  const spider = await fs.realpath(spec.path).catch(() => {
    throw new BosunError('NOT_FOUND', `spider file not found: ${spec.path}`, {
      hint: 'check the path given to --scrapy',
    });
  });
  const lim = limits(spec);
  const workDir = await fs.mkdtemp(path.join(ctx.workDir ?? os.tmpdir(), 'bosun-scrapy-'));
  try {
    ctx.onProgress?.({ done: 0, current: `running ${path.basename(spider)}` });
    const run = await runScrapySpider({
      spiderFile: spider,
      spiderArgs: spec.args ?? {},
      workDir,
      limits: {
        maxPages: lim.maxPages,
        maxDepth: lim.maxDepth,
        delayMs: lim.rate ? Math.ceil(1000 / lim.rate) : 0,
        concurrency: lim.concurrency,
        autothrottle: true,
        userAgent: 'Bosun docs (Scrapy)',
        crawlSeconds: SPIDER_HOURS * 3600,
        downloadTimeoutSeconds: 30,
        maxResponseBytes: lim.maxPageBytes,
      },
      timeoutMs: (SPIDER_HOURS * 3600 + 60) * 1000,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    ctx.signal?.throwIfAborted();
    if (!run.ok || !run.stats) {
      const how = run.timedOut
        ? 'ran out of time'
        : run.exitCode === null
          ? 'was killed'
          : `exited with code ${run.exitCode}`;
      throw new BosunError(
        'EXEC_FAILED',
        `the spider ${path.basename(spider)} ${how}${run.exception ? `: ${run.exception}` : ''}`,
        {
          hint: 'run it with `python3 -m scrapy runspider` to see its log',
          details: { log: run.stderrTail },
        },
      );
    }
    ctx.logger?.info({ counts: run.counts }, 'scrapy spider finished');
    const taken = new Set<string>();
    let n = 0;
    for (const item of run.items.slice(0, lim.maxPages)) {
      yield pageOf(item, ++n, spec, taken);
      ctx.onProgress?.({ done: n, total: run.items.length, current: typeof item.url === 'string' ? item.url : '' });
    }
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}
