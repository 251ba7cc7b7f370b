import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import type { Logger } from 'pino';
import type { HttpClient } from './http.js';

const MAX_SITEMAPS = 50;

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  isArray: (name) => name === 'url' || name === 'sitemap',
});

interface Loc {
  loc?: unknown;
}
interface SitemapXml {
  urlset?: { url?: Loc[] };
  sitemapindex?: { sitemap?: Loc[] };
}

function locs(entries: Loc[] | undefined): string[] {
  return (entries ?? []).map((e) => (typeof e.loc === 'string' ? e.loc.trim() : '')).filter(Boolean);
}

/**
 * Page URLs listed by sitemaps, following sitemap indexes (at most MAX_SITEMAPS files).
 * A missing or broken sitemap only costs its seeds: links are still crawled.
 */
export async function readSitemaps(http: HttpClient, roots: string[], logger: Logger): Promise<string[]> {
  const queue = [...new Set(roots)];
  const fetched = new Set<string>();
  const pages: string[] = [];
  while (queue.length > 0 && fetched.size < MAX_SITEMAPS) {
    const href = queue.shift() as string;
    if (fetched.has(href)) continue;
    fetched.add(href);
    const res = await http.get(new URL(href), { accept: 'application/xml, text/xml' });
    if (!res.body) continue;
    try {
      const bytes = res.body[0] === 0x1f && res.body[1] === 0x8b ? gunzipSync(res.body) : res.body;
      const xml = parser.parse(bytes.toString('utf8')) as SitemapXml;
      pages.push(...locs(xml.urlset?.url));
      queue.push(...locs(xml.sitemapindex?.sitemap));
    } catch (err) {
      logger.warn({ sitemap: href, err: (err as Error).message }, 'unreadable sitemap');
    }
  }
  return pages;
}
