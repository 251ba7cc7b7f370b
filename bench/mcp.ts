/**
 * bench:mcp — the docs MCP server as a client sees it (issue 6).
 *
 * 1. Both shared corpora go through the real pipeline into a throw-away database and lake.
 * 2. Spawn → completed `initialize` over stdio, for `bosun mcp docs` (all libraries), for one
 *    library, and for a server exported with `bosun docs export` (target ≤ 1 s); and spawn → the
 *    first search_docs answered, since the index loads after initialize is answered.
 * 3. search_docs round trips over stdio, one client, the questions of bench/questions as
 *    queries (target p50 ≤ 10 ms).
 * 4. Streamable HTTP: 50 clients calling search_docs as fast as they can for 20 s: requests/s,
 *    latency, errors (target: zero errors).
 *
 *   npm run bench:mcp [-- --clients 50] [-- --seconds 20] [-- --spawns 10] [-- --calls 300]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { silentLogger } from '../src/core/index.js';
import { addLibrary, syncLibrary } from '../src/docs/index.js';
import { parseQuestions } from '../src/docs/search/evaluate.js';
import { runCommand } from '../src/exec/index.js';
import { openLake } from '../src/lake/index.js';
import { exportLibrary } from '../src/mcp/export/index.js';
import { benchDatabase, printTable, summarize } from './support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bosunBin = path.resolve(here, '..', 'bin', 'bosun.js');
const CORPORA = path.resolve(process.env.BOSUN_CORPORA ?? '/work/shared/corpora');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const clients = flag('--clients', 50);
const seconds = flag('--seconds', 20);
const spawns = flag('--spawns', 10);
const calls = flag('--calls', 300);

const round = (n: number) => Math.round(n * 100) / 100;
/** Timings on a shared machine mean little without how busy it was. */
const printLoad = (when: string) =>
  console.log(
    `\nload average ${when} (1, 5, 15 min): ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(', ')}`,
  );

interface Query {
  query: string;
  library?: string;
}

async function loadQueries(): Promise<Query[]> {
  const queries: Query[] = [];
  for (const split of ['dev', 'test']) {
    const file = path.join(here, 'questions', `${split}.jsonl`);
    queries.push(
      ...parseQuestions(await fs.readFile(file, 'utf8'), file).map((q) => ({
        query: q.question,
        ...(q.library ? { library: q.library } : {}),
      })),
    );
  }
  return queries;
}

async function search(client: Client, q: Query): Promise<CallToolResult> {
  const result = (await client.callTool({ name: 'search_docs', arguments: { ...q } })) as CallToolResult;
  if (result.isError) throw new Error(JSON.stringify(result.content));
  return result;
}

/** Spawn → initialize, and spawn → a first search answered, `runs` times; the process is closed after each. */
async function timeStart(
  command: string,
  args: string[],
  env: Record<string, string>,
  runs: number,
  query: Query,
): Promise<{ initialize: number[]; search: number[] }> {
  const times = { initialize: [] as number[], search: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const client = new Client({ name: 'bench', version: '1' });
    await client.connect(new StdioClientTransport({ command, args, env, stderr: 'ignore' }));
    times.initialize.push(performance.now() - started);
    await search(client, query);
    times.search.push(performance.now() - started);
    await client.close();
  }
  return times;
}

/** Every client calls search_docs in a loop until the deadline. */
async function httpLoad(
  url: string,
  queries: readonly Query[],
): Promise<{ latencies: number[]; errors: number; elapsed: number }> {
  const connected = await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = new Client({ name: 'bench', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      return client;
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    connected.map(async (client, c) => {
      for (let i = c; performance.now() < deadline; i += clients) {
        const t = performance.now();
        try {
          await search(client, queries[i % queries.length]!);
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(connected.map((c) => c.close()));
  return { latencies, errors, elapsed };
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-bench-mcp-'));
  const env = { PATH: process.env.PATH ?? '', BOSUN_HOME: home, BOSUN_DATABASE_URL: db.url, BOSUN_LOG_LEVEL: 'warn' };
  const controller = new AbortController();
  try {
    const lake = await openLake({ pool: db.pool, dataPath: path.join(home, 'lake') });
    const ingest: Record<string, string | number>[] = [];
    for (const [name, root] of [
      ['ducklake', path.join(CORPORA, 'ducklake-docs', 'docs')],
      ['mcp', path.join(CORPORA, 'mcp-docs', 'docs')],
    ] as const) {
      await addLibrary(db.pool, { name, input: root, source: { versionsFrom: 'folders' } });
      const summary = await syncLibrary({ pool: db.pool, lake, workDir: home }, name);
      ingest.push({
        library: name,
        pages: summary.pages.added,
        chunks: summary.chunks.total,
        versions: summary.versions.length,
        'sync s': round(summary.durationMs / 1000),
      });
    }
    printTable('corpora (through the pipeline)', ingest);
    printLoad('before the timings');

    const exported = path.join(home, 'exported-ducklake');
    await exportLibrary(
      { pool: db.pool, lake, logger: silentLogger },
      { library: 'ducklake', outDir: exported, tokenBudget: 5000 },
    );
    const standaloneEnv = { PATH: env.PATH, HOME: home, BOSUN_DATABASE_URL: 'postgresql://127.0.0.1:1/nothing' };
    const queries = await loadQueries();
    const first = { query: 'snapshot isolation and time travel', library: 'ducklake' };
    const init = [
      {
        server: 'bosun mcp docs (all libraries)',
        times: await timeStart(process.execPath, [bosunBin, 'mcp', 'docs'], env, spawns, first),
      },
      {
        server: 'bosun mcp docs --library ducklake',
        times: await timeStart(
          process.execPath,
          [bosunBin, 'mcp', 'docs', '--library', 'ducklake'],
          env,
          spawns,
          first,
        ),
      },
      {
        server: 'exported ducklake (node <dir>)',
        times: await timeStart(process.execPath, [exported], standaloneEnv, spawns, first),
      },
    ];
    printTable(
      'spawn → initialize over stdio (target ≤ 1 s), and → the first search_docs answered',
      init.map(({ server, times }) => {
        const s = summarize(times.initialize);
        return {
          server,
          runs: s.n,
          'p50 ms': round(s.p50),
          'max ms': round(Math.max(...times.initialize)),
          'first search p50 ms': round(summarize(times.search).p50),
        };
      }),
    );

    const stdio = new Client({ name: 'bench', version: '1' });
    await stdio.connect(
      new StdioClientTransport({ command: process.execPath, args: [bosunBin, 'mcp', 'docs'], env, stderr: 'ignore' }),
    );
    for (const q of queries.slice(0, 20)) await search(stdio, q);
    const roundTrips: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      await search(stdio, queries[i % queries.length]!);
      roundTrips.push(performance.now() - t);
    }
    await stdio.close();
    const rt = summarize(roundTrips);
    printTable('search_docs round trip over stdio (target p50 ≤ 10 ms)', [
      {
        calls: rt.n,
        'p50 ms': round(rt.p50),
        'p95 ms': round(rt.p95),
        'p99 ms': round(rt.p99),
        'mean ms': round(rt.mean),
      },
    ]);

    let listening!: (url: string) => void;
    const url = new Promise<string>((resolve) => (listening = resolve));
    const server = runCommand(process.execPath, [bosunBin, 'mcp', 'docs', '--http', '--port', '0', '--json'], {
      env,
      timeoutMs: 0,
      signal: controller.signal,
      onStdoutLine: (line) => {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === 'listening' && event.url) listening(event.url);
      },
    });
    const load = await httpLoad(
      await Promise.race([url, server.then((r) => Promise.reject(new Error(r.stderr)))]),
      queries,
    );
    const h = summarize(load.latencies);
    printTable(`search_docs over Streamable HTTP, ${clients} clients for ${seconds} s (target: zero errors)`, [
      {
        requests: h.n,
        'req/s': round(h.n / load.elapsed),
        'p50 ms': round(h.p50),
        'p95 ms': round(h.p95),
        'p99 ms': round(h.p99),
        errors: load.errors,
      },
    ]);
    controller.abort();
    await server;
    printLoad('after the timings');
  } finally {
    controller.abort();
    await db.close();
    await fs.rm(home, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
