import type { Logger } from 'pino';
import { BosunError, silentLogger } from '../../core/index.js';
import { innerAbort } from './abort.js';
import { Channel } from './channel.js';
import { errorDoc, pageDoc, pathFilter } from './document.js';
import { HttpClient } from './http.js';
import { extractLinks, markdownLinks } from './links.js';
import { fetchPage } from './page.js';
import { PreviousPages } from './previous.js';
import { openRenderer, type Renderer } from './render.js';
import { RobotsCache, type RobotsRules } from './robots.js';
import { readSitemaps } from './sitemap.js';
import { limits, type Limits, type WebSpec } from './spec.js';
import type { AcquireContext, SourceDocument } from './types.js';
import { splitVersionFolder } from './versions.js';
import {
  QueryCap,
  canonicalKey,
  inScope,
  isAsset,
  pagePath,
  parseHttpUrl,
  scopeOf,
  trapReason,
  urlOfPagePath,
  type Scope,
} from './url.js';

/** Distinct query strings crawled per path: enough for real pagination, not for a calendar. */
const MAX_QUERIES_PER_PATH = 10;

/** Crawls a documentation site breadth-first within its scope; pages come back as raw HTML (or markdown/text). */
export async function* acquireWeb(spec: WebSpec, ctx: AcquireContext): AsyncGenerator<SourceDocument> {
  const start = parseHttpUrl(spec.url);
  if (!start) throw new BosunError('INVALID_INPUT', `not an http(s) URL: ${spec.url}`);
  const scope = scopeOf(start, spec.scope);
  if (!inScope(start, scope)) {
    throw new BosunError(
      'INVALID_INPUT',
      `start URL ${start.href} is outside the scope ${scope.origin}${scope.prefix}`,
    );
  }
  const logger = ctx.logger ?? silentLogger;
  const lim = limits(spec);
  ctx.signal?.throwIfAborted();
  const renderer = spec.render ? await openRenderer() : undefined;
  const abort = innerAbort(ctx.signal);
  const http = new HttpClient({
    concurrency: lim.concurrency,
    rate: lim.rate,
    maxBytes: lim.maxPageBytes,
    logger,
    signal: abort.signal,
  });
  const channel = new Channel<SourceDocument>();
  let running: Promise<void> | undefined;
  try {
    const rules = await new RobotsCache(http).rules(scope.origin);
    // A site that cannot be reached at all fails the sync with the cause, not "disallowed by robots.txt".
    if (rules.unreachable) {
      throw new BosunError('SOURCE_UNREACHABLE', `cannot reach ${scope.origin}: ${rules.unreachable}`, {
        hint: `check the URL and the network, then run the sync again; the library keeps its previous pages`,
        details: { retryable: true, url: new URL('/robots.txt', scope.origin).href },
      });
    }
    if (rules.crawlDelay) http.slowTo(1 / rules.crawlDelay);
    if (!rules.isAllowed(start)) {
      yield errorDoc(
        { path: pagePath(start, scope), url: start.href, version: spec.version ?? null, format: 'html' },
        'disallowed by robots.txt',
      );
      return;
    }
    const crawler = new Crawler(spec, ctx, { http, scope, lim, logger, renderer, channel, rules });
    running = crawler.run(start, abort.signal).then(
      () => channel.close(),
      (err: unknown) => channel.close(err),
    );
    yield* channel;
  } finally {
    abort.stop();
    // Releases workers blocked on a full channel when the consumer stopped early.
    channel.close();
    await running;
    await renderer?.close();
  }
}

interface CrawlerDeps {
  http: HttpClient;
  scope: Scope;
  lim: Limits;
  logger: Logger;
  renderer: Renderer | undefined;
  channel: Channel<SourceDocument>;
  rules: RobotsRules;
}

interface Item {
  url: URL;
  depth: number;
}

class Crawler {
  private readonly frontier: Item[] = [];
  private readonly seen = new Set<string>();
  private readonly queries = new QueryCap(MAX_QUERIES_PER_PATH);
  private readonly wanted: (...paths: string[]) => boolean;
  private readonly notExcluded: (...paths: string[]) => boolean;
  private readonly previous: PreviousPages;
  private readonly version: string | null;
  private started = 0;
  private done = 0;
  private active = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly spec: WebSpec,
    private readonly ctx: AcquireContext,
    private readonly deps: CrawlerDeps,
  ) {
    this.wanted = pathFilter(spec.include, spec.exclude);
    this.notExcluded = pathFilter(undefined, spec.exclude);
    this.version = spec.version ?? null;
    this.previous = new PreviousPages(ctx.previous, this.version, spec.versionsFrom === 'folders');
  }

  async run(start: URL, signal: AbortSignal): Promise<void> {
    const { http, scope, logger, rules } = this.deps;
    this.admit(start, 0);
    const sitemaps = rules.sitemaps.length > 0 ? rules.sitemaps : [new URL('/sitemap.xml', scope.origin).href];
    for (const href of await readSitemaps(http, sitemaps, logger)) {
      const u = parseHttpUrl(href);
      if (u) this.admit(u, 0);
    }
    // Pages only reachable through pages that now answer 304 would be lost without these seeds.
    for (const { path, state } of this.previous.entries()) {
      const u = state.url ? parseHttpUrl(state.url) : this.spec.versionsFrom ? undefined : urlOfPagePath(path, scope);
      if (u) this.admit(u, 0);
    }
    await Promise.all(Array.from({ length: this.deps.lim.concurrency }, () => this.worker(signal)));
    logger.debug({ pages: this.done, seen: this.seen.size }, 'crawl finished');
  }

  /** Queues a URL unless it is out of scope, seen, excluded, disallowed, or looks like a trap. */
  private admit(u: URL, depth: number): void {
    if (depth > this.deps.lim.maxDepth) return;
    const key = canonicalKey(u);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (!inScope(u, this.deps.scope) || isAsset(u)) return;
    const path = pagePath(u, this.deps.scope);
    const refusal =
      trapReason(u) ??
      (this.queries.admit(u) ? undefined : 'too many query strings for this path') ??
      (this.deps.rules.isAllowed(u) ? undefined : 'disallowed by robots.txt') ??
      (this.notExcluded(path, splitVersionFolder(path)?.path ?? path) ? undefined : 'excluded');
    if (refusal) {
      this.deps.logger.debug({ url: u.href, refusal }, 'not crawled');
      return;
    }
    this.frontier.push({ url: u, depth });
  }

  /** Breadth-first: workers take the oldest queued URL; they stop when nothing is queued or running. */
  private async worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      const item = this.started < this.deps.lim.maxPages ? this.frontier.shift() : undefined;
      if (!item) {
        if (this.active === 0) return this.wakeIdle();
        await new Promise<void>((resolve) => this.idle.push(resolve));
        continue;
      }
      this.started++;
      this.active++;
      try {
        await this.visit(item);
      } finally {
        this.active--;
        this.wakeIdle();
      }
    }
  }

  private wakeIdle(): void {
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }

  private async visit(item: Item): Promise<void> {
    const { http, scope, renderer, channel, rules } = this.deps;
    const { doc: fetched, finalUrl } = await fetchPage(http, {
      url: item.url,
      version: this.version,
      pathOf: (u) => pagePath(u, scope),
      previous: this.previous,
      checkRedirect: (next) =>
        !inScope(next, scope) ? 'outside scope' : rules.isAllowed(next) ? undefined : 'disallowed by robots.txt',
    });
    if (finalUrl !== item.url) {
      // A redirect onto a page that is queued or done already is the same page: drop this copy.
      const key = canonicalKey(finalUrl);
      if (key !== canonicalKey(item.url) && this.seen.has(key)) return;
      this.seen.add(key);
    }
    let doc = fetched;
    let links: URL[] = [];
    if (fetched.content !== undefined && fetched.format === 'html') {
      const html = renderer ? await renderer.render(finalUrl, fetched.content) : fetched.content;
      if (renderer) doc = pageDoc(fetched, html);
      links = extractLinks(html, finalUrl);
    } else if (fetched.content !== undefined && (fetched.format === 'markdown' || fetched.format === 'mdx')) {
      links = markdownLinks(fetched.content).flatMap((href) => parseHttpUrl(href, finalUrl) ?? []);
    }
    for (const link of links) this.admit(link, item.depth + 1);
    this.wakeIdle();
    this.ctx.onProgress?.({ done: ++this.done, total: this.done + this.frontier.length, current: finalUrl.href });
    // Pages outside `include` were still fetched: their links may lead to included pages.
    if (this.wanted(doc.path, splitVersionFolder(doc.path)?.path ?? doc.path)) await channel.push(doc);
  }
}
