import { parseHTML } from 'linkedom';
import { parseHttpUrl } from './url.js';

/** What this module reads of linkedom's document (its declarations do not resolve under NodeNext). */
interface ParsedElement {
  getAttribute(name: string): string | null;
}
interface ParsedDocument {
  querySelector(selectors: string): ParsedElement | null;
  querySelectorAll(selectors: string): Iterable<ParsedElement>;
}

/**
 * The http(s) links of an HTML page, resolved against its `<base href>` or its URL, without
 * fragments. `rel="nofollow"` links and pages marked `<meta name="robots" content="nofollow">` give none.
 */
export function extractLinks(html: string, pageUrl: URL): URL[] {
  const { document } = parseHTML(html) as unknown as { document: ParsedDocument };
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

/** Markdown lines outside fenced code blocks, with their index. */
export function* proseLines(lines: string[]): Generator<[number, string]> {
  let fence: string | undefined;
  for (const [i, line] of lines.entries()) {
    const marker = line.match(/^ {0,3}(`{3,}|~{3,})/)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker)
        fence = undefined;
    } else if (marker) {
      fence = marker;
    } else {
      yield [i, line];
    }
  }
}

const markdownLink = /(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;

/** The targets of the markdown links of a text (images and code blocks left out), as written. */
export function markdownLinks(text: string): string[] {
  const hrefs: string[] = [];
  for (const [, line] of proseLines(text.split('\n')))
    for (const match of line.matchAll(markdownLink)) hrefs.push(match[1] as string);
  return hrefs;
}
