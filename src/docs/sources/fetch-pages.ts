import type { Logger } from 'pino';
import { silentLogger } from '../../core/index.js';
import { parseDocument } from '../parse/index.js';
import type { Section } from '../parse/types.js';
import { HttpClient } from './http.js';
import { fetchPage } from './page.js';
import { PreviousPages } from './previous.js';
import { RobotsCache } from './robots.js';
import { DEFAULT_MAX_PAGE_BYTES } from './spec.js';
import { parseHttpUrl } from './url.js';

/**
 * A handful of named pages fetched the way the crawler fetches (its HTTP client: one request
 * rate, retries honouring Retry-After, a size cap while the body streams, robots.txt per
 * origin, Crawl-delay), then parsed into sections. For callers that have URLs, not a site to
 * crawl — the research agent — so they share the crawler's manners instead of a fetch() of their own.
 */
export interface FetchedWebPage {
  /** The URL as asked. */
  url: string;
  /** Where it answered, after redirects. */
  finalUrl: string;
  title: string;
  sections: Section[];
  /** Why the page has no content (robots.txt, HTTP status, size, type); sections are then empty. */
  error?: string;
}

export interface FetchWebPagesOptions {
  logger?: Logger;
  signal?: AbortSignal;
  maxPageBytes?: number;
  /** Requests per second over all pages (default 4: a few pages, politely). */
  rate?: number;
  timeoutMs?: number;
}

export async function fetchWebPages(
  urls: readonly string[],
  options: FetchWebPagesOptions = {},
): Promise<FetchedWebPage[]> {
  const http = new HttpClient({
    concurrency: 2,
    rate: options.rate ?? 4,
    maxBytes: options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES,
    logger: options.logger ?? silentLogger,
    retries: 2,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const robots = new RobotsCache(http);
  // Nothing was fetched before: no conditional requests.
  const previous = new PreviousPages(new Map(), null, false);
  return Promise.all(
    urls.map(async (href): Promise<FetchedWebPage> => {
      const failed = (error: string, finalUrl = href) => ({ url: href, finalUrl, title: href, sections: [], error });
      const url = parseHttpUrl(href);
      if (!url) return failed('not an http(s) URL');
      const rules = await robots.rules(url.origin);
      if (rules.unreachable) return failed(`cannot reach ${url.origin}: ${rules.unreachable}`);
      if (!rules.isAllowed(url)) return failed('disallowed by robots.txt');
      if (rules.crawlDelay) http.slowTo(1 / rules.crawlDelay);
      const { doc, finalUrl } = await fetchPage(http, {
        url,
        version: null,
        pathOf: (u) => u.pathname,
        previous,
        checkRedirect: (next) => (rules.isAllowed(next) ? undefined : 'disallowed by robots.txt'),
      });
      if (doc.error || doc.content === undefined) return failed(doc.error ?? 'no content', finalUrl.href);
      const parsed = parseDocument({
        content: doc.content,
        format: doc.format,
        path: finalUrl.pathname || '/',
        url: finalUrl.href,
      });
      return { url: href, finalUrl: finalUrl.href, title: parsed.title || href, sections: parsed.sections };
    }),
  );
}
