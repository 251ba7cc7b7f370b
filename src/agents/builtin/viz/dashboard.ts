import { existsSync, realpathSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BosunError } from '../../../core/index.js';
import { quoteLiteral } from '../../../lake/index.js';
import { artifactFromFile, completedEnvelope, failedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { checkSite } from './browser.js';
import { chartQuery, validatedSpec } from './chart.js';
import { columnsOf, withSource, type DataSource } from './data.js';
import type { CompactChart, VegaLiteSpec } from './spec.js';

/** viz.dashboard's input (agents/viz.yaml). */
export interface DashboardInput {
  title: string;
  /** Named data sets the pages' charts and tables read. */
  data: Record<string, DataSource>;
  pages: {
    title: string;
    text?: string;
    charts: { data: string; chart?: CompactChart; vega_lite?: VegaLiteSpec }[];
    tables?: { data: string; limit: number }[];
  }[];
  check: boolean;
}

const require = createRequire(import.meta.url);
/** Bosun's node_modules: the dashboard project links to it so Framework bundles vega-embed from disk, not a CDN. */
const nodeModules = path.resolve(path.dirname(require.resolve('vega-embed')), '..', '..');
/** System directories the sandbox always shows read-only (src/exec/sandbox.ts). */
const SYSTEM_DIRS = ['/usr/', '/bin/', '/sbin/', '/lib/', '/lib64/', '/opt/'];
/**
 * What the jailed build reads besides the system directories (all read-only): Bosun's
 * node_modules (Framework, rollup, esbuild, DuckDB, vega-embed; its real path, so a linked
 * node_modules is seen where the resolver ends up), the tsconfig.json beside it, and Node's own
 * install where that is outside the system directories (nvm, a tarball in /root…).
 *
 * The tsconfig.json is needed: Framework bundles a node import with rollup-plugin-esbuild, which
 * reads the nearest tsconfig.json of every file it transforms, and vega-util (under vega-embed)
 * ships one that `extends: "../../tsconfig.json"` — from node_modules/vega-util, the file beside
 * node_modules. Without it, get-tsconfig throws, Framework drops the failed import silently and
 * the page is left with a bare `import "vega-embed"` the browser cannot resolve.
 */
function buildReadOnly(): string[] {
  const paths = [nodeModules, path.join(path.dirname(nodeModules), 'tsconfig.json')];
  // bin/node's install (bin/, lib/…); a Node under /usr or /opt is in the jail already.
  const nodeBin = realpathSync(process.execPath);
  const nodePrefix = path.dirname(path.dirname(nodeBin));
  if (nodePrefix !== '/' && !SYSTEM_DIRS.some((dir) => nodeBin.startsWith(dir))) paths.push(nodePrefix);
  return paths.filter((p) => existsSync(p));
}
const frameworkCli = path.join(nodeModules, '@observablehq', 'framework', 'dist', 'bin', 'observable.js');
const duckdbModule = pathToFileURL(require.resolve('@duckdb/node-api')).href;

/**
 * npm: specifiers that Framework's own client and standard library import lazily (JSX, Plot,
 * d3, Arrow…). The build only resolves their versions, to rewrite the import URLs, and looks in
 * its cache before asking the npm registry: seeded with these, it builds with no network. The
 * pages Bosun writes never load them (vega-embed is bundled from node_modules instead).
 */
const LAZY_NPM_VERSIONS = [
  '@observablehq/plot@0.6.17',
  '@observablehq/sample-datasets@1.0.1',
  'apache-arrow@21.2.0',
  'arquero@8.0.3',
  'd3@7.9.2',
  'd3-dsv@3.0.2',
  'echarts@6.1.0',
  'htl@1.0.0',
  'leaflet@1.9.4',
  'lodash@4.18.1',
  'mapbox-gl@3.32.0',
  'parquet-wasm@0.8.0',
  'react@19.3.1',
  'react-dom@19.3.1',
  'topojson-client@3.1.0',
];

/** Titles and text are shown, never run: Framework evaluates `${…}` and ```js fences in markdown. */
const inert = (text: string) => text.replace(/[$`<>&]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A Framework data loader: at build time, DuckDB reads Bosun's Parquet file and prints the rows as JSON. */
function loaderSource(sql: string): string {
  return `// Written by Bosun's viz.dashboard: rows for one chart or table, read from Parquet with DuckDB at build time.
import { DuckDBInstance } from ${JSON.stringify(duckdbModule)};
const db = await DuckDBInstance.create(":memory:");
const reader = await (await db.connect()).runAndReadAll(${JSON.stringify(sql)});
process.stdout.write(JSON.stringify(reader.getRowObjectsJson()));
`;
}

function chartBlock(id: string, spec: VegaLiteSpec): string {
  return `<div class="bosun-chart" id="${id}"></div>

\`\`\`js
{
  const element = document.getElementById(${JSON.stringify(id)});
  const values = await FileAttachment(${JSON.stringify(`data/${id}.json`)}).json();
  vegaEmbed(element, { ...${JSON.stringify(spec)}, data: { values } }, { renderer: "svg", actions: false })
    .then(() => element.setAttribute("data-drawn", "ok"), (err) => { element.setAttribute("data-drawn", "failed"); console.error(err); });
}
\`\`\`
`;
}

function tableBlock(id: string): string {
  return `<div class="bosun-table" id="${id}"></div>

\`\`\`js
{
  const rows = await FileAttachment(${JSON.stringify(`data/${id}.json`)}).json();
  const table = document.createElement("table");
  const columns = Object.keys(rows[0] ?? {});
  table.createTHead().insertRow().append(...columns.map((c) => Object.assign(document.createElement("th"), { textContent: c })));
  const body = table.createTBody();
  for (const row of rows) body.insertRow().append(...columns.map((c) => Object.assign(document.createElement("td"), { textContent: String(row[c] ?? "") })));
  document.getElementById(${JSON.stringify(id)}).append(table);
}
\`\`\`
`;
}

/**
 * viz.dashboard: writes an Observable Framework project (a markdown page per dashboard page,
 * data loaders reading the Parquet files Bosun exported, vega-embed resolved from node_modules)
 * and builds it to a static site in the sandbox with no network; then, when asked, opens each
 * page in headless Chromium with all non-loopback requests refused and screenshots it.
 */
export async function buildDashboard(ctx: AgentContext, input: DashboardInput): Promise<ResultEnvelope> {
  const project = path.join(ctx.workDir, 'dashboard');
  const src = path.join(project, 'src');
  await fs.rm(project, { recursive: true, force: true });
  await fs.mkdir(path.join(src, 'data'), { recursive: true });
  await fs.mkdir(path.join(project, 'parquet'), { recursive: true });
  await fs.symlink(nodeModules, path.join(project, 'node_modules'), 'dir');
  for (const spec of LAZY_NPM_VERSIONS)
    await fs.mkdir(path.join(src, '.observablehq', 'cache', '_npm', spec), { recursive: true });

  ctx.progress({ message: 'exporting the data to Parquet' });
  const lake = await ctx.lake();
  const datasets = new Map<string, { file: string; columns: Awaited<ReturnType<typeof columnsOf>> }>();
  for (const [name, source] of Object.entries(input.data)) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name))
      throw new BosunError('INVALID_INPUT', `data set name ${name}: use letters, digits and _`);
    const file = path.join(project, 'parquet', `${name}.parquet`);
    const columns = await withSource(lake, ctx.workDir, source, async (conn, relation) => {
      await conn.run(`COPY (SELECT * FROM ${relation}) TO ${quoteLiteral(file)} (FORMAT parquet)`);
      return columnsOf(conn, relation);
    });
    datasets.set(name, { file, columns });
  }
  const dataset = (name: string, where: string) => {
    const found = datasets.get(name);
    if (!found)
      throw new BosunError(
        'INVALID_INPUT',
        `${where}: no data set '${name}'; the data sets are ${[...datasets.keys()].join(', ')}`,
      );
    return found;
  };

  const pagePaths: string[] = [];
  let charts = 0;
  for (const [p, page] of input.pages.entries()) {
    const slug = p === 0 ? 'index' : `page-${p + 1}`;
    pagePaths.push(p === 0 ? '/' : `/${slug}`);
    const blocks = [`# ${inert(page.title)}`, ...(page.text ? [inert(page.text)] : [])];
    for (const [c, chart] of page.charts.entries()) {
      const { file, columns } = dataset(chart.data, `pages[${p}].charts[${c}]`);
      const { sql, spec } = chartQuery(chart, `read_parquet(${quoteLiteral(file)})`, columns);
      const id = `${slug}-chart-${c + 1}`;
      await fs.writeFile(path.join(src, 'data', `${id}.json.js`), loaderSource(sql));
      blocks.push(chartBlock(id, validatedSpec(spec)));
      charts++;
    }
    for (const [t, table] of (page.tables ?? []).entries()) {
      const { file } = dataset(table.data, `pages[${p}].tables[${t}]`);
      const id = `${slug}-table-${t + 1}`;
      const sql = `SELECT * FROM read_parquet(${quoteLiteral(file)}) LIMIT ${table.limit}`;
      await fs.writeFile(path.join(src, 'data', `${id}.json.js`), loaderSource(sql));
      blocks.push(tableBlock(id));
    }
    // vega-embed is a node import (bare specifier): Framework bundles it from node_modules at build.
    blocks.unshift('```js\nimport vegaEmbed from "vega-embed";\n```\n');
    await fs.writeFile(path.join(src, `${slug}.md`), `${blocks.join('\n\n')}\n`);
  }
  const config = {
    title: input.title,
    root: 'src',
    pages: input.pages.map((page, p) => ({ name: page.title, path: p === 0 ? '/index' : `/page-${p + 1}` })),
    // The default stylesheet list is Google Fonts: an offline site uses the system's fonts.
    globalStylesheets: [],
    search: false,
    footer: 'Built by Bosun with Observable Framework.',
  };
  await fs.writeFile(
    path.join(project, 'observablehq.config.js'),
    `export default ${JSON.stringify(config, null, 2)};\n`,
  );

  ctx.progress({ message: `building ${input.pages.length} pages with Observable Framework` });
  // In exec's sandbox: the project folder is the only writable place, no network; the loaders
  // (DuckDB reading the Parquet files in the project) run in the same jail.
  const build = await ctx.exec.runSandboxed([process.execPath, frameworkCli, 'build'], {
    workDir: project,
    readOnly: buildReadOnly(),
    memoryMb: 16_384,
    timeoutMs: Math.max(1_000, ctx.timeoutMs - 30_000),
    signal: ctx.signal,
    maxOutputBytes: 256 * 1024,
    env: { HOME: project, NO_COLOR: '1', OBSERVABLE_TELEMETRY_DISABLE: 'true' },
  });
  const dist = path.join(project, 'dist');
  if (!build.ok) {
    const tail = `${build.stderr}\n${build.stdout}`.trim().split('\n').slice(-6).join(' | ');
    return failedEnvelope(
      {
        code: 'BUILD_FAILED',
        message: `Observable Framework could not build the dashboard: ${tail}`,
        retryable: false,
      },
      { outputs: { project, sandbox: build.sandbox } },
    );
  }
  // Framework logs a node import it could not bundle and goes on, leaving the bare specifier in
  // the page (which then never draws): a site without vega-embed is a failed build, said here.
  const bundled = await fs.readdir(path.join(dist, '_node')).catch(() => [] as string[]);
  if (!bundled.some((name) => name.startsWith('vega-embed@'))) {
    const errors = [...new Set(build.stderr.split('\n').filter((line) => /^\w*Error\b/.test(line.trim())))];
    return failedEnvelope(
      {
        code: 'BUILD_FAILED',
        message: `Observable Framework built the dashboard without bundling vega-embed from ${nodeModules}: ${errors.slice(0, 3).join(' | ') || 'no error was logged'}`,
        retryable: false,
      },
      { outputs: { project, sandbox: build.sandbox } },
    );
  }
  const pagesHtml = pagePaths.map((p) => path.join(dist, `${p === '/' ? 'index' : p.slice(1)}.html`));
  const artifacts = await Promise.all(
    pagesHtml.map((file) => artifactFromFile(file, 'text/html', path.relative(ctx.workDir, file))),
  );
  const outputs: Record<string, unknown> = { project, site: dist, pages: pagesHtml, sandbox: build.sandbox };
  const metrics: Record<string, number> = { pages: input.pages.length, charts, buildMs: build.durationMs };
  if (input.check) {
    const chromium = await ctx.exec.which('chromium');
    if (!chromium)
      throw new BosunError(
        'TOOL_MISSING',
        'check: chromium is not installed (apt-get install -y chromium), or pass check: false',
      );
    ctx.progress({ message: 'opening the pages in headless Chromium, offline' });
    const check = await checkSite(dist, pagePaths, path.join(ctx.workDir, 'screenshots'), {
      executablePath: chromium,
      timeoutMs: 60_000,
    });
    outputs.check = check;
    artifacts.push(
      ...(await Promise.all(
        check.pages.map((p) => artifactFromFile(p.screenshot, 'image/png', path.relative(ctx.workDir, p.screenshot))),
      )),
    );
    const broken = check.pages.filter((p) => p.consoleErrors.length || p.svgElements === 0);
    if (broken.length || check.blocked.length)
      return failedEnvelope(
        {
          code: 'DASHBOARD_BROKEN',
          message: `the built dashboard does not draw offline: ${[...broken.map((p) => `${p.path}: ${p.svgElements} SVG, errors ${p.consoleErrors.join('; ') || 'none'}`), ...check.blocked.map((u) => `requested ${u}`)].join('; ')}`,
          retryable: false,
        },
        { outputs, artifacts, metrics },
      );
  }
  return completedEnvelope({
    summary: `built a ${input.pages.length}-page dashboard with ${charts} chart${charts === 1 ? '' : 's'}${input.check ? ', checked offline in Chromium' : ''}`,
    outputs,
    artifacts,
    metrics,
  });
}
