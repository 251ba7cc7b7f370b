import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/exec/index.js';
import { bosunBin, repoRoot, runBosun } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
const artifacts = path.join(repoRoot, 'test-artifacts', 'ui');

/** Flags from this machine's notes: no background traffic, which the closed network would refuse. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(!hasChromium)('bosun ui in headless Chromium (skipped without /usr/bin/chromium)', () => {
  let db: TestDatabase;
  let home: string;
  let browser: Browser;
  let ui: { url: string; origin: string; stop: () => void };
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  let cookie: { name: string; value: string; httpOnly: boolean } | null = null;
  const bosun = (...args: string[]) => runBosun(['--json', ...args], { home, env: { BOSUN_DATABASE_URL: db.url } });

  /** Starts a long-running CLI command and resolves with its first stdout line that parses as JSON. */
  function spawn(args: string[], onLine?: (line: string) => void) {
    const controller = new AbortController();
    const done = runCommand(process.execPath, [bosunBin, ...args], {
      env: { BOSUN_HOME: home, BOSUN_DATABASE_URL: db.url, BOSUN_LOG_LEVEL: 'warn' },
      timeoutMs: 300_000,
      signal: controller.signal,
      cwd: repoRoot,
      ...(onLine ? { onStdoutLine: onLine } : {}),
    });
    return { done, stop: () => controller.abort() };
  }

  async function openPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      if (host === '127.0.0.1' || host === 'localhost') return route.continue();
      foreignRequests.push(route.request().url());
      return route.abort();
    });
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    return page;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-ui-'));
    fs.mkdirSync(artifacts, { recursive: true });
    const docs = path.join(home, 'mini-docs');
    fs.mkdirSync(docs);
    fs.writeFileSync(
      path.join(docs, 'tides.md'),
      '# Tide tables\n\nHigh water at the harbour comes twice a day; the almanac lists each springtide.\n',
    );
    expect((await bosun('docs', 'add', 'mini', docs)).exitCode).toBe(0);
    expect((await bosun('docs', 'sync', 'mini')).exitCode).toBe(0);
    expect((await bosun('project', 'new', 'demo', '--name', 'Demo project')).exitCode).toBe(0);
    expect((await bosun('task', 'add', 'demo', 'Gather', '--skill', 'flow.join', '--key', 'gather')).exitCode).toBe(0);
    expect((await bosun('task', 'add', 'demo', 'Report', '--skill', 'flow.join', '--after', 'gather')).exitCode).toBe(
      0,
    );
    // A task for a person (a manual step): its result brings the artifacts the page shows.
    expect((await bosun('task', 'add', 'demo', 'Write it up', '--skill', 'docs.write', '--manual')).exitCode).toBe(0);

    let resolveUrl: (url: string) => void;
    const url = new Promise<string>((resolve) => (resolveUrl = resolve));
    const server = spawn(['ui', '--port', '0', '--json'], (line) => {
      const m = /"url":\s*"([^"]+)"/.exec(line);
      if (m) resolveUrl(m[1]!);
    });
    const first = await Promise.race([url, server.done.then((r) => Promise.reject(new Error(r.stderr)))]);
    ui = { url: first, origin: new URL(first).origin, stop: server.stop };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    ui?.stop();
    await db?.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('refuses a request without the session, with a foreign Origin or Host, and a POST without the CSRF token', async () => {
    expect((await fetch(`${ui.origin}/api/projects`)).status).toBe(401);
    const wrongToken = await fetch(`${ui.origin}/?token=not-the-token`, { redirect: 'manual' });
    expect(wrongToken.status).toBe(401);
    const foreign = await fetch(`${ui.origin}/api/projects`, {
      headers: { origin: 'http://127.0.0.1.attacker.example' },
    });
    expect(foreign.status).toBe(403);
    const port = new URL(ui.origin).port;
    const rebound = await runCommand(
      'curl',
      ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Host: attacker.example:${port}`, `${ui.origin}/`],
      {
        timeoutMs: 10_000,
      },
    );
    expect(rebound.stdout).toBe('403');
  });

  it('shows the projects, then the task graph changing state live as bosun worker runs the tasks', async () => {
    const page = await openPage();
    await page.goto(ui.url);
    await page.locator('tr[data-project=demo]').waitFor();
    cookie = (await page.context().cookies()).find((c) => c.name === 'bosun_ui') ?? null;
    expect(cookie?.httpOnly).toBe(true);
    expect(await page.locator('tr[data-project=demo] td.phase').textContent()).toBe('planning');
    await page.screenshot({ path: path.join(artifacts, 'projects.png') });

    // The one-time token was used: a second visit with it is refused, the cookie carries on.
    expect((await fetch(ui.url, { redirect: 'manual' })).status).toBe(401);

    await page.click('a[href="#/project/demo"]');
    await page.locator('svg.graph a.node').first().waitFor();
    await expect.poll(() => page.locator('svg.graph a.node').count()).toBe(3);
    expect(await page.locator('svg.graph .edge').count()).toBe(1);

    // Advance through the page itself: a POST with the CSRF token, through the lifecycle's guard.
    await page.click('text=advance to execution');
    await page.locator('h2 .phase-execution').waitFor({ timeout: 20_000 });

    const worker = spawn(['worker', '--concurrency', '2']);
    try {
      await page.locator('svg.graph a.node[data-state=completed]').nth(1).waitFor({ timeout: 90_000 });
    } finally {
      worker.stop();
    }
    // Charts are shown inline: the SVGs a result brings (the PM keeps artifacts in Bosun's home).
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#6ea8fe"/></svg>';
    const inside = path.join(home, 'artifacts', 'chart.svg');
    const outside = path.join(os.tmpdir(), `bosun-ui-outside-${process.pid}.svg`);
    fs.mkdirSync(path.dirname(inside), { recursive: true });
    fs.writeFileSync(inside, svg);
    fs.writeFileSync(outside, svg);
    const artifact = (name: string, file: string) => ({
      name,
      mediaType: 'image/svg+xml',
      path: file,
      sha256: crypto.createHash('sha256').update(svg).digest('hex'),
      bytes: Buffer.byteLength(svg),
    });
    const envelope = path.join(home, 'envelope.json');
    fs.writeFileSync(
      envelope,
      JSON.stringify({
        status: 'completed',
        summary: 'written up',
        outputs: {},
        artifacts: [artifact('chart.svg', inside), artifact('elsewhere.svg', outside)],
        metrics: {},
        handoffs: [],
      }),
    );
    expect((await bosun('task', 'claim', 'demo#3')).exitCode).toBe(0);
    expect((await bosun('task', 'complete', 'demo#3', '--result', envelope)).exitCode).toBe(0);
    await page.locator('img.artifact').nth(1).waitFor({ timeout: 20_000 });
    const drawn = page.locator('img.artifact[alt="chart.svg"]');
    await expect
      .poll(() => drawn.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(120);
    await expect
      .poll(() =>
        page
          .locator('img.artifact[alt="elsewhere.svg"]')
          .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      )
      .toBe(120);
    fs.rmSync(outside, { force: true });
    await page.screenshot({ path: path.join(artifacts, 'project-graph.png'), fullPage: true });

    await page.click('svg.graph a.node >> nth=0');
    await page.locator('h2 .state-completed').waitFor();
    expect(await page.locator('main').textContent()).toContain('flow.join');
    // The routing decision in words, and the attempt's log from its events, not raw JSON.
    expect(await page.locator('.routing .winner').textContent()).toMatch(/flow\.join.*runs automatically/);
    expect(await page.locator('.routing .reasons li').count()).toBeGreaterThan(0);
    const log = await page.locator('ol.run-log li').allTextContents();
    expect(log.some((l) => /run\.started\s+claimed by/.test(l))).toBe(true);
    expect(log.some((l) => /run\.finished\s+completed/.test(l))).toBe(true);
    await page.screenshot({ path: path.join(artifacts, 'task.png'), fullPage: true });
    await page.context().close();
  }, 180_000);

  it('searches the docs and reads a hit; runs a read-only lake query and shows a refused write', async () => {
    const page = await openPageWithSession();
    await page.goto(`${ui.origin}/#/docs`);
    await page.locator('tr[data-library=mini]').waitFor();
    await page.fill('input[name=q]', 'springtide almanac');
    await page.click('form.search button');
    await page.locator('ol.hits li a').first().waitFor();
    expect(await page.locator('ol.hits li a').first().textContent()).toContain('tides.md');
    await page.click('ol.hits li a');
    await page.locator('article.reader').waitFor();
    expect(await page.locator('article.reader').textContent()).toContain('High water');
    await page.screenshot({ path: path.join(artifacts, 'docs.png'), fullPage: true });

    await page.goto(`${ui.origin}/#/lake`);
    await page.fill('textarea[name=sql]', 'SELECT 40 + 2 AS answer');
    await page.click('form.sql button');
    await page.locator('table.result td').first().waitFor();
    expect(await page.locator('table.result td').first().textContent()).toBe('42');
    await page.fill('textarea[name=sql]', 'DELETE FROM docs.pages');
    await page.click('form.sql button');
    await page.locator('main p.error').waitFor();
    await page.screenshot({ path: path.join(artifacts, 'lake.png'), fullPage: true });
    await page.context().close();

    expect(consoleErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
    expect(foreignRequests).toEqual([]);
  }, 120_000);

  /** A page whose browser context already holds a session: the cookie from the first test's visit. */
  async function openPageWithSession(): Promise<Page> {
    const page = await openPage();
    if (!cookie) throw new Error('no session cookie: the projects test runs first and keeps it');
    await page.context().addCookies([{ name: cookie.name, value: cookie.value, url: ui.origin }]);
    return page;
  }
});
