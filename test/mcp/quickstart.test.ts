import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bosunBin, runBosun } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { dataOf } from './docs-fixture.js';

describe('bosun quickstart ends with a working docs server', () => {
  let db: TestDatabase;
  let home: string;
  let result: any;

  beforeAll(async () => {
    db = await createTestDatabase();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-quickstart-'));
    const res = await runBosun(['quickstart', '--json'], { home, env: { BOSUN_DATABASE_URL: db.url } });
    expect(res.json, res.stderr).toBeDefined();
    result = res.json;
  }, 180_000);
  afterAll(async () => {
    await db?.drop();
    if (home) await fs.rm(home, { recursive: true, force: true });
  });

  it("searches Bosun's own documentation once", () => {
    expect(result.search.searched).toEqual([{ library: 'bosun', version: expect.any(String) }]);
    expect(result.search.hits.length).toBeGreaterThan(0);
    expect(result.search.hits.map((h: any) => h.path)).toContain('docs/mcp.md');
  });

  it('prints the Claude Code snippet, and the server it describes answers', async () => {
    expect(result.client.client).toBe('claude-code');
    const entry = result.client.snippet.mcpServers['bosun-docs-bosun'];
    expect(entry).toMatchObject({
      type: 'stdio',
      command: process.execPath,
      args: [bosunBin, 'mcp', 'docs', '--library', 'bosun'],
    });
    expect(entry.env).toEqual({ BOSUN_HOME: home, BOSUN_DATABASE_URL: db.url });
    const client = new Client({ name: 'claude-code-stand-in', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: entry.command,
        args: entry.args,
        env: { ...entry.env, BOSUN_LOG_LEVEL: 'warn' },
        stderr: 'pipe',
      }),
    );
    try {
      const search = dataOf(
        (await client.callTool({
          name: 'search_docs',
          arguments: { query: 'export a standalone server' },
        })) as CallToolResult,
      );
      expect(search.hits[0]).toMatchObject({ library: 'bosun', path: 'docs/mcp.md' });
    } finally {
      await client.close();
    }
  });
});
