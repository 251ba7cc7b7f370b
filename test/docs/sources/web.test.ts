import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/core/index.js';
import { CHROMIUM_PATH, acquire, type SourceDocument } from '../../../src/docs/sources/index.js';
import { collect, previousOf, startServer } from './helpers.js';
import { TRAPS, startDocsSite, type DocsSite } from './site.js';

describe('web source: a generated 300-page documentation site', () => {
  let site: DocsSite;
  let first: SourceDocument[];
  const byPath = (docs: SourceDocument[]) =>
    new Map(docs.map((d) => [new URL(d.url as string).pathname + new URL(d.url as string).search, d]));

  beforeAll(async () => {
    site = await startDocsSite(300, { traps: true });
    first = await collect(acquire({ kind: 'web', url: site.start, concurrency: 6 }, { previous: new Map() }));
  }, 30_000);
  afterAll(() => site.close());

  it('returns every page in scope as raw HTML with its URL, path and validators', () => {
    expect(site.pages.length).toBeGreaterThanOrEqual(300);
    const got = byPath(first);
    for (const page of site.pages) {
      const doc = got.get(page);
      expect(doc, page).toBeDefined();
      expect(doc?.format).toBe('html');
      expect(doc?.content).toContain('<main>');
      expect(doc?.etag).toMatch(/^"[0-9a-f]{40}"$/);
      expect(doc?.lastModified).toBe('Mon, 05 Jan 2026 10:00:00 GMT');
    }
    expect(got.get('/docs/s3/g4/p1.html')?.path).toBe('s3/g4/p1.html'); // linked only, not in the sitemap
    expect(got.get('/docs/')?.path).toBe('index.html');
    expect(got.get(TRAPS.raw)?.format).toBe('markdown');
    // /docs/s0/ and /docs/s0/index.html are one page; so is a redirect onto a known page.
    const paths = first.map((d) => d.path);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('stays in scope, obeys robots.txt and skips assets and self-similar paths', () => {
    const requested = site.server.requests.map((r) => r.path);
    expect(requested.filter((p) => !p.startsWith('/docs/') && !/^\/(robots\.txt|sitemap(-\d)?\.xml)$/.test(p))).toEqual(
      [],
    );
    expect(requested).not.toContain(TRAPS.private);
    expect(requested).not.toContain(TRAPS.asset);
    expect(requested).not.toContain(TRAPS.repeating);
    expect(first.some((d) => d.url?.includes('example.invalid'))).toBe(false);
  });

  it('bounds the calendar trap and reports broken pages with their reason', () => {
    const calendar = first.filter((d) => d.path.startsWith('calendar'));
    expect(calendar.length).toBeGreaterThan(1);
    expect(calendar.length).toBeLessThanOrEqual(10);
    const got = byPath(first);
    expect(got.get(TRAPS.loop)?.error).toMatch(/redirect loop/);
    expect(got.get(TRAPS.missing)?.error).toBe('HTTP 404');
    expect(got.get(TRAPS.binary)?.error).toMatch(/unsupported content type 'application\/octet-stream'/);
    expect(got.get(TRAPS.flaky)?.content).toContain('Flaky'); // a 503, retried
  });

  it('re-crawls with previous validators: every page answers 304', async () => {
    site.server.reset();
    const previous = previousOf(first);
    const second = await collect(acquire({ kind: 'web', url: site.start, concurrency: 6 }, { previous }));
    const withContent = first.filter((d) => d.content !== undefined);
    const again = new Map(second.map((d) => [d.path, d]));
    for (const d of withContent) {
      expect(again.get(d.path)?.notModified, d.path).toBe(true);
      expect(again.get(d.path)?.content).toBeUndefined();
    }
    const pageAnswers = site.server.requests.filter((r) => !/^\/(robots\.txt|sitemap)/.test(r.path));
    expect(pageAnswers.filter((r) => r.status === 200)).toEqual([]);
    expect(pageAnswers.filter((r) => r.status === 304).length).toBe(withContent.length);
  }, 30_000);

  it('applies include/exclude, maxPages and maxDepth', async () => {
    const limited = await collect(acquire({ kind: 'web', url: site.start, maxPages: 25 }, { previous: new Map() }));
    expect(limited.length).toBeLessThanOrEqual(25);
    // Depth 0: the start page and the sitemap's pages in scope; group 4's pages are only linked.
    const shallow = await collect(
      acquire({ kind: 'web', url: `${site.server.origin}/docs/s2/`, maxDepth: 0 }, { previous: new Map() }),
    );
    const shallowPaths = shallow.map((d) => d.path);
    expect(shallowPaths).toContain('index.html');
    expect(shallowPaths).toContain('g4/index.html');
    expect(shallowPaths).toContain('g3/p0.html');
    expect(shallowPaths.filter((p) => p.startsWith('g4/p'))).toEqual([]);
    expect(shallow.every((d) => d.url?.startsWith(`${site.server.origin}/docs/s2/`))).toBe(true);
    const filtered = await collect(
      acquire({ kind: 'web', url: site.start, include: ['s1/**'], exclude: ['s1/g0/**'] }, { previous: new Map() }),
    );
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((d) => d.path.startsWith('s1/') && !d.path.startsWith('s1/g0/'))).toBe(true);
  }, 30_000);
});

describe('web source: politeness and limits', () => {
  it('never exceeds the concurrency limit or the request rate', async () => {
    const site = await startDocsSite(100, { delayMs: 25 });
    try {
      await collect(acquire({ kind: 'web', url: site.start, concurrency: 3 }, { previous: new Map() }));
      expect(site.server.maxConcurrent).toBeLessThanOrEqual(3);
      expect(site.server.maxConcurrent).toBeGreaterThanOrEqual(2);

      site.server.reset();
      const rate = 20;
      await collect(
        acquire({ kind: 'web', url: site.start, concurrency: 4, rate, maxPages: 30 }, { previous: new Map() }),
      );
      const times = site.server.requests.map((r) => r.at).sort((a, b) => a - b);
      expect(site.server.maxConcurrent).toBeLessThanOrEqual(4);
      const span = ((times.at(-1) as number) - (times[0] as number)) / 1000;
      expect((times.length - 1) / span).toBeLessThanOrEqual(rate * 1.1);
      // No one-second window holds more than rate + 1 request starts.
      for (const [i, t] of times.entries())
        expect(times.filter((u, j) => j >= i && u - t < 1000).length).toBeLessThanOrEqual(rate + 1);
    } finally {
      await site.close();
    }
  }, 20_000);

  it('crawls a 1,000-page local site at ≥ 50 pages/s with the default concurrency', async () => {
    const site = await startDocsSite(940);
    try {
      const started = performance.now();
      const docs = await collect(acquire({ kind: 'web', url: site.start }, { previous: new Map() }));
      const seconds = (performance.now() - started) / 1000;
      const rate = docs.length / seconds;
      console.log(`crawl throughput: ${docs.length} pages in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} pages/s`);
      expect(docs.length).toBe(site.pages.length);
      expect(docs.length).toBeGreaterThanOrEqual(1000);
      expect(rate).toBeGreaterThanOrEqual(50);
    } finally {
      await site.close();
    }
  }, 30_000);

  it('honours Retry-After, caps page size while streaming, and stops early without leaks', async () => {
    let busy = 0;
    const hits: number[] = [];
    const server = await startServer((req, res, url) => {
      if (url.pathname === '/robots.txt') return void res.writeHead(404).end();
      if (url.pathname === '/busy.html') {
        hits.push(performance.now());
        if (busy++ === 0) return void res.writeHead(429, { 'retry-after': '1' }).end();
        return void res.writeHead(200, { 'content-type': 'text/html' }).end('<p>ok</p>');
      }
      if (url.pathname === '/huge.html') {
        // No Content-Length: the cap must apply while reading.
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = 'x'.repeat(64 * 1024);
        let sent = 0;
        const write = (): void => {
          while (sent < 3 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', write);
          }
          res.end();
        };
        return write();
      }
      if (url.pathname === '/declared.html')
        return void res.writeHead(200, { 'content-type': 'text/html', 'content-length': '5000000' }).end();
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(Array.from({ length: 50 }, (_, i) => `<a href="/p${i}.html">${i}</a>`).join(''));
    });
    try {
      const [busyDoc] = await collect(
        acquire({ kind: 'web', url: `${server.origin}/busy.html`, maxPages: 1 }, { previous: new Map() }),
      );
      expect(busyDoc?.content).toBe('<p>ok</p>');
      expect((hits[1] as number) - (hits[0] as number)).toBeGreaterThanOrEqual(950);

      const [huge] = await collect(
        acquire(
          { kind: 'web', url: `${server.origin}/huge.html`, maxPages: 1, maxPageBytes: 1_000_000 },
          { previous: new Map() },
        ),
      );
      expect(huge?.error).toMatch(/^too large \(\d+ bytes > 1000000\)$/);
      const [declared] = await collect(
        acquire(
          { kind: 'web', url: `${server.origin}/declared.html`, maxPages: 1, maxPageBytes: 1_000_000 },
          { previous: new Map() },
        ),
      );
      expect(declared?.error).toBe('too large (5000000 bytes > 1000000)');

      let taken = 0;
      for await (const doc of acquire(
        { kind: 'web', url: `${server.origin}/`, concurrency: 2 },
        { previous: new Map() },
      )) {
        expect(doc.url).toBeDefined();
        if (++taken === 3) break;
      }
      expect(taken).toBe(3);
    } finally {
      await server.close();
    }
  }, 20_000);

  it('refuses a start URL outside its scope and a start page disallowed by robots.txt', async () => {
    const server = await startServer((_req, res, url) => {
      if (url.pathname === '/robots.txt')
        return void res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: BosunDocsBot\nDisallow: /\n');
      res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>');
    });
    try {
      await expect(
        collect(acquire({ kind: 'web', url: `${server.origin}/docs/`, scope: '/api/' }, { previous: new Map() })),
      ).rejects.toThrow(/outside the scope/);
      const docs = await collect(acquire({ kind: 'web', url: `${server.origin}/docs/` }, { previous: new Map() }));
      expect(docs).toEqual([expect.objectContaining({ path: 'index.html', error: 'disallowed by robots.txt' })]);
      expect(server.requests.map((r) => r.path)).toEqual(['/robots.txt']);
    } finally {
      await server.close();
    }
  });

  it('follows markdown links, takes versions from URL folders, and stops when the caller aborts', async () => {
    const pages: Record<string, string> = {
      '/docs/index.md': '# Docs\n\n- [v1](v1/guide.md)\n- [v2](/docs/v2/guide.md)\n- [Shared](shared.md#top)\n',
      '/docs/v1/guide.md': '# Guide 1\n',
      '/docs/v2/guide.md': '# Guide 2\n\n[back](../index.md)\n',
      '/docs/shared.md': '# Shared\n',
    };
    const server = await startServer((_req, res, url) => {
      const body = pages[url.pathname];
      if (body === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8' }).end(body);
    });
    try {
      const docs = await collect(
        acquire(
          { kind: 'web', url: `${server.origin}/docs/index.md`, versionsFrom: 'folders' },
          { previous: new Map() },
        ),
      );
      expect(docs.map((d) => `${d.version}:${d.path}`).sort()).toEqual([
        'v1:guide.md',
        'v1:index.md',
        'v1:shared.md',
        'v2:guide.md',
        'v2:index.md',
        'v2:shared.md',
      ]);
      expect(docs.every((d) => d.format === 'markdown')).toBe(true);

      const controller = new AbortController();
      const seen: string[] = [];
      const run = (async () => {
        for await (const doc of acquire(
          { kind: 'web', url: `${server.origin}/docs/index.md`, concurrency: 1 },
          { previous: new Map(), signal: controller.signal },
        )) {
          seen.push(doc.path);
          controller.abort();
        }
      })();
      await expect(run).rejects.toThrow(/abort/i);
      expect(seen).toEqual(['index.md']);
    } finally {
      await server.close();
    }
  });

  it('decodes the charset a page declares, in its header or in a meta tag', async () => {
    const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
    const server = await startServer((_req, res, url) => {
      if (url.pathname === '/robots.txt') return void res.writeHead(404).end();
      if (url.pathname === '/')
        return void res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<a href="/meta.html">m</a><a href="/header.html">h</a><a href="/wrong.html">w</a>');
      if (url.pathname === '/meta.html')
        return void res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(latin1('<meta charset="iso-8859-1"><p>Café</p>'));
      if (url.pathname === '/header.html')
        return void res
          .writeHead(200, { 'content-type': 'text/html; charset=windows-1252' })
          .end(latin1('<p>Crème</p>'));
      res.writeHead(200, { 'content-type': 'text/html' }).end(latin1('<p>Déjà</p>'));
    });
    try {
      const docs = new Map(
        (await collect(acquire({ kind: 'web', url: `${server.origin}/` }, { previous: new Map() }))).map((d) => [
          d.path,
          d,
        ]),
      );
      expect(docs.get('meta.html')?.content).toContain('Café');
      expect(docs.get('header.html')?.content).toBe('<p>Crème</p>');
      expect(docs.get('wrong.html')?.error).toBe('not valid UTF-8');
    } finally {
      await server.close();
    }
  });

  it('render: true needs Debian Chromium and says how to get it', async () => {
    const server = await startServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<div id="app"></div><script>document.getElementById("app").textContent = "rendered by script";</script>');
    });
    try {
      const run = collect(
        acquire({ kind: 'web', url: `${server.origin}/app/`, render: true, maxPages: 1 }, { previous: new Map() }),
      );
      if (existsSync(CHROMIUM_PATH)) {
        const [doc] = await run;
        expect(doc?.content).toContain('rendered by script');
      } else {
        const err = await run.catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BosunError);
        expect(err).toMatchObject({ code: 'TOOL_MISSING', hint: 'apt-get install -y chromium' });
        expect(server.requests).toEqual([]);
      }
    } finally {
      await server.close();
    }
  }, 30_000);
});
