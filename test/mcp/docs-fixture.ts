import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { countTokens } from '../../src/docs/chunk/index.js';
import { addLibrary, syncLibrary, type SyncSummary } from '../../src/docs/index.js';
import { runCommand, type RunResult } from '../../src/exec/index.js';
import { openLake, type Lake } from '../../src/lake/index.js';
import { bosunBin, repoRoot } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

export const CORPORA = '/work/shared/corpora';
const DUCKLAKE_DOCS = path.join(CORPORA, 'ducklake-docs', 'docs');
const MCP_DOCS = path.join(CORPORA, 'mcp-docs', 'docs');

/**
 * Two small libraries built through the real pipeline into a real database and lake:
 * - `ducklake`: two version folders (0.4 and stable) COPIED to a temp folder, so a test can add
 *   a page and sync again while a server runs;
 * - `mcp`: one specification version read in place from the shared corpus (include glob).
 * The home's lake folder is where a spawned `bosun` finds the lake.
 */
export interface DocsFixture {
  db: TestDatabase;
  home: string;
  /** The ducklake library's source folder (a copy: tests may add pages). */
  ducklakeSource: string;
  lake: Lake;
  synced: Record<'ducklake' | 'mcp', SyncSummary>;
  /** Environment for a spawned `bosun`. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Re-syncs a library through the pipeline (a new snapshot when something changed). */
  sync(library: string): Promise<SyncSummary>;
  close(): Promise<void>;
}

export async function buildDocsFixture(): Promise<DocsFixture> {
  const db = await createTestDatabase();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-mcp-'));
  const ducklakeSource = path.join(home, 'sources', 'ducklake');
  for (const version of ['0.4', 'stable'])
    await fs.cp(path.join(DUCKLAKE_DOCS, version), path.join(ducklakeSource, version), { recursive: true });
  const lake = await openLake({ pool: db.pool, dataPath: path.join(home, 'lake') });
  const deps = { pool: db.pool, lake, workDir: home };
  await addLibrary(db.pool, {
    name: 'ducklake',
    input: ducklakeSource,
    source: { versionsFrom: 'folders' },
    description: 'DuckLake manual and specification',
  });
  await addLibrary(db.pool, {
    name: 'mcp',
    input: MCP_DOCS,
    source: { versionsFrom: 'folders', include: ['specification/2025-11-25/**'] },
  });
  const synced = { ducklake: await syncLibrary(deps, 'ducklake'), mcp: await syncLibrary(deps, 'mcp') };
  return {
    db,
    home,
    ducklakeSource,
    lake,
    synced,
    env: (extra = {}) => ({
      PATH: process.env.PATH ?? '',
      BOSUN_HOME: home,
      BOSUN_DATABASE_URL: db.url,
      BOSUN_LOG_LEVEL: 'warn',
      ...extra,
    }),
    sync: (library) => syncLibrary(deps, library),
    async close() {
      await db.drop();
      await fs.rm(home, { recursive: true, force: true });
    },
  };
}

/** An SDK client talking to `bosun mcp docs …` over stdio. */
export async function stdioClient(
  fixture: DocsFixture,
  args: string[],
  env: Record<string, string> = {},
): Promise<Client> {
  const client = new Client({ name: 'bosun-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [bosunBin, 'mcp', 'docs', ...args],
      env: fixture.env(env),
      cwd: repoRoot,
      stderr: 'pipe',
    }),
  );
  return client;
}

export interface RunningServer {
  /** http://127.0.0.1:<port>/mcp */
  url: string;
  /** SIGTERM, then the exit. */
  stop(): Promise<RunResult>;
}

/** `bosun mcp docs --http --port 0 …` running until stopped; resolves once it listens. */
export async function httpServer(
  fixture: DocsFixture,
  args: string[],
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const controller = new AbortController();
  let listening!: (url: string) => void;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const exited = runCommand(process.execPath, [bosunBin, 'mcp', 'docs', '--http', '--port', '0', '--json', ...args], {
    env: { ...fixture.env(), ...env },
    cwd: repoRoot,
    timeoutMs: 0,
    signal: controller.signal,
    onStdoutLine: (line) => {
      const event = JSON.parse(line) as { event?: string; url?: string };
      if (event.event === 'listening' && event.url) listening(event.url);
    },
  });
  // Racing it also handles its rejection should the server exit later.
  const early = exited.then((r) => Promise.reject(new Error(`the server exited (${r.exitCode}): ${r.stderr}`)));
  return {
    url: await Promise.race([url, early]),
    stop: () => {
      controller.abort();
      return exited;
    },
  };
}

/** Tokens of a whole tool answer as the docs server counts them: structured content as JSON plus the text part. */
export function answerTokens(result: CallToolResult): number {
  return countTokens(JSON.stringify(result.structuredContent ?? {})) + countTokens(textOf(result));
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** The structured content, typed loosely for assertions. */
export function dataOf(result: CallToolResult): any {
  return result.structuredContent;
}
