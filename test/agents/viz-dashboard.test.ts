import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, type AgentRegistry } from '../../src/agents/index.js';
import { sandboxSupport, which } from '../../src/exec/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

const chromium = await which('chromium');
const sandbox = await sandboxSupport();

describe.skipIf(!chromium)('the viz agent: viz.dashboard (needs Debian chromium)', { timeout: 300_000 }, () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  let scratch: string;

  beforeAll(async () => {
    f = await agentsFixture();
    registry = await f.open();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-dashboard-'));
    const lake = await registry.lake();
    await lake.createSchema('sales');
    await lake.createTable('sales.orders', {
      as: "SELECT 'north' AS region, 1 AS month, 1.5::DOUBLE AS amount",
    });
    await lake.append('sales.orders', {
      sql: "SELECT ['north', 'south', 'east'][1 + i % 3] AS region, 1 + i % 6 AS month, (i % 17)::DOUBLE AS amount FROM range(300) t(i)",
    });
  });
  afterAll(async () => {
    await f.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it.skipIf(!sandbox.bubblewrap.ok)(
    'builds a two-page Observable Framework site in the sandbox, offline, that draws in headless Chromium with the network blocked',
    async () => {
      const workDir = path.join(scratch, 'run');
      const envelope = await executeAgent({
        registry,
        agentId: 'viz',
        skillId: 'viz.dashboard',
        workDir,
        noCache: true,
        input: {
          title: 'Sales',
          data: { orders: { table: 'sales.orders' } },
          pages: [
            {
              title: 'By region',
              text: 'Revenue per region. A `${1 + 1}` here stays text.',
              charts: [{ data: 'orders', chart: { mark: 'bar', x: 'region', y: 'amount', aggregate: 'sum' } }],
              tables: [{ data: 'orders', limit: 5 }],
            },
            {
              title: 'By month',
              charts: [
                {
                  data: 'orders',
                  chart: { mark: 'line', x: 'month', y: 'amount', aggregate: 'mean', color: 'region' },
                },
                { data: 'orders', chart: { mark: 'bar', x: 'month', aggregate: 'count' } },
              ],
            },
          ],
        },
      });
      expect(envelope.status, envelope.error?.message).toBe('completed');
      const outputs = envelope.outputs as any;
      // The Framework build (and its DuckDB loaders) ran in exec's jail, with no network.
      expect(outputs.sandbox).toMatchObject({ isolation: 'bubblewrap', fs: 'jail', network: 'isolated' });
      expect(outputs.check.blocked).toEqual([]);
      expect(outputs.check.pages.map((p: any) => [p.path, p.svgElements >= 1, p.consoleErrors])).toEqual([
        ['/', true, []],
        ['/page-2', true, []],
      ]);
      // Two charts on the second page, one on the first.
      expect(outputs.check.pages[1].svgElements).toBeGreaterThanOrEqual(2);
      // vega-embed was bundled from node_modules in the jail, not left as a bare specifier.
      expect(fs.readdirSync(path.join(outputs.site, '_node')).filter((n) => n.startsWith('vega-embed@'))).toHaveLength(
        1,
      );
      const index = fs.readFileSync(path.join(outputs.site, 'index.html'), 'utf8');
      // Nothing the page loads comes from elsewhere (links to read are fine).
      expect(index.match(/<(script|link|img)[^>]+(src|href)="https?:[^"]*"/g) ?? []).toEqual([]);
      // The page text is shown as written, not evaluated by Framework as an inline expression.
      expect(index).toMatch(/A [^<]*\{1 \+ 1\}[^<]* here stays text\./);
      const loader = fs.readFileSync(path.join(outputs.project, 'src', 'data', 'index-chart-1.json.js'), 'utf8');
      expect(loader).toContain('read_parquet(');
      const shots = envelope.artifacts.filter((a) => a.mediaType === 'image/png');
      expect(shots.map((a) => a.name)).toEqual(['screenshots/index.png', 'screenshots/page-2.png']);
      for (const shot of shots) expect(shot.bytes).toBeGreaterThan(10_000);
      fs.copyFileSync(shots[1]!.path!, path.join(os.tmpdir(), 'bosun-dashboard-page-2.png'));
    },
  );

  it.skipIf(sandbox.bubblewrap.ok)('refuses to build unconfined where bubblewrap cannot work', async () => {
    const envelope = await executeAgent({
      registry,
      agentId: 'viz',
      skillId: 'viz.dashboard',
      workDir: path.join(scratch, 'no-sandbox'),
      noCache: true,
      input: {
        title: 'Sales',
        data: { orders: { table: 'sales.orders' } },
        pages: [{ title: 'By region', charts: [{ data: 'orders', chart: { mark: 'bar', x: 'region', y: 'amount' } }] }],
        check: false,
      },
    });
    expect(envelope.status).toBe('failed');
    expect(envelope.error?.code).toBe('SANDBOX_UNAVAILABLE');
  });
});
