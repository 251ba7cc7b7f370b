import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, type AgentRegistry, type ResultEnvelope } from '../../src/agents/index.js';
import type { Lake } from '../../src/lake/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';
import { SHOP_PATHS, startShopSite, type ShopSite } from './shop-site.js';

// Loose views of the outputs, for reading them in assertions.
type Outputs = Record<string, any>;

const catalogue = (site: ShopSite, extra: Record<string, unknown> = {}) => ({
  start_urls: [site.start],
  item: {
    selector: 'li.product',
    fields: {
      sku: './/span[@class="sku"]/text()',
      name: 'h2 a::text',
      price: '.price::text',
      url: 'h2 a::attr(href)',
    },
    required: ['name'],
  },
  next_page: 'a.next',
  follow: ['aside a::attr(href)'],
  delay_ms: 0,
  autothrottle: false,
  concurrency: 8,
  ...extra,
});

// Every case here is a real Scrapy process against a real site on 127.0.0.1 (a few seconds each on a busy machine).
describe('the web agent (Scrapy against a generated shop)', { timeout: 120_000 }, () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  let lake: Lake;
  let site: ShopSite;
  let scratch: string;
  let n = 0;
  const run = async (
    input: Record<string, unknown>,
    options: { cache?: boolean; signal?: AbortSignal; workDir?: string } = {},
  ) => {
    const workDir = options.workDir ?? path.join(scratch, `run-${++n}`);
    const envelope: ResultEnvelope = await executeAgent({
      registry,
      agentId: 'web',
      skillId: 'web.scrape',
      input,
      workDir,
      scope: 'tests',
      noCache: !options.cache,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { envelope, outputs: envelope.outputs as Outputs, workDir };
  };
  const rowsOf = (table: string, snapshot?: number) =>
    lake.withReader(snapshot === undefined ? {} : { snapshot }, async (conn) =>
      (await conn.runAndReadAll(`SELECT sku, name, price, url, _url FROM ${table} ORDER BY sku`)).getRowObjects(),
    );
  const tableNames = async () => (await lake.tables()).map((t) => t.name);

  beforeAll(async () => {
    f = await agentsFixture();
    registry = await f.open();
    lake = await registry.lake();
    site = await startShopSite({ products: 45, perPage: 10 });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-web-'));
  });
  afterAll(async () => {
    await site?.close();
    await f.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  let first: { snapshotId: number; workDir: string };

  it('crawls the catalogue: every product exact, pagination, robots.txt, a 500, non-HTML and a duplicate', async () => {
    const { envelope, outputs, workDir } = await run(catalogue(site, { output_table: 'shop', key: 'sku' }), {
      cache: true,
    });
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(outputs.table).toBe('scrape.shop');
    // 5 listing pages, the calendar's first day, the 500, the JSON and the PDF; robots.txt keeps out the clearance page.
    expect(outputs.counts).toMatchObject({
      pages: site.listingPages + 4,
      items: 45,
      scraped: 46,
      duplicates: 1,
      invalid: 0,
      nonHtml: 2,
      robotsForbidden: 1,
      errors: { byStatus: { '500': 1 }, byException: {}, spider: {} },
    });
    expect(site.hits.get(SHOP_PATHS.hidden)).toBeUndefined();
    expect(outputs.warnings).toEqual(
      expect.arrayContaining(['pages that failed: 1 × HTTP 500', '2 response(s) were not HTML and were skipped']),
    );
    expect(outputs.sandbox).toMatchObject({ network: 'allowed' });
    expect(outputs.sample).toHaveLength(5);

    const rows = await rowsOf('scrape.shop', outputs.snapshotId);
    // Page 2's malformed HTML (unquoted attributes, unclosed tags) included: all 45, exactly.
    expect(rows.map(({ _url, ...r }) => r)).toEqual(
      [...site.products].sort((a, b) => a.sku.localeCompare(b.sku)).map((p) => ({ ...p })),
    );
    expect(rows.every((r) => String(r._url).startsWith(`${site.base}/catalogue/page-`))).toBe(true);
    expect(rows.some((r) => r.sku === site.hidden[0]!.sku)).toBe(false);

    const csv = envelope.artifacts.find((a) => a.mediaType === 'text/csv')!;
    const records = parse(fs.readFileSync(csv.path!, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(45);
    expect(Object.keys(records[0]!)).toEqual(['_key', '_url', 'sku', 'name', 'price', 'url']);
    expect(records.find((r) => r.sku === 'SKU-00004')).toMatchObject({ name: 'Ergonomic Widget 4', price: '£8.48' });
    first = { snapshotId: outputs.snapshotId, workDir };
  });

  it('serves the same input from the cache, and a fresh run is a new snapshot that replaces the rows (time travel keeps the old)', async () => {
    const cached = await run(catalogue(site, { output_table: 'shop', key: 'sku' }), { cache: true });
    expect(cached.envelope.metrics.cacheHit).toBe(1);
    expect(cached.outputs.snapshotId).toBe(first.snapshotId);
    expect(fs.existsSync(cached.envelope.artifacts[0]!.path!)).toBe(true);

    const again = await run(catalogue(site, { output_table: 'shop', key: 'sku' }));
    expect(again.envelope.status).toBe('completed');
    expect(again.outputs.snapshotId).toBeGreaterThan(first.snapshotId);
    expect(await rowsOf('scrape.shop')).toHaveLength(45);
    expect(await rowsOf('scrape.shop', first.snapshotId)).toHaveLength(45);
    const snapshots = await lake.snapshots({ table: 'scrape.shop' });
    expect(snapshots.map((s) => s.id)).toEqual(expect.arrayContaining([first.snapshotId, again.outputs.snapshotId]));
  });

  it('holds its page limit on a site that never ends (the calendar trap)', async () => {
    const { envelope, outputs } = await run(
      catalogue(site, {
        follow: ['a::attr(href)'],
        max_pages: 12,
        max_depth: 50,
        concurrency: 2,
        output_table: 'trap',
      }),
    );
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(outputs.finishReason).toBe('closespider_pagecount');
    expect(outputs.warnings).toContain('stopped at the page limit (max_pages 12)');
    // Scrapy counts robots.txt among the 12 responses; in-flight requests may finish after the limit, never many more.
    expect(outputs.counts.pages).toBeGreaterThanOrEqual(11);
    expect(outputs.counts.pages).toBeLessThanOrEqual(12 + 4);
  });

  it('fails with a warning, and records nothing, when the item selector matches nothing', async () => {
    const { envelope, outputs } = await run({
      ...catalogue(site),
      item: { selector: 'div.no-such-thing', fields: { name: 'h2::text' } },
      follow: [],
      output_table: 'nothing',
    });
    expect(envelope.status).toBe('failed');
    expect(envelope.error).toMatchObject({ code: 'NO_ITEMS', retryable: false });
    expect(envelope.error!.message).toMatch(/the item selector "div.no-such-thing" found no items on 5 page/);
    expect(outputs.warnings[0]).toMatch(/^no items: check the item selector/);
    expect(outputs.counts).toMatchObject({ pages: 5, items: 0, pagesWithoutItems: 5 });
    expect(await tableNames()).not.toContain('scrape.nothing');
  });

  it('names the bad selector before crawling, and says when the host is unreachable', async () => {
    const bad = await run({ ...catalogue(site), item: { selector: 'li.product', fields: { price: 'p[' } } });
    expect(bad.envelope.error?.code).toBe('SPIDER_FAILED');
    expect(bad.envelope.error?.message).toMatch(/item\.fields\.price: 'p\[' is not a valid CSS selector/);

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await run({ ...catalogue(site), start_urls: [`http://127.0.0.1:${port}/`], output_table: 'down' });
    expect(down.envelope.status).toBe('failed');
    expect(down.envelope.error).toMatchObject({ code: 'FETCH_FAILED', retryable: true });
    expect(down.envelope.error!.message).toMatch(/no page could be fetched \(.*ConnectionRefusedError/);
    expect(await tableNames()).not.toContain('scrape.down');
  });

  it("runs a user's spider file sandboxed, with Bosun's limits over its own settings; a spider that raises fails", async () => {
    const workDir = path.join(scratch, 'own-spider');
    fs.mkdirSync(workDir, { recursive: true });
    fs.writeFileSync(
      path.join(workDir, 'hidden_deals.py'),
      `import scrapy

class Deals(scrapy.Spider):
    name = "deals"
    # Bosun's command-line settings outrank these: robots.txt is obeyed anyway.
    custom_settings = {"ROBOTSTXT_OBEY": False}

    def start_requests(self):
        yield scrapy.Request(self.base + "${SHOP_PATHS.hidden}")
        yield scrapy.Request(self.base + "/catalogue/page-3.html")

    def parse(self, response):
        for li in response.css("li.product"):
            yield {"sku": li.css(".sku::text").get(), "title": li.css("h2 a::text").get(), "url": response.url}
`,
    );
    const own = await run({ spider: 'hidden_deals.py', spider_args: { base: site.base }, key: 'sku' }, { workDir });
    expect(own.envelope.status, own.envelope.error?.message).toBe('completed');
    expect(own.outputs.table).toBe('scrape.hidden_deals');
    expect(own.outputs.counts).toMatchObject({ items: 10, robotsForbidden: 1 });
    expect(own.outputs.columns).toEqual(['_key', '_url', 'sku', 'title', 'url', '_scraped_at']);
    expect(own.outputs.sample[0]).toMatchObject({
      _key: 'SKU-00021',
      sku: 'SKU-00021',
      title: site.products[20]!.name,
    });

    fs.writeFileSync(path.join(workDir, 'broken.py'), 'import scrapy\nraise RuntimeError("no config for this site")\n');
    const broken = await run({ spider: 'broken.py' }, { workDir });
    expect(broken.envelope.error?.code).toBe('SPIDER_FAILED');
    expect(broken.envelope.error?.message).toMatch(/RuntimeError: no config for this site/);
  });

  it('commits nothing when the run is stopped mid-crawl', async () => {
    const slow = await startShopSite({ products: 400, perPage: 5, delayMs: 300 });
    try {
      const stop = new AbortController();
      const started = Date.now();
      const watching = setInterval(() => {
        // Stop once the crawl is under way (a few listing pages fetched).
        if ([...slow.hits.keys()].filter((p) => p.startsWith('/catalogue/')).length >= 3) stop.abort();
      }, 100);
      const { envelope } = await run(
        { ...catalogue(slow), follow: [], concurrency: 1, output_table: 'stopped' },
        { signal: stop.signal },
      );
      clearInterval(watching);
      expect(envelope.status).toBe('canceled');
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(await tableNames()).not.toContain('scrape.stopped');
    } finally {
      await slow.close();
    }
  });
});
