/**
 * bench:ui — the dashboard in headless Chromium (Debian's /usr/bin/chromium):
 * - first paint of the projects page and of a 1,000-task project's graph, against loading a
 *   static asset from the same server (the browser's own navigation cost, measured in the same run);
 * - event latency: a task's state changed in PostgreSQL (through the PM) → the page shows it,
 *   against the bare NOTIFY → EventSource delivery.
 * Usage: npm run bench:ui [-- --tasks 1000 --events 30]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { bosunPaths, silentLogger } from '../src/core/index.js';
import { openLake } from '../src/lake/index.js';
import { openAgentRegistry } from '../src/agents/index.js';
import { cancelTask, createProject, loadTemplateSet, planTasks, retryTask, type PmContext } from '../src/pm/index.js';
import { openLakeSearcher } from '../src/docs/index.js';
import { startDashboard } from '../src/ui/index.js';
import { benchDatabase, printTable, summarize } from './support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TASKS = arg('tasks', 1000);
const EVENTS = arg('events', 30);

const db = await benchDatabase();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-bench-ui-'));
const paths = bosunPaths(home);
const pm: PmContext = { pool: db.pool, logger: silentLogger, actor: 'bench' };
const lake = () => openLake({ pool: db.pool, dataPath: paths.lake, logger: silentLogger });
const catalog = loadTemplateSet(paths);

await createProject(pm, catalog, { slug: 'small', name: 'Small project' });
await planTasks(pm, 'small', [
  { key: 'a', title: 'First' },
  { key: 'b', title: 'Second', dependsOn: ['a'] },
]);
await createProject(pm, catalog, { slug: 'big', name: `${TASKS} tasks` });
// A layered DAG: ten tasks a layer, each depending on two of the layer before.
const drafts = Array.from({ length: TASKS }, (_, i) => {
  const layer = Math.floor(i / 10);
  const deps = layer ? [`t${(layer - 1) * 10 + (i % 10)}`, `t${(layer - 1) * 10 + ((i + 3) % 10)}`] : [];
  return { key: `t${i}`, title: `Task ${i}`, dependsOn: [...new Set(deps)] };
});
for (let i = 0; i < drafts.length; i += 500) await planTasks(pm, 'big', drafts.slice(i, i + 500));

const dashboard = await startDashboard({
  pool: db.pool,
  logger: silentLogger,
  paths,
  lake,
  pm: () => Promise.resolve(pm),
  registry: () => openAgentRegistry({ pool: db.pool, paths }),
  searcher: async () => openLakeSearcher({ pool: db.pool, lake: await lake(), client: 'bench' }),
});
const origin = new URL(dashboard.url).origin;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
await page.goto(dashboard.url);
await page.locator('tr[data-project=small]').waitFor();

async function paint(url: string, ready: string, runs: number): Promise<number[]> {
  const samples: number[] = [];
  await page.goto(url);
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await page.reload({ waitUntil: 'commit' });
    await page.locator(ready).first().waitFor({ timeout: 60_000 });
    samples.push(performance.now() - start);
  }
  return samples;
}

const RUNS = 5;
const asset = await paint(`${origin}/app.css`, 'pre, body', RUNS);
const projects = await paint(`${origin}/#/projects`, 'tr[data-project=big]', RUNS);
const graph = await paint(`${origin}/#/project/big`, `svg.graph a.node >> nth=${TASKS - 1}`, RUNS);

// How much of the graph's time is the API answer (the rest is layout and drawing in the page).
const api: number[] = [];
for (let i = 0; i < RUNS; i++) {
  api.push(
    await page.evaluate(async () => {
      const start = performance.now();
      await (await fetch('/api/projects/big')).json();
      return performance.now() - start;
    }),
  );
}

// Event latency on the small project's page: cancel and retry its first task, each a PM transaction.
await page.goto(`${origin}/#/project/small`);
await page.locator('svg.graph a.node').first().waitFor();
await page.evaluate(() => {
  const w = globalThis as unknown as { notices: number[]; source: EventSource };
  w.notices = [];
  w.source = new EventSource('/api/events');
  w.source.addEventListener('pm', () => w.notices.push(performance.now()));
});
const latency: number[] = [];
const delivery: number[] = [];
for (let i = 0; i < EVENTS; i++) {
  const cancelling = i % 2 === 0;
  const want = cancelling ? 'canceled' : 'ready';
  const before = await page.evaluate(() => (globalThis as unknown as { notices: number[] }).notices.length);
  const pageStart = await page.evaluate(() => performance.now());
  const t0 = performance.now();
  if (cancelling) await cancelTask(pm, 'small#1', 'bench');
  else await retryTask(pm, 'small#1');
  await page.locator(`svg.graph a.node[data-state=${want}]`).first().waitFor({ timeout: 10_000 });
  latency.push(performance.now() - t0);
  const noticeAt = await page.evaluate(
    (n) => (globalThis as unknown as { notices: number[] }).notices[n] ?? null,
    before,
  );
  if (noticeAt !== null) delivery.push(noticeAt - pageStart);
}

const row = (measure: string, samples: number[], baseline: number[], target: string) => {
  const s = summarize(samples);
  const b = summarize(baseline);
  return {
    measure,
    p50_ms: s.p50.toFixed(0),
    p95_ms: s.p95.toFixed(0),
    baseline_p50_ms: b.p50.toFixed(0),
    ratio: (s.p50 / b.p50).toFixed(2),
    target,
  };
};
printTable('bench:ui (headless Chromium)', [
  row('projects page: reload → table shown', projects, asset, '≤ 1000 ms'),
  row(`${TASKS}-task project: reload → graph drawn`, graph, asset, '≤ 2000 ms'),
  row(`  of which GET /api/projects/big`, api, asset, ''),
  row('task state change → page shows it', latency, delivery, 'p95 ≤ 250 ms'),
]);
console.log(
  `baseline for pages: reloading /app.css from the same server; for events: NOTIFY → EventSource in the page`,
);
console.log(`peak RSS (bench process, server included): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);

await browser.close();
await dashboard.close();
await db.close();
fs.rmSync(home, { recursive: true, force: true });
process.exit(0);
