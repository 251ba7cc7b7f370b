import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLibrary, libraryPages, pageLinks, syncLibrary, type SyncSummary } from '../../../src/docs/index.js';
import { startServer, type TestServer } from '../sources/helpers.js';
import { TRAPS, startDocsSite, type DocsSite } from '../sources/site.js';
import { openPipeline, type Pipeline } from './support.js';

/** A generated documentation site (≥ 300 pages, sitemap, robots.txt, ETags, traps) crawled through the whole pipeline. */
describe('crawling a documentation site through the pipeline', () => {
  let p: Pipeline;
  let site: DocsSite;
  let first: SyncSummary;
  const CONCURRENCY = 4;

  beforeAll(async () => {
    p = await openPipeline();
    site = await startDocsSite(300, { traps: true });
    await addLibrary(p.db.pool, { name: 'site', input: site.start, source: { concurrency: CONCURRENCY } });
    first = await syncLibrary(p.deps, 'site');
  }, 60_000);
  afterAll(async () => {
    await site?.close();
    await p?.close();
  });

  const isPageRequest = (path: string) => !/^\/(robots\.txt|sitemap(-\d)?\.xml)$/.test(path);

  it('stores every page in scope, and nothing robots.txt forbids or outside the scope', async () => {
    const rows = await p.query(`SELECT url, path, title FROM docs.pages WHERE library = 'site'`);
    const urls = new Set(rows.map((r) => new URL(String(r.url)).pathname));
    for (const page of site.pages) expect(urls.has(page) || urls.has(`${page}index.html`), page).toBe(true);
    expect(site.pages.length).toBeGreaterThanOrEqual(300);
    expect([...urls].filter((u) => !u.startsWith('/docs/'))).toEqual([]);
    expect(urls.has(TRAPS.private)).toBe(false);
    const requested = site.server.requests.map((r) => r.path);
    expect(requested).not.toContain(TRAPS.private);
    expect(requested).not.toContain(TRAPS.outOfScope);
    expect(site.server.maxConcurrent).toBeLessThanOrEqual(CONCURRENCY);
    const group = rows.find((r) => String(r.url).endsWith('/docs/s3/g4/p1.html'));
    expect(group).toMatchObject({ path: 's3/g4/p1.html', title: 'Page 3.4.1' });
    // A web page's source is its URL; its chunks' carry their section's anchor.
    const sources = await p.query(
      `SELECT p.url, p.source AS page_source, c.anchor, c.source FROM docs.pages p JOIN docs.chunks c USING (page_id)
        WHERE p.library = 'site' AND p.url LIKE '%/docs/s3/g4/p1.html'`,
    );
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) {
      expect(s.page_source).toBe(s.url);
      expect(s.source).toBe(s.anchor ? `${String(s.url).replace(/#.*$/, '')}#${String(s.anchor)}` : s.url);
    }
    expect(sources.some((s) => s.anchor)).toBe(true);
  });

  it('reports the traps as failures with their reasons and bounds the calendar', async () => {
    const reasons = Object.fromEntries(first.failures.map((f) => [new URL(String(f.url)).pathname, f.reason]));
    expect(reasons[TRAPS.loop]).toMatch(/redirect loop/);
    expect(reasons[TRAPS.missing]).toBe('HTTP 404');
    expect(reasons[TRAPS.binary]).toMatch(/unsupported content type/);
    expect(first.pages.failed).toBe(first.failures.length);
    const calendar = await p.query(
      `SELECT count(*) AS n FROM docs.pages WHERE library = 'site' AND url LIKE '%/docs/calendar%'`,
    );
    expect(Number(calendar[0]?.n)).toBeLessThanOrEqual(10);
    // The flaky page answered 503 once and was retried.
    expect(
      await p.query(`SELECT title FROM docs.pages WHERE library = 'site' AND url LIKE '%/docs/flaky.html'`),
    ).toEqual([{ title: 'Flaky' }]);
  });

  it('re-crawls with conditional requests: every page answers 304 and no snapshot is made', async () => {
    const before = await p.lake.latestSnapshotId();
    const held = (await libraryPages(p.db.pool, 'site')).filter((r) => r.contentHash !== null).length;
    site.server.reset();
    const again = await syncLibrary(p.deps, 'site');
    expect(again.snapshotId).toBeNull();
    expect(await p.lake.latestSnapshotId()).toBe(before);
    expect(again.pages).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: held });
    const answers = site.server.requests.filter((r) => isPageRequest(r.path));
    expect(answers.filter((r) => r.status === 304).length).toBe(held);
    // Only the failing pages are fetched in full again (they have no copy to validate).
    expect(answers.filter((r) => r.status === 200).map((r) => r.path)).toEqual([TRAPS.binary]);
  }, 30_000);
});

describe('cross-references between crawled pages', () => {
  let p: Pipeline;
  let server: TestServer;
  const html = (title: string, body: string) =>
    `<!doctype html><html><head><title>${title}</title></head><body><nav><a href="/guide/">Home</a></nav><main><h1>${title}</h1>${body}</main></body></html>`;
  const pages: Record<string, string> = {
    '/guide/': html(
      'Guide',
      '<p>Start with <a href="install.html">installing</a>, then <a href="/guide/usage/#flags">use it</a>. See also <a href="missing.html">a page that is gone</a> and <a href="https://elsewhere.invalid/x">elsewhere</a>.</p>',
    ),
    '/guide/install.html': html('Install', '<p>Back to <a href="./">the guide</a>.</p>'),
    '/guide/usage/': html('Usage', '<h2>Flags</h2><p>See <a href="../install.html#requirements">requirements</a>.</p>'),
  };

  beforeAll(async () => {
    p = await openPipeline();
    server = await startServer((_req, res, url) => {
      const body = pages[url.pathname];
      res.writeHead(body ? 200 : 404, { 'content-type': body ? 'text/html; charset=utf-8' : 'text/plain' });
      res.end(body ?? 'not found');
    });
    await addLibrary(p.db.pool, { name: 'guide', input: `${server.origin}/guide/`, source: {} });
    await syncLibrary(p.deps, 'guide');
  });
  afterAll(async () => {
    await server?.close();
    await p?.close();
  });

  it('resolves links by URL, keeps anchors, and flags in-scope URLs that are no page', async () => {
    const home = await pageLinks(p.db.pool, 'guide', 'latest', 'index.html');
    const byText = Object.fromEntries(home.outgoing.map((l) => [l.text, l]));
    expect(byText['installing']).toMatchObject({ kind: 'page', toPath: 'install.html' });
    expect(byText['use it']).toMatchObject({ kind: 'page', toPath: 'usage/index.html', toAnchor: 'flags' });
    expect(byText['a page that is gone']).toMatchObject({
      kind: 'broken',
      reason: 'no page at this URL in the crawled site',
    });
    expect(byText['elsewhere']).toMatchObject({ kind: 'external' });
    const usage = await pageLinks(p.db.pool, 'guide', 'latest', 'usage/index.html');
    expect(usage.outgoing).toEqual([
      expect.objectContaining({ kind: 'page', toPath: 'install.html', toAnchor: 'requirements' }),
    ]);
    const install = await pageLinks(p.db.pool, 'guide', 'latest', 'install.html');
    expect(install.incoming.map((l) => l.fromPath).sort()).toEqual(['index.html', 'usage/index.html']);
  });
});
