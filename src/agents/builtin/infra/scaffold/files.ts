import type { ScaffoldInput, ToolSpec } from './input.js';
import { shapeSource } from './zod-source.js';

/**
 * The files of a generated MCP server project, as text. One module per kind of action, and only
 * the kinds the tools use, so a project without SQL tools does not depend on pg.
 */

type Kind = 'command' | 'sql' | 'http';
export const kindOf = (t: ToolSpec): Kind => (t.command ? 'command' : t.sql ? 'sql' : 'http');

const lit = (v: unknown) => JSON.stringify(v);

function actionSource(t: ToolSpec): string {
  if (t.command) return `{ kind: 'command', argv: ${lit(t.command)} }`;
  if (t.sql) return `{ kind: 'sql', query: ${lit(t.sql.query)}, params: ${lit(t.sql.params)} }`;
  const h = t.http!;
  const jsonBody = h.json_body ?? ['POST', 'PUT', 'PATCH'].includes(h.method);
  return `{ kind: 'http', method: ${lit(h.method)}, url: ${lit(h.url)}, headers: ${lit(h.headers)}, jsonBody: ${jsonBody} }`;
}

function packageJson(input: ScaffoldInput, kinds: Set<Kind>): string {
  const pkg = {
    name: input.name,
    version: '0.1.0',
    description: input.description ?? `MCP server ${input.name}`,
    type: 'module',
    bin: { [input.name]: 'dist/src/index.js' },
    scripts: {
      build: 'tsc -p tsconfig.json',
      test: 'tsc -p tsconfig.json && node --test dist/test/',
      start: 'node dist/src/index.js',
    },
    engines: { node: '>=20' },
    dependencies: {
      '@modelcontextprotocol/sdk': '^1.20.0',
      zod: '^3.25.0',
      ...(kinds.has('sql') ? { pg: '^8.11.0' } : {}),
    },
    devDependencies: {
      '@types/node': '^20.0.0',
      typescript: '^5.6.0',
      ...(kinds.has('sql') ? { '@types/pg': '^8.11.0' } : {}),
    },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

const tsconfig = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      outDir: 'dist',
      rootDir: '.',
      strict: true,
      skipLibCheck: true,
      types: ['node'],
    },
    include: ['src', 'test'],
  },
  null,
  2,
)}\n`;

const fillSource = `/**
 * {{name}} placeholders. Each argv element is filled on its own and passed to the program as one
 * argument (no shell ever sees it), so an argument such as "x; rm -rf /" stays that text.
 */
const PLACEHOLDER = /\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\}\\}/g;

export function fill(template: string, args: Record<string, unknown>, encode: (s: string) => string = (s) => s): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = args[name];
    if (value === undefined || value === null) return '';
    return encode(typeof value === 'string' ? value : JSON.stringify(value));
  });
}

export const fillArgv = (argv: readonly string[], args: Record<string, unknown>): string[] => argv.map((a) => fill(a, args));

/** The names a template refers to. */
export const namesIn = (template: string): string[] => [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
`;

const resultType = `export interface ActionResult {
  text: string;
  isError: boolean;
}
`;

const commandSource = `import { execFile } from 'node:child_process';
import type { ActionResult } from './result.js';
import { fillArgv } from './fill.js';

const TIMEOUT_MS = Number(process.env.TOOL_TIMEOUT_MS ?? 60_000);
const MAX_OUTPUT = 10 * 1024 * 1024;

/** Runs the declared argv without a shell; a non-zero exit is a tool error with its stderr. */
export function runCommand(argv: readonly string[], args: Record<string, unknown>): Promise<ActionResult> {
  const [program, ...rest] = fillArgv(argv, args);
  return new Promise((resolve) => {
    execFile(program!, rest, { timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT, shell: false }, (err, stdout, stderr) => {
      if (err) resolve({ text: \`\${program} failed: \${err.message}\\n\${stderr}\`.trim(), isError: true });
      else resolve({ text: stdout, isError: false });
    });
  });
}
`;

const sqlSource = `import pg from 'pg';
import type { ActionResult } from './result.js';

/** Runs the declared query with the named arguments bound as $1, $2, … (never spliced into the text). */
export async function runSql(query: string, params: readonly string[], args: Record<string, unknown>): Promise<ActionResult> {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) return { text: 'DATABASE_URL is not set', isError: true };
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
    const res = await client.query(query, params.map((name) => args[name] ?? null));
    return { text: JSON.stringify({ rowCount: res.rowCount, rows: res.rows }), isError: false };
  } catch (err) {
    return { text: \`query failed: \${(err as Error).message}\`, isError: true };
  } finally {
    await client.end().catch(() => undefined);
  }
}
`;

const httpSource = `import type { ActionResult } from './result.js';
import { fill, namesIn } from './fill.js';

const TIMEOUT_MS = Number(process.env.TOOL_TIMEOUT_MS ?? 60_000);

export interface HttpAction {
  method: string;
  url: string;
  headers: Record<string, string>;
  jsonBody: boolean;
}

/** Calls the declared URL (arguments URL-encoded into it); the arguments it does not use go in a JSON body when asked. */
export async function runHttp(action: HttpAction, args: Record<string, unknown>): Promise<ActionResult> {
  const url = fill(action.url, args, encodeURIComponent);
  const used = new Set(namesIn(action.url));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.headers)) headers[k] = fill(v, args);
  let body: string | undefined;
  if (action.jsonBody) {
    body = JSON.stringify(Object.fromEntries(Object.entries(args).filter(([k]) => !used.has(k))));
    headers['content-type'] ??= 'application/json';
  }
  try {
    const res = await fetch(url, { method: action.method, headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const text = await res.text();
    return res.ok ? { text, isError: false } : { text: \`HTTP \${res.status}: \${text}\`, isError: true };
  } catch (err) {
    return { text: \`request failed: \${(err as Error).message}\`, isError: true };
  }
}
`;

function actionsIndex(kinds: Set<Kind>): string {
  const variants = [
    kinds.has('command') ? `{ kind: 'command'; argv: string[] }` : null,
    kinds.has('sql') ? `{ kind: 'sql'; query: string; params: string[] }` : null,
    kinds.has('http') ? `({ kind: 'http' } & HttpAction)` : null,
  ].filter(Boolean);
  return [
    `import type { ActionResult } from './result.js';`,
    kinds.has('command') ? `import { runCommand } from './command.js';` : '',
    kinds.has('sql') ? `import { runSql } from './sql.js';` : '',
    kinds.has('http') ? `import { runHttp, type HttpAction } from './http.js';` : '',
    '',
    `export type Action = ${variants.join(' | ')};`,
    `export type { ActionResult };`,
    '',
    `export function runAction(action: Action, args: Record<string, unknown>): Promise<ActionResult> {`,
    `  switch (action.kind) {`,
    kinds.has('command') ? `    case 'command':\n      return runCommand(action.argv, args);` : '',
    kinds.has('sql') ? `    case 'sql':\n      return runSql(action.query, action.params, args);` : '',
    kinds.has('http') ? `    case 'http':\n      return runHttp(action, args);` : '',
    `  }`,
    `}`,
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

function toolsSource(input: ScaffoldInput): string {
  const defs = input.tools.map(
    (t) =>
      `  {\n    name: ${lit(t.name)},\n    description: ${lit(t.description)},\n    shape: ${shapeSource(t.input_schema, t.name)},\n    action: ${actionSource(t)},\n  },`,
  );
  return `import { z } from 'zod';
import type { Action } from './actions/index.js';

/** The tools this server offers, as declared when it was generated: zod input shapes and what each runs. */
export interface ToolDefinition {
  name: string;
  description: string;
  shape: z.ZodRawShape;
  action: Action;
}

export const tools: ToolDefinition[] = [
${defs.join('\n')}
];
`;
}

const serverSource = (input: ScaffoldInput) => `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { runAction } from './actions/index.js';
import { tools } from './tools.js';

/** The MCP server with every declared tool; a failed action is a tool result with isError, not a protocol error. */
export function createServer(): McpServer {
  const server = new McpServer({ name: ${lit(input.name)}, version: '0.1.0' });
  for (const tool of tools) {
    server.registerTool(tool.name, { description: tool.description, inputSchema: tool.shape }, async (args: Record<string, unknown>) => {
      const result = await runAction(tool.action, args);
      return { content: [{ type: 'text' as const, text: result.text }], isError: result.isError };
    });
  }
  return server;
}
`;

const indexSource = `#!/usr/bin/env node
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createServer } from './server.js';

// stdout carries the protocol; anything else goes to stderr.
await createServer().connect(new StdioServerTransport());
`;

function testSource(input: ScaffoldInput): string {
  const expected = input.tools.map((t) => ({ name: t.name, required: [...t.input_schema.required].sort() }));
  return `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { fill, fillArgv } from '../src/actions/fill.js';
import { createServer } from '../src/server.js';

const EXPECTED: { name: string; required: string[] }[] = ${lit(expected)};

async function connected() {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const server = createServer();
  await server.connect(serverSide);
  const client = new Client({ name: 'self-test', version: '0.0.0' });
  await client.connect(clientSide);
  return { client, close: async () => { await client.close(); await server.close(); } };
}

test('an MCP client lists every declared tool with its input schema', async () => {
  const { client, close } = await connected();
  try {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), EXPECTED.map((t) => t.name).sort());
    for (const want of EXPECTED) {
      const got = tools.find((t) => t.name === want.name)!;
      assert.equal(got.inputSchema.type, 'object');
      assert.deepEqual([...(got.inputSchema.required ?? [])].sort(), want.required);
      assert.ok(got.description, \`\${want.name} has a description\`);
    }
  } finally {
    await close();
  }
});

test('a call without its required arguments is refused before anything runs', async () => {
  const { client, close } = await connected();
  try {
    for (const want of EXPECTED.filter((t) => t.required.length)) {
      let refused = false;
      try {
        refused = (await client.callTool({ name: want.name, arguments: {} })).isError === true;
      } catch {
        refused = true;
      }
      assert.ok(refused, \`\${want.name} refused a call without \${want.required.join(', ')}\`);
    }
  } finally {
    await close();
  }
});

test('arguments fill argv elements one by one, never shell text', () => {
  const hostile = 'a b; rm -rf / $(id) \`id\`';
  assert.deepEqual(fillArgv(['echo', '--x={{v}}', '{{v}}'], { v: hostile }), ['echo', \`--x=\${hostile}\`, hostile]);
  assert.equal(fill('https://h/q?s={{v}}', { v: 'a&b c' }, encodeURIComponent), 'https://h/q?s=a%26b%20c');
});
`;
}

function readme(input: ScaffoldInput): string {
  const rows = input.tools.map((t) => {
    const what = t.command
      ? `runs \`${t.command.join(' ')}\` (argv, no shell)`
      : t.sql
        ? `runs SQL \`${t.sql.query.replace(/\s+/g, ' ')}\` on \`DATABASE_URL\``
        : `calls \`${t.http!.method} ${t.http!.url}\``;
    const args = Object.keys(t.input_schema.properties).join(', ') || '—';
    return `| \`${t.name}\` | ${t.description.replace(/\|/g, '\\|')} | ${args} | ${what.replace(/\|/g, '\\|')} |`;
  });
  return `# ${input.name}

${input.description ?? 'An MCP server.'}

Generated by Bosun's \`infra.mcp_scaffold\`. A standalone TypeScript project: the
[MCP TypeScript SDK](https://github.com/modelcontextprotocol/typescript-sdk) over stdio, zod
input schemas, and tests of its own.

## Tools

| tool | description | arguments | what it does |
|---|---|---|---|
${rows.join('\n')}

\`{{name}}\` in a command or URL is replaced by that argument. A command's argv is passed to the
program as is — no shell ever parses it, so an argument cannot add commands. SQL arguments are
bound as query parameters, never spliced into the text.

## Build, test, run

\`\`\`sh
npm install
npm test            # tsc, then node --test: lists the tools through an MCP client, checks input validation
npm start           # the server on stdio
npx @modelcontextprotocol/inspector --cli node dist/src/index.js --method tools/list
\`\`\`

Environment: \`TOOL_TIMEOUT_MS\` (default 60000) bounds each command and HTTP call${
    input.tools.some((t) => t.sql) ? '; `DATABASE_URL` is the PostgreSQL the SQL tools query' : ''
  }.

## Use it from an MCP client

\`\`\`sh
claude mcp add ${input.name} -- node $(pwd)/dist/src/index.js
\`\`\`

or, in a client's JSON configuration:

\`\`\`json
{ "mcpServers": { ${lit(input.name)}: { "command": "node", "args": ["/path/to/${input.name}/dist/src/index.js"] } } }
\`\`\`
`;
}

/** Every file of the project, by path relative to its root. */
export function projectFiles(input: ScaffoldInput): Map<string, string> {
  const kinds = new Set(input.tools.map(kindOf));
  const files = new Map<string, string>([
    ['package.json', packageJson(input, kinds)],
    ['tsconfig.json', tsconfig],
    ['.gitignore', 'node_modules/\ndist/\n'],
    ['README.md', readme(input)],
    ['src/index.ts', indexSource],
    ['src/server.ts', serverSource(input)],
    ['src/tools.ts', toolsSource(input)],
    ['src/actions/index.ts', actionsIndex(kinds)],
    ['src/actions/result.ts', resultType],
    ['src/actions/fill.ts', fillSource],
    ['test/server.test.ts', testSource(input)],
  ]);
  if (kinds.has('command')) files.set('src/actions/command.ts', commandSource);
  if (kinds.has('sql')) files.set('src/actions/sql.ts', sqlSource);
  if (kinds.has('http')) files.set('src/actions/http.ts', httpSource);
  return files;
}
