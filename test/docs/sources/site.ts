import { createHash } from 'node:crypto';
import { startServer, type TestServer } from './helpers.js';

/**
 * A generated documentation site: /docs/ → 10 sections → 5 groups each → content pages, with
 * nested navigation, a sitemap index, robots.txt, ETags and Last-Modified. With `traps`, the
 * root page also links to the hazards a crawler must survive.
 */
export interface DocsSite {
  server: TestServer;
  start: string;
  /** Every HTML page in scope that a crawl must return (paths such as /docs/s0/g1/p2.html). */
  pages: string[];
  close(): Promise<void>;
}

const SECTIONS = 10;
const GROUPS = 5;
const LAST_MODIFIED = 'Mon, 05 Jan 2026 10:00:00 GMT';

export const TRAPS = {
  private: '/docs/private/secret.html',
  loop: '/docs/loop-a',
  moved: '/docs/moved',
  calendar: '/docs/calendar',
  outOfScope: '/blog/post.html',
  raw: '/docs/raw.md',
  binary: '/docs/download',
  missing: '/docs/missing.html',
  flaky: '/docs/flaky.html',
  asset: '/docs/logo.png',
  repeating: '/docs/a/a/a/deep.html',
};

function layout(title: string, nav: string[], body: string): string {
  const links = nav.map((href) => `<li><a href="${href}">${href}</a></li>`).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>
<body><header><a href="/docs/">Docs home</a></header>
<nav><ul>${links}</ul></nav>
<main><h1>${title}</h1>
<p>${body}</p>
<h2>Usage</h2><p>${'Some explanatory text about this part of the product. '.repeat(20)}</p>
<pre><code class="language-sql">SELECT * FROM ducklake_snapshot WHERE id = 1;</code></pre>
</main><footer>generated test site</footer></body></html>`;
}

export async function startDocsSite(
  contentPages: number,
  options: { traps?: boolean; delayMs?: number } = {},
): Promise<DocsSite> {
  const perGroup = Math.ceil(contentPages / (SECTIONS * GROUPS));
  const html = new Map<string, string>();
  const sitemapped: string[] = [];
  const sectionIndexes: string[] = [];
  for (let s = 0; s < SECTIONS; s++) {
    const section = `/docs/s${s}/`;
    sectionIndexes.push(section);
    const groups = Array.from({ length: GROUPS }, (_, g) => `${section}g${g}/`);
    html.set(section, layout(`Section ${s}`, ['/docs/', ...groups], `Section ${s} overview.`));
    sitemapped.push(section);
    for (const [g, group] of groups.entries()) {
      const pages = Array.from({ length: perGroup }, (_, p) => `${group}p${p}.html`);
      html.set(group, layout(`Group ${s}.${g}`, [section, ...pages], `Group ${g} of section ${s}.`));
      sitemapped.push(group);
      for (const [p, page] of pages.entries()) {
        const siblings = [pages[p - 1], pages[p + 1]].filter((x): x is string => x !== undefined);
        html.set(
          page,
          layout(`Page ${s}.${g}.${p}`, [group, section, ...siblings, `${page}#details`], `Content of page ${p}.`),
        );
        // Group 4 of each section is left out of the sitemap: reachable through links only.
        if (g !== 4) sitemapped.push(page);
      }
    }
  }
  const rootNav = [...sectionIndexes.map((s, i) => (i === 0 ? `${s}index.html` : s))];
  if (options.traps) {
    rootNav.push(
      ...Object.values(TRAPS).filter((t) => t !== TRAPS.calendar),
      `${TRAPS.calendar}?month=1`,
      'http://example.invalid/elsewhere',
    );
    html.set(TRAPS.flaky, layout('Flaky', ['/docs/'], 'Answers 503 the first time.'));
  }
  html.set('/docs/', layout('Documentation', rootNav, 'Welcome.'));

  let flakyFailed = false;
  const server = await startServer((req, res, url) => {
    const path = url.pathname.replace(/\/index\.html$/, '/');
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(body);
    };
    const sendPage = (body: string, type = 'text/html; charset=utf-8'): void => {
      const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag });
        res.end();
        return;
      }
      send(200, type, body, { etag, 'last-modified': LAST_MODIFIED });
    };
    if (url.pathname === '/robots.txt') {
      return send(
        200,
        'text/plain',
        `User-agent: BadBot\nDisallow: /\n\nUser-agent: *\nDisallow: /docs/private/\n\nSitemap: ${server.origin}/sitemap.xml\n`,
      );
    }
    if (url.pathname === '/sitemap.xml') {
      const index = ['/sitemap-1.xml', '/sitemap-2.xml']
        .map((s) => `<sitemap><loc>${server.origin}${s}</loc></sitemap>`)
        .join('');
      return send(
        200,
        'application/xml',
        `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${index}</sitemapindex>`,
      );
    }
    const part = url.pathname.match(/^\/sitemap-(\d)\.xml$/)?.[1];
    if (part) {
      const half = Math.ceil(sitemapped.length / 2);
      const urls = part === '1' ? sitemapped.slice(0, half) : sitemapped.slice(half);
      const body = urls.map((u) => `<url><loc>${server.origin}${u}</loc></url>`).join('');
      return send(
        200,
        'application/xml',
        `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${body}</urlset>`,
      );
    }
    if (url.pathname === TRAPS.loop) return send(302, 'text/plain', '', { location: '/docs/loop-b' });
    if (url.pathname === '/docs/loop-b') return send(302, 'text/plain', '', { location: TRAPS.loop });
    if (url.pathname === TRAPS.moved) return send(301, 'text/plain', '', { location: '/docs/s1/' });
    if (url.pathname === TRAPS.calendar) {
      const month = Number(url.searchParams.get('month') ?? 1);
      return sendPage(
        layout(
          `Calendar ${month}`,
          [`${TRAPS.calendar}?month=${month + 1}`, `${TRAPS.calendar}?month=${month - 1}`],
          'Events.',
        ),
      );
    }
    if (url.pathname === TRAPS.raw)
      return sendPage('# Raw markdown\n\nServed as markdown.\n', 'text/markdown; charset=utf-8');
    if (url.pathname === TRAPS.binary) return send(200, 'application/octet-stream', 'binary\u0000data');
    if (url.pathname === TRAPS.flaky && !flakyFailed) {
      flakyFailed = true;
      return send(503, 'text/plain', 'try again');
    }
    const page = html.get(path);
    if (page === undefined) return send(404, 'text/plain', 'not found');
    sendPage(page);
  }, options.delayMs);

  return {
    server,
    start: `${server.origin}/docs/`,
    pages: [...html.keys()],
    close: () => server.close(),
  };
}
