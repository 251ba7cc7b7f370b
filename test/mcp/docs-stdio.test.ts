import fs from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as SdkClient } from '@modelcontextprotocol/sdk/client/index.js';
import { libraryPages, pageLinks } from '../../src/docs/index.js';
import { runCommand } from '../../src/exec/index.js';
import { bosunBin, repoRoot } from '../support/cli.js';
import { MAX_QUERY_CHARS, PAGE_URI_TEMPLATE, RESOURCES_PER_PAGE, TOKEN_CEILING } from '../../src/mcp/docs/index.js';
import { answerTokens, buildDocsFixture, dataOf, stdioClient, textOf, type DocsFixture } from './docs-fixture.js';

const BUDGET = 5000;
const TOOLS = ['find_related', 'get_outline', 'list_libraries', 'read_page', 'search_docs'];

describe('the docs MCP server over stdio', () => {
  let f: DocsFixture;
  /** `bosun mcp docs --library ducklake`: named after it, tools default to it. */
  let one: Client;
  /** `bosun mcp docs`: every library. */
  let all: Client;

  /** Any answer, checked against the budget. */
  const answer = async (
    client: Client,
    name: string,
    args: Record<string, unknown>,
    budget = BUDGET,
  ): Promise<CallToolResult> => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    expect(answerTokens(result)).toBeLessThanOrEqual(budget);
    return result;
  };
  /** A successful answer. */
  const call = async (
    client: Client,
    name: string,
    args: Record<string, unknown>,
    budget = BUDGET,
  ): Promise<CallToolResult> => {
    const result = await answer(client, name, args, budget);
    expect(result.isError, textOf(result)).toBeFalsy();
    return result;
  };
  /** A tool error's text. */
  const failure = async (client: Client, name: string, args: Record<string, unknown>): Promise<string> => {
    const result = await answer(client, name, args);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    return textOf(result);
  };

  beforeAll(async () => {
    f = await buildDocsFixture();
    [one, all] = await Promise.all([stdioClient(f, ['--library', 'ducklake']), stdioClient(f, [])]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([one?.close(), all?.close()]);
    await f?.close();
  });

  it('is named after its one library and offers the five standard tools, each with input and output schemas', async () => {
    expect(one.getServerVersion()?.name).toBe('bosun-docs-ducklake');
    expect(all.getServerVersion()?.name).toBe('bosun-docs');
    expect(one.getInstructions()).toContain('ducklake');
    for (const client of [one, all]) {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
      for (const t of tools) {
        expect(t.inputSchema.type).toBe('object');
        expect(t.outputSchema?.type).toBe('object');
        expect(t.annotations?.readOnlyHint).toBe(true);
        expect(t.description!.length).toBeGreaterThan(40);
      }
    }
    const search = (await one.listTools()).tools.find((t) => t.name === 'search_docs')!;
    expect(search.inputSchema.required).toEqual(['query']);
    expect((search.inputSchema.properties as any).max_tokens.maximum).toBe(TOKEN_CEILING);
    expect((search.inputSchema.properties as any).query.maxLength).toBe(MAX_QUERY_CHARS);
  });

  describe('search_docs', () => {
    it('returns hits of the default version with citations, text and the snapshot, within the budget', async () => {
      const result = await call(one, 'search_docs', { query: 'snapshot isolation and time travel' });
      const data = dataOf(result);
      expect(data.searched).toEqual([{ library: 'ducklake', version: 'stable' }]);
      expect(data.hits.length).toBeGreaterThan(0);
      expect(data.hits.length).toBeLessThanOrEqual(5);
      expect(data.snapshot_id).toBe(Math.max(f.synced.ducklake.snapshotId!, f.synced.mcp.snapshotId!));
      for (const [i, hit] of data.hits.entries()) {
        expect(hit).toMatchObject({ rank: i + 1, library: 'ducklake', version: 'stable' });
        expect(hit.chunk_id).toMatch(/^[0-9a-f]{24}$/);
        expect(hit.citation).toBe([`ducklake@stable ${hit.path}`, ...hit.heading_path].join(' › '));
        expect(hit.text.length).toBeGreaterThan(20);
        expect(textOf(result)).toContain(`[${hit.rank}] ${hit.citation}`);
      }
      expect(textOf(result)).toContain('read_page');
    });

    it('filters by version and path prefix, and honours limit', async () => {
      const old = dataOf(await call(one, 'search_docs', { query: 'data file', version: '0.4', limit: 8 }));
      expect(old.searched).toEqual([{ library: 'ducklake', version: '0.4' }]);
      // Whole-page hits can be large: the default budget keeps fewer, and says how many it left out.
      expect(old.hits.length).toBeLessThanOrEqual(8);
      expect(old.hits.length + old.omitted).toBeGreaterThan(5);
      expect(old.hits.every((h: any) => h.version === '0.4')).toBe(true);
      const spec = dataOf(
        await call(one, 'search_docs', { query: 'data file', path_prefix: 'specification/tables/', limit: 3 }),
      );
      expect(spec.hits.length).toBe(3);
      expect(spec.hits.every((h: any) => h.path.startsWith('specification/tables/'))).toBe(true);
    });

    it('fits a small max_tokens by leaving hits out, and says so', async () => {
      const wide = await call(one, 'search_docs', { query: 'table columns snapshot', limit: 20, max_tokens: 400 }, 400);
      const data = dataOf(wide);
      expect(data.omitted).toBeGreaterThan(0);
      expect(textOf(wide)).toMatch(/more hit\(s\) did not fit the token budget/);
      const big = await call(
        one,
        'search_docs',
        { query: 'table columns snapshot', limit: 20, max_tokens: 20_000 },
        20_000,
      );
      expect(dataOf(big).hits.length).toBeGreaterThan(data.hits.length);
    });

    it('searches every library when the server serves them all', async () => {
      const data = dataOf(await call(all, 'search_docs', { query: 'snapshot' }));
      expect(data.searched).toEqual([
        { library: 'ducklake', version: 'stable' },
        { library: 'mcp', version: '2025-11-25' },
      ]);
      const mcp = dataOf(await call(all, 'search_docs', { query: 'tools/call isError', library: 'mcp' }));
      expect(mcp.hits[0].library).toBe('mcp');
      expect(mcp.hits.some((h: any) => /tools/.test(h.path))).toBe(true);
    });

    it('answers unknown libraries and versions with the known ones', async () => {
      expect(await failure(one, 'search_docs', { query: 'x', library: 'mcp' })).toMatch(
        /error\[NOT_FOUND\]: unknown library 'mcp'\nnext: libraries: ducklake$/,
      );
      expect(await failure(all, 'search_docs', { query: 'x', library: 'nope' })).toMatch(
        /unknown library 'nope'[\s\S]*libraries: ducklake, mcp/,
      );
      expect(await failure(one, 'search_docs', { query: 'x', version: '9.9' })).toMatch(
        /no indexed version '9.9'[\s\S]*versions: stable, 0\.4/,
      );
    });
  });

  describe('read_page', () => {
    it('reads a page by path, with or without its extension, and lists its sections', async () => {
      const page = dataOf(await call(one, 'read_page', { path: 'specification/tables/ducklake_snapshot.md' }));
      expect(page).toMatchObject({
        library: 'ducklake',
        version: 'stable',
        path: 'specification/tables/ducklake_snapshot.md',
        section: null,
        offset: 0,
        next_offset: null,
      });
      expect(page.uri).toBe('docs://ducklake/stable/specification/tables/ducklake_snapshot.md');
      // Where the file is in its source: the version folder that `path` leaves out.
      expect(page.source).toBe('stable/specification/tables/ducklake_snapshot.md');
      expect(page.text).toContain('snapshot_id');
      const short = dataOf(await call(one, 'read_page', { path: '/specification/tables/ducklake_snapshot' }));
      expect(short.text).toBe(page.text);
      const old = dataOf(
        await call(one, 'read_page', { path: 'specification/tables/ducklake_snapshot.md', version: '0.4' }),
      );
      expect(old.version).toBe('0.4');
    });

    it("reads a search hit's section by its chunk id", async () => {
      const hit = dataOf(await call(one, 'search_docs', { query: 'DROP TABLE end_snapshot', limit: 1 })).hits[0];
      const section = dataOf(await call(one, 'read_page', { path: hit.chunk_id }));
      expect(section.path).toBe(hit.path);
      expect(hit.source).toBe(`${hit.version}/${hit.path}`);
      expect(section.source).toBe(hit.source);
      expect(section.section).toEqual(hit.heading_path);
      expect(section.text).toContain(hit.text.split('\n')[0]);
    });

    it('pages through a long page by next_offset, each part within the budget', async () => {
      const budget = 1500;
      const parts: any[] = [];
      let offset: number | null = 0;
      while (offset !== null && parts.length < 200) {
        const part = dataOf(
          await call(
            all,
            'read_page',
            { library: 'mcp', path: 'specification/schema.mdx', offset, max_tokens: budget },
            budget,
          ),
        );
        parts.push(part);
        offset = part.next_offset;
      }
      expect(offset).toBeNull();
      expect(parts.length).toBeGreaterThan(5);
      expect(parts.map((p) => p.offset)).toEqual([...parts.map((p) => p.offset)].sort((a, b) => a - b));
      expect(new Set(parts.map((p) => p.offset)).size).toBe(parts.length);
      expect(parts[0].sections_omitted + parts[0].sections.length).toBeGreaterThan(50);
    });

    it('reads one section', async () => {
      const section = dataOf(await call(one, 'read_page', { path: 'specification/queries.md', section: 'DROP TABLE' }));
      expect(section.section.at(-1)).toBe('DROP TABLE');
      expect(section.text).toContain('end_snapshot');
      expect(await failure(one, 'read_page', { path: 'specification/queries.md', section: 'No Such Heading' })).toMatch(
        /has no section 'No Such Heading'[\s\S]*next: sections: /,
      );
    });

    it('answers an unknown path with the nearest pages, and a climbing path plainly', async () => {
      const text = await failure(one, 'read_page', { path: 'specification/tables/ducklake_snapshots.md' });
      expect(text).toMatch(
        /error\[NOT_FOUND\]: ducklake@stable has no page or chunk 'specification\/tables\/ducklake_snapshots\.md'\nnext: nearest matches: .*specification\/tables\/ducklake_snapshot\.md/,
      );
      for (const path of [
        '../../etc/passwd',
        'specification/../../../etc/passwd',
        '%2e%2e/%2E%2E/etc/passwd',
        '..\\..\\windows',
      ]) {
        expect(await failure(one, 'read_page', { path })).toMatch(
          /error\[INVALID_INPUT\]: .* climbs out of the library/,
        );
      }
      expect(await failure(one, 'search_docs', { query: 'x', path_prefix: '../' })).toMatch(/climbs out/);
    });

    it('needs a library on a server of several, and says which', async () => {
      expect(await failure(all, 'read_page', { path: 'index.md' })).toMatch(
        /name the library[\s\S]*one of: ducklake, mcp/,
      );
    });
  });

  describe('list_libraries', () => {
    it('shows versions, counts, the default and freshness of the libraries served', async () => {
      const data = dataOf(await call(one, 'list_libraries', {}));
      const pages = await libraryPages(f.db.pool, 'ducklake');
      expect(data.libraries).toHaveLength(1);
      expect(data.libraries[0]).toMatchObject({
        name: 'ducklake',
        description: 'DuckLake manual and specification',
        default_version: 'stable',
        pages: pages.length,
        chunks: f.synced.ducklake.chunks.total,
        last_sync: { status: 'succeeded' },
        snapshot_id: f.synced.ducklake.snapshotId,
      });
      expect(data.libraries[0].versions.map((v: any) => v.version)).toEqual(['stable', '0.4']);
      expect(data.libraries[0].versions.map((v: any) => v.pages)).toEqual(
        ['stable', '0.4'].map((v) => pages.filter((p) => p.version === v).length),
      );
      expect(Date.parse(data.libraries[0].last_sync.at)).toBeGreaterThan(Date.now() - 3_600_000);
      expect(data.served_snapshot_id).toBeGreaterThanOrEqual(f.synced.ducklake.snapshotId!);
      expect((dataOf(await call(all, 'list_libraries', {})).libraries as any[]).map((l) => l.name)).toEqual([
        'ducklake',
        'mcp',
      ]);
    });

    it('refuses a cursor it did not give out', async () => {
      const outline = dataOf(await call(one, 'get_outline', { depth: 10, max_tokens: 300 }, 300));
      expect(await failure(one, 'list_libraries', { cursor: outline.next_cursor })).toMatch(
        /the cursor belongs to another query\nnext: pass the cursor only with the same arguments/,
      );
      expect(await failure(one, 'list_libraries', { cursor: '%%%' })).toMatch(/not one this server gave out/);
    });
  });

  describe('get_outline', () => {
    it('shows a version’s tree to the depth asked', async () => {
      const top = dataOf(await call(one, 'get_outline', { depth: 1 }));
      expect(top).toMatchObject({ library: 'ducklake', version: 'stable', path_prefix: null, next_cursor: null });
      expect(top.entries.map((e: any) => e.name)).toEqual(['duckdb', 'index.md', 'specification']);
      expect(top.entries.every((e: any) => e.depth === 0)).toBe(true);
      const tables = dataOf(await call(one, 'get_outline', { path_prefix: 'specification/tables/', depth: 3 }));
      const pages = tables.entries.filter((e: any) => e.kind === 'page');
      expect(pages.map((p: any) => p.path)).toContain('specification/tables/ducklake_snapshot.md');
      expect(tables.pages).toBe(pages.length);
      expect(pages.find((p: any) => p.path === 'specification/tables/ducklake_snapshot.md').title).toBe(
        'ducklake_snapshot',
      );
    });

    it('continues a long outline with a cursor, without repeating or losing entries', async () => {
      const whole = dataOf(await call(one, 'get_outline', { depth: 10, max_tokens: 25_000 }, 25_000));
      expect(whole.next_cursor).toBeNull();
      const seen: any[] = [];
      let cursor: string | undefined;
      do {
        const part = dataOf(
          await call(one, 'get_outline', { depth: 10, max_tokens: 1000, ...(cursor ? { cursor } : {}) }, 1000),
        );
        seen.push(...part.entries);
        cursor = part.next_cursor ?? undefined;
      } while (cursor && seen.length <= whole.entries.length);
      expect(seen).toEqual(whole.entries);
      expect(await failure(one, 'get_outline', { depth: 2, cursor: 'bm9wZQ' })).toMatch(/cursor/);
    });

    it('says when a prefix matches nothing', async () => {
      expect(await failure(one, 'get_outline', { path_prefix: 'nowhere/' })).toMatch(
        /no page of ducklake@stable starts with 'nowhere\/'/,
      );
    });
  });

  describe('find_related', () => {
    it('lists the pages a page links to and those linking to it, as PostgreSQL records them', async () => {
      const page = 'specification/tables/ducklake_snapshot.md';
      const data = dataOf(await call(one, 'find_related', { path: page, max_tokens: 25_000 }, 25_000));
      const links = await pageLinks(f.db.pool, 'ducklake', 'stable', page);
      const to = new Set(
        links.outgoing.filter((l) => l.kind === 'page' && l.toPath !== page).map((l) => `${l.toVersion} ${l.toPath}`),
      );
      const from = new Set(links.incoming.map((l) => `${l.version} ${l.fromPath}`));
      expect(from.size).toBeGreaterThan(3);
      const related = (dir: string) =>
        data.related.filter((r: any) => r.direction === dir).map((r: any) => `${r.version} ${r.path}`);
      expect(new Set(related('links_to'))).toEqual(to);
      expect(new Set(related('linked_from'))).toEqual(from);
      expect(related('linked_from')).toContain('stable specification/tables/overview.md');
      const incomingOnly = dataOf(
        await call(one, 'find_related', { path: page, direction: 'linked_from', max_tokens: 25_000 }, 25_000),
      );
      expect(incomingOnly.related.every((r: any) => r.direction === 'linked_from')).toBe(true);
    });

    it('pages a long list and reports unknown pages with the nearest ones', async () => {
      const first = dataOf(
        await call(one, 'find_related', { path: 'specification/tables/overview.md', max_tokens: 300 }, 300),
      );
      expect(first.next_cursor).not.toBeNull();
      const second = dataOf(
        await call(
          one,
          'find_related',
          { path: 'specification/tables/overview.md', max_tokens: 300, cursor: first.next_cursor },
          300,
        ),
      );
      expect(second.related[0]).not.toEqual(first.related[0]);
      expect(await failure(one, 'find_related', { path: 'specification/tables/overveiw.md' })).toMatch(
        /nearest matches: .*specification\/tables\/overview\.md/,
      );
    });
  });

  describe('protocol errors and abuse', () => {
    it('answers an unknown tool with JSON-RPC invalid params (-32602) naming the tools', async () => {
      const err = await one.callTool({ name: 'drop_database', arguments: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(McpError);
      expect((err as McpError).code).toBe(ErrorCode.InvalidParams);
      expect((err as McpError).message).toMatch(/Unknown tool: drop_database\. Tools: search_docs, read_page/);
    });

    it('answers an unknown method with -32601', async () => {
      const err = await one.request({ method: 'docs/destroy', params: {} }, z.object({})).catch((e: unknown) => e);
      expect((err as McpError).code).toBe(ErrorCode.MethodNotFound);
    });

    it('answers bad and oversized arguments with a tool error the model can act on', async () => {
      expect(await failure(one, 'search_docs', { query: 'x', limit: 'many' })).toMatch(
        /error\[INVALID_INPUT\]: invalid arguments for search_docs: limit: Expected number, received string\nnext: fix the arguments/,
      );
      expect(await failure(one, 'search_docs', { query: 'x', libraries: ['ducklake'] })).toMatch(
        /Unrecognized key\(s\) in object: 'libraries'/,
      );
      expect(await failure(one, 'search_docs', {})).toMatch(/query: Required/);
      expect(await failure(one, 'search_docs', { query: 'snapshot '.repeat(20_000) })).toMatch(
        new RegExp(`query: String must contain at most ${MAX_QUERY_CHARS} character`),
      );
      expect(await failure(one, 'read_page', { path: 'x'.repeat(5000) })).toMatch(
        /path: String must contain at most 2000/,
      );
      expect(await failure(one, 'search_docs', { query: 'x', max_tokens: TOKEN_CEILING + 1 })).toMatch(
        /max_tokens: Number must be less than or equal to 25000/,
      );
      // Still serving.
      expect(dataOf(await call(one, 'search_docs', { query: 'snapshot' })).hits.length).toBeGreaterThan(0);
    });
  });

  describe('a misbehaving client', () => {
    it('reads past a malformed line and answers what it read before stdin ended', async () => {
      const rpc = (id: number, method: string, params: object) =>
        JSON.stringify({ jsonrpc: '2.0', id, method, params });
      const input = [
        'this is not JSON {',
        rpc(1, 'initialize', {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        }),
        JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
        '{"jsonrpc": "2.0", "id": 99, "method": 42}',
        rpc(2, 'tools/call', { name: 'search_docs', arguments: { query: 'snapshot' } }),
        rpc(3, 'tools/call', { name: 'rm_rf', arguments: {} }),
        '',
      ].join('\n');
      const res = await runCommand(process.execPath, [bosunBin, 'mcp', 'docs', '--library', 'ducklake'], {
        env: f.env(),
        cwd: repoRoot,
        input,
        timeoutMs: 60_000,
      });
      expect(res.exitCode, res.stderr).toBe(0);
      // stdout carries the protocol only: every line is a JSON-RPC message.
      const messages = res.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      const byId = new Map(messages.map((m) => [m.id, m]));
      expect(byId.get(1).result.serverInfo.name).toBe('bosun-docs-ducklake');
      expect(byId.get(2).result.structuredContent.hits.length).toBeGreaterThan(0);
      expect(byId.get(3).error.code).toBe(ErrorCode.InvalidParams);
    });

    it('lets a client hang up in the middle of a call, and then exits', async () => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [bosunBin, 'mcp', 'docs', '--library', 'ducklake'],
        env: f.env(),
        cwd: repoRoot,
        stderr: 'pipe',
      });
      const client = new SdkClient({ name: 'quitter', version: '1' });
      await client.connect(transport);
      const pid = transport.pid!;
      const pending = client
        .callTool({ name: 'search_docs', arguments: { query: 'snapshot table partition data file' } })
        .then(
          () => 'answered',
          (e: McpError) => e.code,
        );
      await client.close();
      expect(['answered', ErrorCode.ConnectionClosed]).toContain(await pending);
      const alive = () => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(alive()).toBe(false);
      // The other sessions are untouched.
      expect(dataOf(await call(one, 'search_docs', { query: 'snapshot' })).hits.length).toBeGreaterThan(0);
    });
  });

  describe('resources', () => {
    it('offers the page template and lists every page, paginated', async () => {
      const { resourceTemplates } = await one.listResourceTemplates();
      expect(resourceTemplates).toEqual([
        expect.objectContaining({ uriTemplate: PAGE_URI_TEMPLATE, mimeType: 'text/markdown' }),
      ]);
      const uris: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await one.listResources(cursor ? { cursor } : {});
        expect(res.resources.length).toBeLessThanOrEqual(RESOURCES_PER_PAGE);
        uris.push(...res.resources.map((r) => r.uri));
        cursor = res.nextCursor;
        pages++;
      } while (cursor);
      const expected = (await libraryPages(f.db.pool, 'ducklake')).map((p) => `docs://ducklake/${p.version}/${p.path}`);
      expect(pages).toBe(Math.ceil(expected.length / RESOURCES_PER_PAGE));
      expect(pages).toBeGreaterThan(1);
      expect(uris.sort()).toEqual(expected.sort());
    });

    it('reads a page as markdown', async () => {
      const uri = 'docs://ducklake/0.4/specification/tables/ducklake_snapshot.md';
      const { contents } = await one.readResource({ uri });
      expect(contents).toHaveLength(1);
      expect(contents[0]).toMatchObject({
        uri,
        mimeType: 'text/markdown',
        _meta: { source: '0.4/specification/tables/ducklake_snapshot.md' },
      });
      const page = dataOf(
        await call(
          one,
          'read_page',
          { path: 'specification/tables/ducklake_snapshot.md', version: '0.4', max_tokens: 25_000 },
          25_000,
        ),
      );
      expect((contents[0] as { text: string }).text).toBe(page.text);
    });

    it('answers missing pages with -32002 and bad URIs or cursors with -32602', async () => {
      const code = (p: Promise<unknown>) =>
        p.then(
          () => null,
          (e: McpError) => e.code,
        );
      expect(await code(one.readResource({ uri: 'docs://ducklake/stable/no/such/page.md' }))).toBe(-32002);
      expect(await code(one.readResource({ uri: 'docs://mcp/2025-11-25/specification/schema.mdx' }))).toBe(-32002);
      expect(await code(one.readResource({ uri: 'docs://ducklake/stable/../../../etc/passwd' }))).toBe(
        ErrorCode.InvalidParams,
      );
      expect(await code(one.readResource({ uri: 'file:///etc/passwd' }))).toBe(ErrorCode.InvalidParams);
      expect(await code(one.listResources({ cursor: 'not-a-cursor' }))).toBe(ErrorCode.InvalidParams);
    });
  });

  describe('start-up', () => {
    /** A server whose libraries cannot load: its stderr, and a client for it. */
    const failing = async (args: string[], env: Record<string, string>) => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [bosunBin, 'mcp', 'docs', ...args],
        env: f.env(env),
        cwd: repoRoot,
        stderr: 'pipe',
      });
      let stderr = '';
      transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const client = new SdkClient({ name: 'bosun-test', version: '1.0.0' });
      await client.connect(transport);
      return { client, stderr: () => stderr };
    };

    it('answers initialize and tools/list without the database, and each call with the reason it cannot answer', async () => {
      const { client, stderr } = await failing([], { BOSUN_DATABASE_URL: 'postgresql://127.0.0.1:1/nowhere' });
      expect(client.getServerVersion()?.name).toBe('bosun-docs');
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(TOOLS);
      for (const tool of ['search_docs', 'list_libraries']) {
        const result = (await client.callTool({
          name: tool,
          arguments: tool === 'search_docs' ? { query: 'snapshot' } : {},
        })) as CallToolResult;
        expect(result.isError).toBe(true);
        expect(textOf(result)).toMatch(
          /^error\[DB_UNAVAILABLE\]: cannot reach PostgreSQL at postgresql:\/\/127\.0\.0\.1:1\/nowhere[\s\S]*\nnext: /,
        );
      }
      // The log says it too, on stderr: stdout carries the protocol only.
      await vi.waitFor(() => expect(stderr()).toMatch(/bosun-docs cannot answer: loading its libraries failed/));
      await client.close();
    });

    it('answers a library nobody knows with the known ones', async () => {
      const { client } = await failing(['--library', 'nope'], {});
      expect(client.getServerVersion()?.name).toBe('bosun-docs-nope');
      expect(await failure(client, 'search_docs', { query: 'snapshot' })).toMatch(
        /^error\[NOT_FOUND\]: no library named 'nope'\nnext: known libraries: ducklake, mcp$/,
      );
      await client.close();
    });
  });

  it('picks up a sync that lands while it runs, without a restart', async () => {
    const query = 'quokkaflux gearbox';
    expect(dataOf(await call(one, 'search_docs', { query })).hits).toEqual([]);
    const before = dataOf(await call(one, 'list_libraries', {})).served_snapshot_id;
    await fs.writeFile(
      path.join(f.ducklakeSource, 'stable', 'quokkaflux.md'),
      '# Quokkaflux\n\nThe quokkaflux gearbox turns snapshots into marsupials.\n',
    );
    const summary = await f.sync('ducklake');
    expect(summary.pages.added).toBe(1);
    // No waiting: the sync's commit is announced to the server (NOTIFY), so the very next call answers from it.
    const after = dataOf(await call(one, 'search_docs', { query }));
    expect(after.snapshot_id).toBe(summary.snapshotId);
    expect(after.snapshot_id).toBeGreaterThan(before);
    expect(after.hits[0]).toMatchObject({ path: 'quokkaflux.md', title: 'Quokkaflux' });
    expect(dataOf(await call(one, 'list_libraries', {})).libraries[0].snapshot_id).toBe(summary.snapshotId);
  });
});
