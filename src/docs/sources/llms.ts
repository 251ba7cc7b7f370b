import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { silentLogger } from '../../core/index.js';
import { innerAbort } from './abort.js';
import { errorDoc, formatOfPath, pageDoc, pathFilter, uniquePath } from './document.js';
import { HttpClient } from './http.js';
import { markdownLinks, proseLines } from './links.js';
import { isInside, readFilePage } from './local.js';
import { fetchPage, loadRootText } from './page.js';
import { PreviousPages } from './previous.js';
import { RobotsCache } from './robots.js';
import { limits, type LlmsSpec } from './spec.js';
import type { AcquireContext, SourceDocument } from './types.js';
import { inScope, pagePath, parseHttpUrl, type Scope } from './url.js';

/**
 * llms.txt (a markdown index: each linked page is fetched as a page) or llms-full.txt (one
 * markdown file holding every page: split back into pages). Only a file named exactly
 * `llms.txt` is an index; llms-full.txt, llms-ctx.txt and the like carry the content.
 */
export async function* acquireLlms(spec: LlmsSpec, ctx: AcquireContext): AsyncGenerator<SourceDocument> {
  const lim = limits(spec);
  const logger = ctx.logger ?? silentLogger;
  const abort = innerAbort(ctx.signal);
  try {
    yield* llmsPages(
      spec,
      ctx,
      new HttpClient({
        concurrency: lim.concurrency,
        rate: lim.rate,
        maxBytes: lim.maxPageBytes,
        logger,
        signal: abort.signal,
      }),
    );
  } finally {
    abort.stop();
  }
}

async function* llmsPages(spec: LlmsSpec, ctx: AcquireContext, http: HttpClient): AsyncGenerator<SourceDocument> {
  const lim = limits(spec);
  const root = await loadRootText(spec, http, lim.maxPageBytes);
  const version = spec.version ?? null;
  const wanted = pathFilter(spec.include, spec.exclude);
  const folder = new URL('./', root.base);
  const pathOf = (u: URL): string => relativePath(u, folder);

  if (root.name.toLowerCase() !== 'llms.txt') {
    const pages = splitLlmsFull(root.text)
      .map((page) => ({
        ...page,
        path: page.url ? withMarkdownExtension(pathOf(page.url)) : `${slugify(page.title)}.md`,
      }))
      .filter((page) => wanted(page.path));
    const paths = new Set<string>();
    let done = 0;
    for (const page of pages.slice(0, lim.maxPages)) {
      const unique = uniquePath(page.path, paths);
      yield pageDoc(
        { path: unique, version, format: 'markdown', ...(page.url ? { url: page.url.href } : {}) },
        page.content,
      );
      ctx.onProgress?.({ done: ++done, total: Math.min(pages.length, lim.maxPages), current: unique });
    }
    return;
  }

  const links = indexLinks(root.text, root.base)
    .filter((u) => wanted(pathOf(u)))
    .slice(0, lim.maxPages);
  const previous = new PreviousPages(ctx.previous, version, spec.versionsFrom === 'folders');
  const robots = new RobotsCache(http);
  const rootDir = root.base.protocol === 'file:' ? fileURLToPath(folder) : undefined;
  // All requests start at once; the client's concurrency and rate limits pace them, order is kept.
  const pending = links.map((u) =>
    linkedPage(u, { http, robots, previous, version, pathOf, rootDir, maxBytes: lim.maxPageBytes }),
  );
  // Awaited in order below; this only keeps a failure after an early stop from going unhandled.
  for (const p of pending) p.catch(() => undefined);
  let done = 0;
  for (const page of pending) {
    const doc = await page;
    yield doc;
    ctx.onProgress?.({ done: ++done, total: links.length, current: doc.url ?? doc.path });
  }
}

interface LinkDeps {
  http: HttpClient;
  robots: RobotsCache;
  previous: PreviousPages;
  version: string | null;
  pathOf: (u: URL) => string;
  rootDir: string | undefined;
  maxBytes: number;
}

async function linkedPage(u: URL, deps: LinkDeps): Promise<SourceDocument> {
  const base = { path: deps.pathOf(u), version: deps.version, format: formatOfPath(u.pathname) ?? 'markdown' } as const;
  if (u.protocol === 'file:') {
    const abs = fileURLToPath(u);
    if (!deps.rootDir || !isInside(deps.rootDir, abs)) return errorDoc(base, 'outside root');
    return readFilePage(abs, base, deps.maxBytes);
  }
  if (!(await deps.robots.rules(u.origin)).isAllowed(u))
    return errorDoc({ ...base, url: u.href }, 'disallowed by robots.txt');
  const { doc } = await fetchPage(deps.http, {
    url: u,
    version: deps.version,
    pathOf: deps.pathOf,
    previous: deps.previous,
  });
  return doc;
}

/** A link's page path: relative to the index's folder when under it, else `host/path`. */
function relativePath(u: URL, folder: URL): string {
  if (u.protocol === 'file:') return path.relative(fileURLToPath(folder), fileURLToPath(u)).split(path.sep).join('/');
  const scope: Scope = { origin: folder.origin, prefix: folder.pathname };
  return inScope(u, scope) ? pagePath(u, scope) : `${u.host}/${pagePath(u, { origin: u.origin, prefix: '/' })}`;
}

/** A page cut from llms-full.txt is markdown whatever its URL ends with. */
function withMarkdownExtension(p: string): string {
  const [file = '', query] = p.split('?', 2);
  const named = /\.(md|mdx|markdown)$/i.test(file) ? file : `${file.replace(/\.(html?|txt)$/i, '')}.md`;
  return query === undefined ? named : `${named}?${query}`;
}

function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, 80) || 'page';
}

/** The distinct pages an llms.txt links to, resolved against its location (URL or file), without fragments. */
function indexLinks(text: string, base: URL): URL[] {
  const out = new Map<string, URL>();
  for (const href of markdownLinks(text)) {
    const u = base.protocol === 'file:' && !/^https?:/i.test(href) ? fileLink(href, base) : parseHttpUrl(href, base);
    if (u && !out.has(u.href)) out.set(u.href, u);
  }
  return [...out.values()];
}

function fileLink(href: string, base: URL): URL | undefined {
  try {
    const u = new URL(href, base);
    u.hash = '';
    u.search = '';
    return u.protocol === 'file:' ? u : undefined;
  } catch {
    return undefined;
  }
}

interface LlmsFullPage {
  title: string;
  url?: URL;
  content: string;
}

/**
 * Splits an llms-full.txt into pages at its top-level headings: `# ` when there are several
 * (the usual one-page-per-H1 concatenation), else `## `. A `Source: <url>` (or `URL:`) line
 * just under a heading, as Mintlify and others write, names the page's origin. Headings inside
 * code blocks are not boundaries. Text before the first heading becomes `index`.
 */
function splitLlmsFull(text: string): LlmsFullPage[] {
  const lines = text.split('\n');
  const headings = [...proseLines(lines)].filter(([, l]) => /^#{1,2} \S/.test(l));
  const h1 = headings.filter(([, l]) => l.startsWith('# '));
  const h2 = headings.filter(([, l]) => l.startsWith('## '));
  const starts = h1.length >= 2 ? h1 : h2.length >= 2 ? h2 : [];
  if (starts.length === 0) {
    const title = (h1[0]?.[1] ?? h2[0]?.[1] ?? 'index').replace(/^#+ /, '');
    return text.trim() ? [{ title, content: text }] : [];
  }
  const pages: LlmsFullPage[] = [];
  const preamble = lines.slice(0, starts[0]?.[0]).join('\n');
  if (preamble.trim()) pages.push({ title: 'index', content: preamble });
  starts.forEach(([at, heading], n) => {
    const end = starts[n + 1]?.[0] ?? lines.length;
    const body = lines.slice(at, end);
    const source = body
      .slice(1, 6)
      .map((l) => l.match(/^(?:source|url):\s*(\S+)\s*$/i)?.[1])
      .find(Boolean);
    const url = source ? parseHttpUrl(source) : undefined;
    pages.push({ title: heading.replace(/^#+ /, '').trim(), content: body.join('\n'), ...(url ? { url } : {}) });
  });
  return pages;
}
