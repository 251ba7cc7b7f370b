import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import { bosunPaths, percentile } from '../src/core/index.js';
import {
  createPool,
  ensureEmbeddedServer,
  migrate,
  readEmbeddedState,
  stopEmbeddedServer,
  type Pool,
} from '../src/db/index.js';
import { runCommand } from '../src/exec/index.js';
import { allMigrations } from '../src/migrations.js';

export interface BenchDatabase {
  url: string;
  pool: Pool;
  close(): Promise<void>;
}

/**
 * A throw-away, migrated database for a benchmark: a new database on BOSUN_DATABASE_URL's server
 * when set, else a fresh embedded server in a temporary home (stopped and removed at the end).
 */
export async function benchDatabase(poolSize = 20): Promise<BenchDatabase> {
  let adminUrl = process.env.BOSUN_DATABASE_URL;
  let cleanupServer = async () => {};
  if (!adminUrl) {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-bench-'));
    const paths = bosunPaths(home);
    adminUrl = (await ensureEmbeddedServer(paths)).url;
    cleanupServer = async () => {
      const state = readEmbeddedState(paths);
      await stopEmbeddedServer(paths);
      fs.rmSync(home, { recursive: true, force: true });
      if (state && !state.serverRoot.startsWith(home))
        fs.rmSync(path.dirname(state.serverRoot), { recursive: true, force: true });
    };
  }
  const name = `bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const pool = createPool(url, { max: poolSize });
  await migrate(pool, allMigrations);
  return {
    url,
    pool,
    async close() {
      await pool.end();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      await cleanupServer();
    },
  };
}

/** Runs `fn` and says how long it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

export function summarize(samples: readonly number[]): {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  n: number;
} {
  const s = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    n: s.length,
  };
}

/** Prints rows as an aligned table (benchmarks print tables, not prose). */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  const cols = Object.keys(rows[0] ?? {});
  const fmt = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c] ?? '').length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  console.log(`\n${title}`);
  console.log(line(cols));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => fmt(r[c] ?? ''))));
}

/** Peak resident memory of this process so far, in MB (the kernel's high-water mark). */
export const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

/**
 * Starts a bench site in a child process (through exec/), so that serving does not share the
 * measured client's event loop (a real site runs elsewhere). The script prints one JSON line
 * when it listens; that line comes back, with a way to stop the site.
 */
export async function startSiteProcess<T>(script: URL, args: string[]): Promise<T & { close: () => Promise<void> }> {
  const stop = new AbortController();
  let announced: (info: T) => void = () => undefined;
  const ready = new Promise<T>((resolve) => (announced = resolve));
  const running = runCommand(process.execPath, ['--import', 'tsx', fileURLToPath(script), ...args], {
    timeoutMs: 0,
    signal: stop.signal,
    onStdoutLine: (line) => announced(JSON.parse(line) as T),
  });
  const exitedEarly = running.then((r) => Promise.reject(new Error(`the bench site did not start: ${r.stderr}`)));
  exitedEarly.catch(() => undefined); // after a normal start, its exit on close is expected
  const info = await Promise.race([ready, exitedEarly]);
  return {
    ...info,
    close: async () => {
      stop.abort();
      await running;
    },
  };
}
