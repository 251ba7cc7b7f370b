/**
 * bench:cli — the CLI as a user in a terminal meets it (issue 17): each command run cold, as a
 * new process, the way `bosun …` is typed, against `node -e 0` in the same run.
 *
 * A throw-away home with the embedded server: both shared corpora added and synced (the first
 * `docs sync --all`, with its peak RSS), then N cold runs each of --version, --help, docs list,
 * docs search --limit 5 (the index cache written by the first search after the sync, which is
 * timed on its own), `mcp docs` spawn → first search_docs answered, and a no-change
 * `docs sync --all`. Median and max wall time, peak RSS of the process (the kernel's
 * high-water mark), and the ratio of the median to node's.
 *
 *   npm run bench:cli [-- --runs 5] [-- --quick]     (--quick: 3 runs)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { bosunPaths, percentile } from '../src/core/index.js';
import { readEmbeddedState } from '../src/db/index.js';
import { runCommand } from '../src/exec/index.js';
import { printTable } from './support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bosunBin = path.resolve(here, '..', 'bin', 'bosun.js');
const CORPORA = path.resolve(process.env.BOSUN_CORPORA ?? '/work/shared/corpora');
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag >= 0 ? Number(process.argv[runsFlag + 1]) : process.argv.includes('--quick') ? 3 : 5;
const QUERY = 'how do I expire old snapshots';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-bench-cli-'));
const env = { BOSUN_HOME: home, BOSUN_DATABASE_URL: undefined, BOSUN_LOG_LEVEL: 'warn' };

interface Sample {
  ms: number;
  rssMiB: number;
}

/** One cold process under /usr/bin/time, which reports its peak RSS. */
async function cold(argv: string[]): Promise<Sample> {
  const started = performance.now();
  const res = await runCommand('/usr/bin/time', ['-f', 'bench-max-rss-kb %M', process.execPath, ...argv], {
    env,
    timeoutMs: 600_000,
  });
  const ms = performance.now() - started;
  const rss = /bench-max-rss-kb (\d+)/.exec(res.stderr);
  if (!res.ok || !rss) throw new Error(`${argv.join(' ')} failed (${res.exitCode}): ${res.stderr.slice(-800)}`);
  return { ms, rssMiB: Number(rss[1]) / 1024 };
}

const bosun = (...args: string[]) => cold([bosunBin, ...args]);

/** Spawn → the first search_docs answered, and the server's peak RSS then (from /proc). */
async function mcpFirstSearch(): Promise<Sample> {
  const started = performance.now();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bosunBin, 'mcp', 'docs'],
    env: { BOSUN_HOME: home, BOSUN_LOG_LEVEL: 'warn', PATH: process.env.PATH ?? '' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench-cli', version: '1' });
  await client.connect(transport);
  const result = await client.callTool({ name: 'search_docs', arguments: { query: QUERY, limit: 5 } });
  const ms = performance.now() - started;
  if (result.isError) throw new Error(`search_docs failed: ${JSON.stringify(result.content)}`);
  const status = transport.pid ? fs.readFileSync(`/proc/${transport.pid}/status`, 'utf8') : '';
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
  await client.close();
  return { ms, rssMiB: hwm ? Number(hwm[1]) / 1024 : NaN };
}

async function repeat(fn: () => Promise<Sample>): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await fn());
  return samples;
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const load = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');

try {
  const loadBefore = load();
  await bosun('up');
  for (const [name, dir] of [
    ['ducklake', path.join(CORPORA, 'ducklake-docs', 'docs')],
    ['mcp', path.join(CORPORA, 'mcp-docs', 'docs')],
  ] as const) {
    await bosun('docs', 'add', name, dir, '--versions-from', 'folders');
  }
  const firstSync = await bosun('docs', 'sync', '--all');
  const firstSearch = await bosun('docs', 'search', QUERY, '--limit', '5');

  const rows: { command: string; target: string; samples: Sample[] }[] = [];
  const node = await repeat(() => cold(['-e', '0']));
  rows.push({ command: 'node -e 0 (yardstick)', target: '', samples: node });
  rows.push({ command: 'bosun --version', target: '≤ 150 ms', samples: await repeat(() => bosun('--version')) });
  rows.push({ command: 'bosun --help', target: '≤ 150 ms', samples: await repeat(() => bosun('--help')) });
  rows.push({ command: 'bosun docs list', target: '≤ 400 ms', samples: await repeat(() => bosun('docs', 'list')) });
  rows.push({
    command: 'bosun docs search "…" --limit 5 (cold process)',
    target: '≤ 350 ms, ≤ 150 MiB',
    samples: await repeat(() => bosun('docs', 'search', QUERY, '--limit', '5')),
  });
  rows.push({
    command: 'bosun mcp docs: spawn → first search_docs',
    target: '≤ 800 ms',
    samples: await repeat(mcpFirstSearch),
  });
  rows.push({
    command: 'bosun docs sync --all (nothing changed)',
    target: '≤ 800 ms',
    samples: await repeat(() => bosun('docs', 'sync', '--all')),
  });
  rows.push({ command: 'first bosun docs sync --all (1 run)', target: '≤ 280 MiB', samples: [firstSync] });
  rows.push({
    command: 'first docs search after a sync (builds the cache; 1 run)',
    target: '',
    samples: [firstSearch],
  });

  const nodeMedian = median(node.map((s) => s.ms));
  printTable(
    `bench:cli — ${runs} cold runs each (median, max), peak RSS; ${os.cpus().length} cores`,
    rows.map((r) => {
      const ms = r.samples.map((s) => s.ms);
      return {
        command: r.command,
        'median ms': Math.round(median(ms)),
        'max ms': Math.round(Math.max(...ms)),
        '× node': Math.round((median(ms) / nodeMedian) * 10) / 10,
        'peak RSS MiB': Math.round(Math.max(...r.samples.map((s) => s.rssMiB))),
        target: r.target,
      };
    }),
  );
  console.log(`\nload average (1, 5, 15 min) before: ${loadBefore}; after: ${load()}`);
} finally {
  await bosun('down').catch(() => undefined);
  const state = readEmbeddedState(bosunPaths(home));
  fs.rmSync(home, { recursive: true, force: true });
  // As root the server's data lives outside the home (see db/embedded.ts).
  if (state && !state.serverRoot.startsWith(home))
    fs.rmSync(path.dirname(state.serverRoot), { recursive: true, force: true });
}
