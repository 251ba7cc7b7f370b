import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryPages, libraryVersions, pageLinks } from '../../src/docs/index.js';
import { readManifest, type Manifest } from '../../src/mcp/export/index.js';
import { runBosun } from '../support/cli.js';
import { answerTokens, buildDocsFixture, dataOf, textOf, type DocsFixture } from './docs-fixture.js';

/** Where PostgreSQL is not: the standalone server must never need it. */
const NO_DATABASE = 'postgresql://bosun:bosun@127.0.0.1:1/nothing';

describe('bosun docs export: a standalone docs server', () => {
  let f: DocsFixture;
  let work: string;
  let dir: string;
  let manifest: Manifest;
  let client: Client;

  const exportCli = (args: string[]) =>
    runBosun(['docs', 'export', ...args, '--json'], { home: f.home, env: { BOSUN_DATABASE_URL: f.db.url } });
  const call = async (name: string, args: Record<string, unknown>): Promise<CallToolResult> => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(answerTokens(result)).toBeLessThanOrEqual(manifest.token_budget);
    return result;
  };

  beforeAll(async () => {
    f = await buildDocsFixture();
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-export-'));
    dir = path.join(work, 'ducklake-server');
    const res = await exportCli(['ducklake', '--version', 'stable', '--out', dir]);
    expect(res.exitCode, res.stderr).toBe(0);
    manifest = readManifest(dir);
    // Run from an empty folder, with an empty home and a database URL that leads nowhere.
    const elsewhere = path.join(work, 'elsewhere');
    await fs.mkdir(elsewhere);
    client = new Client({ name: 'bosun-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [dir],
        cwd: elsewhere,
        env: {
          HOME: elsewhere,
          BOSUN_HOME: path.join(elsewhere, 'no-bosun'),
          BOSUN_DATABASE_URL: NO_DATABASE,
          PATH: process.env.PATH ?? '',
        },
        stderr: 'pipe',
      }),
    );
  }, 180_000);
  afterAll(async () => {
    await client?.close();
    await f?.close();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('writes a package: package.json, manifest, Parquet data and one bundled server', async () => {
    const pkg = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8'));
    const duckdbVersion = JSON.parse(
      await fs.readFile(path.resolve('node_modules/@duckdb/node-api/package.json'), 'utf8'),
    ).version;
    expect(pkg).toMatchObject({
      name: 'bosun-docs-ducklake',
      type: 'module',
      main: 'server.js',
      bin: { 'bosun-docs-ducklake': 'server.js' },
    });
    expect(pkg.dependencies).toEqual({ '@duckdb/node-api': duckdbVersion });
    const versions = await libraryVersions(f.db.pool, 'ducklake');
    const stable = versions.find((v) => v.version === 'stable')!;
    expect(manifest).toMatchObject({
      library: 'ducklake',
      description: 'DuckLake manual and specification',
      default_version: 'stable',
      versions: [{ version: 'stable', pages: stable.pages, chunks: stable.chunks, deprecated: false }],
      snapshot_id: await f.lake.latestSnapshotId(),
      last_sync: { status: 'succeeded' },
      counts: { pages: stable.pages, chunks: stable.chunks, chunk_terms: stable.chunks },
      duckdb: { package: '@duckdb/node-api', version: duckdbVersion },
    });
    expect(manifest.counts.links).toBeGreaterThan(100);
    for (const file of Object.values(manifest.files))
      expect((await fs.stat(path.join(dir, file))).size).toBeGreaterThan(0);
    const bundle = await fs.readFile(path.join(dir, 'server.js'), 'utf8');
    expect(bundle.startsWith('#!/usr/bin/env node')).toBe(true);
    // The acquisition side of docs/ (crawler, headless browser) stays out of the bundle.
    expect(bundle).not.toContain('playwright');
    expect(bundle.length).toBeLessThan(6_000_000);
    // Nothing installed beside it: on this machine DuckDB comes from the exporting installation.
    expect(existsSync(path.join(dir, 'node_modules'))).toBe(false);
    expect(existsSync(manifest.duckdb.fallback)).toBe(true);
  });

  it('serves the standard tools from its own files, with PostgreSQL unreachable', async () => {
    expect(client.getServerVersion()?.name).toBe('bosun-docs-ducklake');
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([
      'find_related',
      'get_outline',
      'list_libraries',
      'read_page',
      'search_docs',
    ]);
    const search = dataOf(await call('search_docs', { query: 'snapshot isolation and time travel' }));
    expect(search.searched).toEqual([{ library: 'ducklake', version: 'stable' }]);
    expect(search.snapshot_id).toBe(manifest.snapshot_id);
    expect(search.hits.length).toBeGreaterThan(0);
    expect(search.hits[0].citation).toMatch(/^ducklake@stable /);
    const page = dataOf(await call('read_page', { path: search.hits[0].path }));
    expect(page.text.length).toBeGreaterThan(50);
    const libraries = dataOf(await call('list_libraries', {}));
    expect(libraries.libraries).toEqual([
      expect.objectContaining({
        name: 'ducklake',
        default_version: 'stable',
        pages: manifest.counts.pages,
        chunks: manifest.counts.chunks,
        snapshot_id: manifest.snapshot_id,
      }),
    ]);
    const outline = dataOf(await call('get_outline', { depth: 1 }));
    expect(outline.entries.map((e: any) => e.name)).toEqual(['duckdb', 'index.md', 'specification']);
  });

  it('answers find_related from the exported links as PostgreSQL did', async () => {
    const page = 'specification/tables/ducklake_snapshot.md';
    const related = dataOf(await call('find_related', { path: page, direction: 'linked_from', max_tokens: 20_000 }));
    const links = await pageLinks(f.db.pool, 'ducklake', 'stable', page);
    expect(new Set(related.related.map((r: any) => r.path))).toEqual(new Set(links.incoming.map((l) => l.fromPath)));
  });

  it('lists and reads its pages as resources', async () => {
    const uris: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await client.listResources(cursor ? { cursor } : {});
      uris.push(...res.resources.map((r) => r.uri));
      cursor = res.nextCursor;
    } while (cursor);
    const stable = (await libraryPages(f.db.pool, 'ducklake')).filter((p) => p.version === 'stable');
    expect(uris.sort()).toEqual(stable.map((p) => `docs://ducklake/stable/${p.path}`).sort());
    const { contents } = await client.readResource({
      uri: 'docs://ducklake/stable/specification/tables/ducklake_snapshot.md',
    });
    expect((contents[0] as { text: string }).text).toContain('snapshot_id');
  });

  it('refuses unknown libraries and versions, and folders that hold something else; replaces an earlier export', async () => {
    const unknown = await exportCli(['nope', '--out', path.join(work, 'x')]);
    expect(unknown.exitCode).toBe(3);
    expect(unknown.json.error).toMatchObject({ code: 'NOT_FOUND', message: "no library named 'nope'" });
    const version = await exportCli(['ducklake', '--version', '9.9', '--out', path.join(work, 'x')]);
    expect(version.json.error).toMatchObject({ code: 'NOT_FOUND', hint: 'versions: stable, 0.4' });
    const busy = path.join(work, 'busy');
    await fs.mkdir(busy);
    await fs.writeFile(path.join(busy, 'notes.txt'), 'mine');
    const refused = await exportCli(['ducklake', '--out', busy]);
    expect(refused.json.error).toMatchObject({ code: 'CONFLICT' });
    expect(await fs.readFile(path.join(busy, 'notes.txt'), 'utf8')).toBe('mine');
    await fs.cp(dir, path.join(work, 'again'), { recursive: true });
    const replaced = await exportCli(['ducklake', '--version', '0.4', '--out', path.join(work, 'again')]);
    expect(replaced.json.manifest.versions.map((v: any) => v.version)).toEqual(['0.4']);
    expect(readManifest(path.join(work, 'again')).versions.map((v) => v.version)).toEqual(['0.4']);
    expect((await fs.readdir(work)).filter((e) => e.includes('.export-'))).toEqual([]);
  });
});
