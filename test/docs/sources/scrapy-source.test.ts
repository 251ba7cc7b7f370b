import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBosun } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { startShopSite, type ShopSite } from '../../agents/shop-site.js';

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, any>);

// A user's Scrapy spider as a documentation source, through the built CLI (Scrapy and Bosun as real processes).
describe('bosun docs add --scrapy', { timeout: 240_000 }, () => {
  let db: TestDatabase;
  let home: string;
  let site: ShopSite;
  const bosun = (...args: string[]) => runBosun(args, { home, env: { BOSUN_DATABASE_URL: db.url } });

  beforeAll(async () => {
    db = await createTestDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-docs-scrapy-'));
    site = await startShopSite({ products: 12, perPage: 6 });
  });
  afterAll(async () => {
    await site?.close();
    await db?.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("syncs the spider's items (HTML and markdown pages) through the pipeline into one snapshot, searchable", async () => {
    const spider = path.join(home, 'catalogue_spider.py');
    fs.writeFileSync(
      spider,
      `import scrapy

class Catalogue(scrapy.Spider):
    name = "catalogue"
    start_urls = ["${site.start}"]

    def parse(self, response):
        for href in response.css("li.product h2 a::attr(href)").getall():
            yield response.follow(href, self.product)
        yield from response.follow_all(css="a.next", callback=self.parse)
        # A page of our own in markdown, and an item that is not a page at all.
        if response.url.endswith("page-1.html"):
            yield {"url": response.urljoin("/guide/care.md"), "title": "Caring for widgets",
                   "markdown": "## Cleaning\\n\\nWipe every widget with a dry cloth; never use solvent.\\n"}
            yield {"title": "no url"}

    def product(self, response):
        yield {"url": response.url, "title": response.css("h2.name::text").get(), "html": response.text}
`,
    );
    const added = await bosun('docs', 'add', 'catalogue', '--scrapy', spider, '--json');
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.json.source.spec).toEqual({ kind: 'scrapy', path: fs.realpathSync(spider) });

    const synced = await bosun('docs', 'sync', 'catalogue', '--json');
    expect(synced.exitCode, synced.stderr).toBe(0);
    const summary = jsonLines(synced.stdout).find((l) => l.event === 'summary')!;
    // 12 product pages and the markdown guide; the item without a url is a failed page, not a silent drop.
    expect(summary).toMatchObject({ pages: { added: 13, failed: 1 }, snapshotId: expect.any(Number) });

    const search = await bosun('docs', 'search', 'dry cloth solvent', '--library', 'catalogue', '--json');
    expect(search.exitCode, search.stderr).toBe(0);
    expect(search.json.hits[0]).toMatchObject({ path: 'guide/care.md', title: 'Caring for widgets' });
    const product = site.products[3]!;
    const found = await bosun('docs', 'search', product.sku, '--library', 'catalogue', '--json');
    expect(found.json.hits[0]).toMatchObject({ path: `product/${product.sku}.html`, title: product.name });
  });

  it('fails the sync, recording nothing, when the spider raises', async () => {
    const spider = path.join(home, 'broken_spider.py');
    fs.writeFileSync(spider, 'import scrapy\nraise ImportError("cannot import the site map")\n');
    expect((await bosun('docs', 'add', 'broken', '--scrapy', spider, '--json')).exitCode).toBe(0);
    const synced = await bosun('docs', 'sync', 'broken', '--json');
    expect(synced.exitCode).not.toBe(0);
    expect(synced.stdout + synced.stderr).toMatch(
      /broken_spider\.py exited with code \d+: Unable to load .*broken_spider\.py.*: cannot import the site map/,
    );
    const list = await bosun('docs', 'list', '--json');
    expect(list.json.libraries.find((l: { name: string }) => l.name === 'broken')).toMatchObject({ pages: 0 });
  });
});
