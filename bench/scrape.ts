/**
 * bench:scrape — web.scrape's crawler (Scrapy running Bosun's selector spider, through exec's
 * runner and the sandbox) against the generated shop on loopback with throttling off: pages/s and
 * items/s, item accuracy against the N products the shop is known to list (every field exact),
 * and peak memory. Baseline, in the same run: a plain fetch loop (Node's fetch, as many at once)
 * over the same pages, which fetches but extracts nothing. Target: ≥ 100 pages/s.
 *   npm run bench:scrape [-- --quick | --products N]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareItems } from '../src/agents/builtin/web/items.js';
import { packageRoot } from '../src/core/index.js';
import { runScrapySpider } from '../src/exec/index.js';
import { shopProducts } from '../test/agents/shop-site.js';
import { peakRssMb, printTable, startSiteProcess, timed } from './support.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, products: { type: 'string' } } });
const PRODUCTS = Number(values.products ?? (values.quick ? 200 : 1000));
const CONCURRENCY = 16;
const TARGET_PAGES_PER_S = 100;

interface SiteInfo {
  base: string;
  start: string;
  products: number;
  listingPages: number;
}

/** The baseline: every page of the crawl fetched with Node's fetch, CONCURRENCY at once, bodies read. */
async function fetchLoop(urls: readonly string[]): Promise<number> {
  let next = 0;
  let ok = 0;
  const worker = async () => {
    while (next < urls.length) {
      const res = await fetch(urls[next++]!);
      await res.text();
      if (res.ok) ok++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return ok;
}

const site = await startSiteProcess<SiteInfo>(new URL('./scrape-site.ts', import.meta.url), [String(PRODUCTS)]);
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-bench-scrape-'));
try {
  const config = path.join(dir, 'config.json');
  await fs.writeFile(
    config,
    JSON.stringify({
      start_urls: [site.start],
      allowed_domains: [],
      item: { selector: 'div.detail', fields: { sku: '.sku::text', name: 'h2.name::text', price: '.price::text' } },
      follow: ['li.product h2 a::attr(href)'],
      next_page: 'a.next::attr(href)',
    }),
  );
  const scrapy = await timed(() =>
    runScrapySpider({
      spiderFile: path.join(packageRoot(), 'src', 'agents', 'builtin', 'web', 'spider.py'),
      spiderArgs: { config },
      workDir: dir,
      limits: {
        maxPages: (PRODUCTS + site.listingPages) * 2,
        maxDepth: site.listingPages + 2,
        delayMs: 0,
        concurrency: CONCURRENCY,
        autothrottle: false,
        userAgent: 'bosun bench',
        crawlSeconds: 300,
        downloadTimeoutSeconds: 30,
        maxResponseBytes: 10 * 1024 * 1024,
      },
      timeoutMs: 360_000,
    }),
  );
  const run = scrapy.value;
  if (!run.ok || !run.stats) throw new Error(`the crawl failed: ${run.exception ?? run.stderrTail}`);
  const prepared = prepareItems(run.items, { fields: ['sku', 'name', 'price'], required: ['sku'], key: 'sku' });
  const expected = shopProducts(site.base, PRODUCTS);
  const bySku = new Map(prepared.rows.map((r) => [r.sku, r]));
  const exact = expected.filter((p) => {
    const row = bySku.get(p.sku);
    return row && row.name === p.name && row.price === p.price && row._url === p.url;
  }).length;
  const extra = prepared.rows.filter((r) => !expected.some((p) => p.sku === r.sku)).length;

  const urls = [
    ...Array.from({ length: site.listingPages }, (_, i) => `${site.base}/catalogue/page-${i + 1}.html`),
    ...expected.map((p) => p.url),
  ];
  const baseline = await timed(() => fetchLoop(urls));

  const crawlSeconds = Number(run.stats.elapsed_time_seconds);
  const wallSeconds = scrapy.ms / 1000;
  const cpuSeconds = Number(run.stats['bosun/cpu_seconds']);
  const pages = run.counts.pages;
  const items = prepared.rows.length;
  const scrapyRate = pages / crawlSeconds;
  const baselineRate = baseline.value / (baseline.ms / 1000);
  printTable(
    `bench:scrape — ${PRODUCTS} products, ${site.listingPages} listing pages, ${CONCURRENCY} requests at once, throttling off, loopback`,
    [
      {
        measure: 'scrapy, crawl (Scrapy elapsed)',
        pages,
        items,
        seconds: crawlSeconds,
        'pages/s': scrapyRate,
        'items/s': items / crawlSeconds,
        target: `>= ${TARGET_PAGES_PER_S} pages/s`,
        met: scrapyRate >= TARGET_PAGES_PER_S ? 'yes' : 'NO',
      },
      {
        measure: 'scrapy, whole run (process start to exit)',
        pages,
        items,
        seconds: wallSeconds,
        'pages/s': pages / wallSeconds,
        'items/s': items / wallSeconds,
      },
      {
        measure: 'baseline: Node fetch loop, same pages',
        pages: baseline.value,
        items: 0,
        seconds: baseline.ms / 1000,
        'pages/s': baselineRate,
      },
      { measure: 'ratio scrapy crawl / baseline', 'pages/s': scrapyRate / baselineRate },
      {
        // Wall-clock rates on a loaded machine reflect the load; CPU time does not.
        measure: 'scrapy, per CPU-second of the spider process',
        pages,
        items,
        seconds: cpuSeconds,
        'pages/s': pages / cpuSeconds,
        'items/s': items / cpuSeconds,
        target: `>= ${TARGET_PAGES_PER_S} pages/s`,
        met: pages / cpuSeconds >= TARGET_PAGES_PER_S ? 'yes' : 'NO',
      },
    ],
  );
  printTable('accuracy and memory', [
    {
      'exact items': `${exact}/${PRODUCTS}`,
      extra,
      duplicates: prepared.duplicates,
      invalid: prepared.invalid,
      'http errors': Object.values(run.counts.httpErrors).reduce((a, b) => a + b, 0),
      'scrapy peak RSS MB': Number(run.stats['memusage/max'] ?? 0) / 1024 / 1024,
      'bench peak RSS MB': peakRssMb(),
      met: exact === PRODUCTS && extra === 0 ? 'yes' : 'NO',
    },
  ]);
  console.log(`\nload average (1 min) during the run: ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} CPUs`);
} finally {
  await site.close();
  await fs.rm(dir, { recursive: true, force: true });
}
