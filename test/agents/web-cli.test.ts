import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/exec/index.js';
import { bosunBin, repoRoot, runBosun } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tempHome, waitFor } from '../pm/helpers.js';
import { startShopSite, type ShopSite } from './shop-site.js';

// The built CLI as real processes: `bosun agents run`, `bosun task run` and `bosun worker`, each running Scrapy.
describe('web.scrape through the CLI, the PM and the worker', { timeout: 240_000 }, () => {
  const home = tempHome();
  let db: TestDatabase;
  let site: ShopSite;
  const bosun = (...args: string[]) =>
    runBosun([...args, '--json'], { home: home.paths.home, env: { BOSUN_DATABASE_URL: db.url } });
  let inputFile: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    site = await startShopSite({ products: 25, perPage: 10 });
    inputFile = path.join(home.paths.home, 'scrape.json');
    fs.mkdirSync(home.paths.home, { recursive: true });
    fs.writeFileSync(
      inputFile,
      JSON.stringify({
        start_urls: [site.start],
        item: { selector: 'li.product', fields: { sku: '.sku::text', name: 'h2 a::text', price: '.price::text' } },
        key: 'sku',
        next_page: 'a.next::attr(href)',
        delay_ms: 0,
        autothrottle: false,
      }),
    );
  });
  afterAll(async () => {
    await site?.close();
    await db.drop();
    home.remove();
  });

  it('bosun agents run web web.scrape prints the envelope, with the CSV artifact and the table', async () => {
    const res = await bosun(
      'agents',
      'run',
      'web',
      'web.scrape',
      '--input-file',
      inputFile,
      '--input',
      'output_table=cli',
    );
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.json.envelope).toMatchObject({
      status: 'completed',
      outputs: {
        table: 'scrape.cli',
        counts: { pages: 3, items: 25, duplicates: 1 },
        columns: ['_key', '_url', 'sku', 'name', 'price', '_scraped_at'],
      },
    });
    const csv = res.json.envelope.artifacts.find((a: { mediaType: string }) => a.mediaType === 'text/csv');
    const lines = fs.readFileSync(csv.path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(26);
    const nine = site.products[8]!;
    expect(nine.name).toBe('Blue & Green Widget 9');
    expect(lines).toContain(`${nine.sku},${site.base}/catalogue/page-1.html,${nine.sku},${nine.name},${nine.price}`);

    const listed = await bosun('agents', 'list');
    expect(listed.json.find((a: { id: string }) => a.id === 'web')).toMatchObject({
      executor: 'builtin',
      available: true,
    });
    // On a machine without Scrapy (an empty PATH here), `agents check` names the Debian package.
    const bare = fs.mkdtempSync(path.join(home.paths.home, 'empty-path-'));
    const check = await runBosun(['agents', 'check', '--json'], {
      home: home.paths.home,
      env: { BOSUN_DATABASE_URL: db.url, PATH: bare },
    });
    expect(check.json.agents.find((a: { id: string }) => a.id === 'web')).toMatchObject({
      usable: false,
      automatic: true,
      missing: expect.arrayContaining([expect.objectContaining({ command: 'scrapy', package: 'python3-scrapy' })]),
    });
    expect(check.json.install).toContain('python3-scrapy');
  });

  it('a task runs through bosun task run, and the same task again through bosun worker from the cache', async () => {
    expect((await bosun('project', 'new', 'shop')).exitCode).toBe(0);
    const added = await bosun(
      'task',
      'add',
      'shop',
      'Scrape the shop catalogue',
      '--skill',
      'web.scrape',
      '--input-file',
      inputFile,
    );
    expect(added.json.task).toMatchObject({ ref: 'shop#1', agentId: 'web', route: { automatic: true } });
    await bosun('project', 'advance', 'shop');
    const ran = await bosun('task', 'run', 'shop#1');
    expect(ran.exitCode, ran.stderr).toBe(0);
    expect(ran.json.envelope).toMatchObject({ status: 'completed', outputs: { counts: { items: 25 } } });
    expect(ran.json.envelope.metrics.cacheHit).toBeUndefined();
    expect(ran.json.task).toMatchObject({ status: 'completed' });

    const stop = new AbortController();
    const worker = runCommand(process.execPath, [bosunBin, '--database-url', db.url, 'worker', '--concurrency', '1'], {
      env: { BOSUN_HOME: home.paths.home, BOSUN_LOG_LEVEL: 'warn' },
      cwd: repoRoot,
      timeoutMs: 0,
      signal: stop.signal,
    });
    try {
      await bosun('task', 'add', 'shop', 'Scrape it again', '--skill', 'web.scrape', '--input-file', inputFile);
      // Watched in the database (a `bosun` process per look would cost seconds each).
      await waitFor(
        'the worker to finish shop#2',
        async () => {
          const { rows } = await db.pool.query(
            `SELECT t.status FROM bosun.task t JOIN bosun.project p ON p.id = t.project_id
              WHERE p.slug = 'shop' AND t.number = 2`,
          );
          return ['completed', 'failed'].includes(rows[0]?.status) || undefined;
        },
        120_000,
      );
      const task = (await bosun('task', 'show', 'shop#2')).json.task;
      expect(task).toMatchObject({ status: 'completed', result: { outputs: { table: 'scrape.t_127_0_0_1' } } });
      expect(task.result.metrics.cacheHit).toBe(1);
      expect(task.result.outputs.counts).toEqual(ran.json.envelope.outputs.counts);
      const artifact = task.result.artifacts.find((a: { mediaType: string }) => a.mediaType === 'text/csv');
      expect(fs.readFileSync(artifact.path, 'utf8').trim().split('\n')).toHaveLength(26);
    } finally {
      stop.abort();
      await worker.catch(() => undefined);
    }
  });
});
