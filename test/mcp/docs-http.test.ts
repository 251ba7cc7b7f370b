import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, LATEST_PROTOCOL_VERSION, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBosun } from '../support/cli.js';
import { buildDocsFixture, dataOf, httpServer, textOf, type DocsFixture, type RunningServer } from './docs-fixture.js';

const TOKEN = 'a-bearer-token-of-some-length';

describe('the docs MCP server over Streamable HTTP', () => {
  let f: DocsFixture;
  let open: RunningServer;
  let guarded: RunningServer;

  const connect = async (url: string, headers: Record<string, string> = {}): Promise<Client> => {
    const client = new Client({ name: 'bosun-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
    return client;
  };
  /** A raw JSON-RPC POST, as a browser or a careless client would send it. */
  const post = (url: string, body: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      ...(signal ? { signal } : {}),
    });
  const initialize = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  const searchCall = (id: number, query: string) =>
    JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'search_docs', arguments: { query } } });

  beforeAll(async () => {
    f = await buildDocsFixture();
    [open, guarded] = await Promise.all([
      httpServer(f, ['--library', 'ducklake']),
      httpServer(f, [], { BOSUN_MCP_TOKEN: TOKEN }),
    ]);
  }, 180_000);
  afterAll(async () => {
    for (const server of [open, guarded]) {
      const exit = await server?.stop();
      // SIGTERM is a clean stop, not a crash.
      if (exit) expect(exit.exitCode, exit.stderr).toBe(0);
    }
    await f?.close();
  });

  it('listens on 127.0.0.1 and serves the tools to the SDK client', async () => {
    expect(open.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = await connect(open.url);
    expect(client.getServerVersion()?.name).toBe('bosun-docs-ducklake');
    expect((await client.listTools()).tools).toHaveLength(5);
    const result = (await client.callTool({
      name: 'search_docs',
      arguments: { query: 'snapshot isolation' },
    })) as CallToolResult;
    expect(dataOf(result).hits[0].library).toBe('ducklake');
    const err = await client.callTool({ name: 'no_such_tool', arguments: {} }).catch((e: unknown) => e);
    expect((err as McpError).code).toBe(ErrorCode.InvalidParams);
    await client.close();
  });

  it('serves many clients at once', async () => {
    const clients = await Promise.all(Array.from({ length: 12 }, () => connect(open.url)));
    const queries = ['data file', 'snapshot', 'partition', 'schema evolution', 'deletion vector', 'catalog'];
    const results = await Promise.all(
      clients.flatMap((c, i) =>
        [0, 1, 2].map(
          (j) =>
            c.callTool({
              name: 'search_docs',
              arguments: { query: queries[(i + j) % queries.length]! },
            }) as Promise<CallToolResult>,
        ),
      ),
    );
    expect(results).toHaveLength(36);
    expect(results.every((r) => !r.isError && dataOf(r).hits.length > 0)).toBe(true);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('refuses browser origins that are not loopback (DNS rebinding)', async () => {
    const foreign = await post(open.url, initialize, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as any).error).toMatchObject({
      code: -32600,
      message: 'origin http://evil.example is not allowed',
    });
    const local = await post(open.url, initialize, { origin: 'http://localhost:5173' });
    expect(local.status).toBe(200);
    // Parsed as URLs and compared exactly: a name that merely starts with 127. is foreign.
    for (const origin of ['http://127.0.0.1.attacker.example', 'http://localhost.attacker.example:80', 'null']) {
      expect((await post(open.url, initialize, { origin })).status, origin).toBe(403);
    }
    expect((await post(open.url, initialize, { origin: 'http://[::1]:8080' })).status).toBe(200);
  });

  it('refuses a Host header that is not this server (a rebound DNS name)', async () => {
    const { port } = new URL(open.url);
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path: '/mcp',
            method: 'POST',
            headers: { host, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(initialize);
      });
    expect(await status('attacker.example')).toBe(403);
    expect(await status(`127.0.0.1.attacker.example:${port}`)).toBe(403);
    expect(await status(`localhost:${port}`)).toBe(200);
    expect(await status(`127.0.0.1:${port}`)).toBe(200);
  });

  it('requires the bearer token when one is set', async () => {
    const none = await post(guarded.url, initialize);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await post(guarded.url, initialize, { authorization: 'Bearer not-the-token-at-all' })).status).toBe(401);
    // Only `Bearer <token>`: the bare token or another scheme is not accepted.
    for (const authorization of [TOKEN, `Basic ${TOKEN}`, `Bearer  ${TOKEN}`, `Bearer ${TOKEN} x`])
      expect((await post(guarded.url, initialize, { authorization })).status, authorization).toBe(401);
    const client = await connect(guarded.url, { authorization: `Bearer ${TOKEN}` });
    expect(client.getServerVersion()?.name).toBe('bosun-docs');
    const result = (await client.callTool({ name: 'list_libraries', arguments: {} })) as CallToolResult;
    expect(dataOf(result).libraries.map((l: any) => l.name)).toEqual(['ducklake', 'mcp']);
    await client.close();
  });

  it('will not listen beyond loopback without a token', async () => {
    const res = await runBosun(['mcp', 'docs', '--http', '--host', '0.0.0.0', '--port', '0'], {
      home: f.home,
      env: { BOSUN_DATABASE_URL: f.db.url },
    });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(
      /error\[INVALID_INPUT\]: serving MCP on 0\.0\.0\.0 \(not loopback\) needs a bearer token/,
    );
  });

  it('answers malformed and oversized requests with JSON-RPC errors, and keeps serving', async () => {
    const garbage = await post(open.url, '{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as any).error.code).toBe(-32700);
    const huge = await post(open.url, searchCall(2, 'x'.repeat(2 * 1024 * 1024)));
    expect(huge.status).toBe(413);
    const notRpc = await post(open.url, JSON.stringify({ hello: 'world' }));
    expect(notRpc.status).toBeGreaterThanOrEqual(400);
    const client = await connect(open.url);
    const long = (await client.callTool({
      name: 'search_docs',
      arguments: { query: 'q'.repeat(100_000) },
    })) as CallToolResult;
    expect(long.isError).toBe(true);
    expect(textOf(long)).toMatch(/query: String must contain at most 4000 character/);
    expect(
      dataOf((await client.callTool({ name: 'search_docs', arguments: { query: 'snapshot' } })) as CallToolResult).hits
        .length,
    ).toBeGreaterThan(0);
    await client.close();
  });

  it('survives clients that hang up mid-call', async () => {
    const hangUps = Array.from({ length: 10 }, (_, i) => {
      const controller = new AbortController();
      const request = post(open.url, searchCall(i, 'snapshot table data file partition'), {}, controller.signal).catch(
        (e: Error) => e,
      );
      setTimeout(() => controller.abort(), i);
      return request;
    });
    await Promise.all(hangUps);
    const client = await connect(open.url);
    const result = (await client.callTool({ name: 'search_docs', arguments: { query: 'snapshot' } })) as CallToolResult;
    expect(dataOf(result).hits.length).toBeGreaterThan(0);
    await client.close();
  });
});
