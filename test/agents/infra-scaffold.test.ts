import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, type AgentRegistry } from '../../src/agents/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

const run = promisify(execFile);
const bosunModules = path.resolve('node_modules');
const inspector = path.join(bosunModules, '@modelcontextprotocol/inspector/cli/build/cli.js');

/**
 * infra.mcp_scaffold end to end: the generated project is built with tsc, its own tests run, the
 * MCP Inspector CLI lists its tools, and an MCP client over stdio calls each kind of tool for
 * real (a child process, this test's PostgreSQL, an HTTP server on 127.0.0.1). The machine is
 * offline, so the project's node_modules is a link to Bosun's instead of an npm install.
 */
describe('infra.mcp_scaffold', () => {
  let fx: AgentsFixture;
  let registry: AgentRegistry;
  let server: http.Server;
  let port: number;
  let project: string;
  let envelope: Awaited<ReturnType<typeof executeAgent>>;

  beforeAll(async () => {
    fx = await agentsFixture();
    registry = await fx.open();
    server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url, method: req.method }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    const workDir = path.join(fx.home, 'scaffold');
    envelope = await executeAgent({
      registry,
      agentId: 'infra',
      skillId: 'infra.mcp_scaffold',
      workDir,
      noCache: true,
      input: {
        name: 'demo-tools',
        description: 'Tools for the demo.',
        tools: [
          {
            name: 'echo_text',
            description: 'Print the text back',
            input_schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
            command: ['node', '-e', 'process.stdout.write(process.argv[1])', '{{text}}'],
          },
          {
            name: 'count_rows',
            description: 'Count to n in SQL',
            input_schema: { type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 1 } } },
            sql: { query: 'SELECT count(*)::int AS n FROM generate_series(1, $1::int)', params: ['n'] },
          },
          {
            name: 'get_status',
            description: 'Status of one order',
            input_schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
            http: { url: `http://127.0.0.1:${port}/status/{{id}}` },
          },
        ],
      },
    });
    project = path.join(workDir, 'demo-tools');
  }, 60_000);

  afterAll(async () => {
    server?.close();
    await fx?.cleanup();
  });

  it('returns the project as a tarball artifact, with its README', () => {
    expect(envelope.status, JSON.stringify(envelope.error)).toBe('completed');
    expect(envelope.artifacts.map((a) => a.name).sort()).toEqual(['README.md', 'demo-tools.tar.gz']);
    expect(envelope.outputs.tools).toEqual([
      { name: 'echo_text', kind: 'command' },
      { name: 'count_rows', kind: 'sql' },
      { name: 'get_status', kind: 'http' },
    ]);
    expect(fs.readFileSync(path.join(project, 'README.md'), 'utf8')).toContain('| `count_rows` |');
  });

  it('builds with tsc, its own tests pass, the Inspector CLI and an MCP client list and call its tools', async () => {
    fs.symlinkSync(bosunModules, path.join(project, 'node_modules'));
    await run(process.execPath, [path.join(bosunModules, 'typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: project,
    });
    const tests = await run(process.execPath, ['--test', 'dist/test/'], { cwd: project });
    expect(tests.stdout).toMatch(/# pass 3/);
    expect(tests.stdout).toMatch(/# fail 0/);

    const listed = await run(
      process.execPath,
      [inspector, '--cli', process.execPath, 'dist/src/index.js', '--method', 'tools/list'],
      { cwd: project, timeout: 60_000 },
    );
    const tools = (JSON.parse(listed.stdout) as { tools: { name: string; inputSchema: { required?: string[] } }[] })
      .tools;
    expect(tools.map((t) => t.name).sort()).toEqual(['count_rows', 'echo_text', 'get_status']);
    expect(tools.find((t) => t.name === 'count_rows')!.inputSchema.required).toEqual(['n']);

    const client = new Client({ name: 'bosun-test', version: '0.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [path.join(project, 'dist/src/index.js')],
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: fx.db.url },
      }),
    );
    try {
      const text = async (name: string, args: Record<string, unknown>) => {
        const r = (await client.callTool({ name, arguments: args })) as {
          content: { text: string }[];
          isError?: boolean;
        };
        return { text: r.content[0]!.text, isError: r.isError === true };
      };
      // The argument reaches the program as one argv element: nothing is run by a shell.
      expect(await text('echo_text', { text: 'a; echo pwned $(id)' })).toEqual({
        text: 'a; echo pwned $(id)',
        isError: false,
      });
      expect(JSON.parse((await text('count_rows', { n: 7 })).text)).toEqual({ rowCount: 1, rows: [{ n: 7 }] });
      expect(JSON.parse((await text('get_status', { id: 'a/b c' })).text)).toEqual({
        path: '/status/a%2Fb%20c',
        method: 'GET',
      });
      expect((await text('count_rows', { n: 0 })).isError).toBe(true);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('refuses a tool that declares two actions or an undeclared placeholder', async () => {
    const refused = await executeAgent({
      registry,
      agentId: 'infra',
      skillId: 'infra.mcp_scaffold',
      workDir: path.join(fx.home, 'bad'),
      noCache: true,
      input: {
        name: 'bad',
        tools: [
          { name: 'both', description: 'x', command: ['echo'], sql: 'SELECT 1' },
          { name: 'ghost', description: 'x', command: ['echo', '{{missing}}'] },
        ],
      },
    });
    expect(refused.status).toBe('failed');
    expect(refused.error?.message).toMatch(/exactly one of command, sql, http/);
    expect(refused.error?.message).toMatch(/'missing' is not a property/);
  });
});
