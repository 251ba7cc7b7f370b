import { parseHTML } from 'linkedom';
import { parseHttpUrl } from './url.js';

/**
 * The http(s) links of an HTML page, resolved against its `<base href>` or its URL, without
 * fragments. `rel="nofollow"` links and pages marked `<meta name="robots" content="nofollow">` give none.
 */
export function extractLinks(html: string, pageUrl: URL): URL[] {
  const { document } = parseHTML(html);
  const robots = [...document.querySelectorAll('meta[name]')]
    .filter((m) => m.getAttribute('name')?.toLowerCase() === 'robots')
    .map((m) => m.getAttribute('content') ?? '')
    .join(' ');
  if (/\b(nofollow|none)\b/i.test(robots)) return [];
  const base = parseHttpUrl(document.querySelector('base[href]')?.getAttribute('href') ?? '', pageUrl) ?? pageUrl;
  const links: URL[] = [];
  for (const a of document.querySelectorAll('a[href], area[href]')) {
    if (/\bnofollow\b/i.test(a.getAttribute('rel') ?? '')) continue;
    const u = parseHttpUrl(a.getAttribute('href') ?? '', base);
    if (u) links.push(u);
  }
  return links;
}
