import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/exec/index.js';
import { addNote, advanceProject, createProject, planTasks, type PmContext } from '../../src/pm/index.js';
import { bosunBin, repoRoot } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { done, installScribeAgent, pmContext, shippedTemplateSet, tempHome } from './helpers.js';

const BUDGET = 1000;

/** Tokens as the server estimates them: ceil(chars / 4) for the structured part and the text. */
function tokensOf(result: CallToolResult): number {
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
  return Math.ceil(JSON.stringify(result.structuredContent ?? {}).length / 4) + Math.ceil(text.length / 4);
}

describe('the PM MCP server', () => {
  const home = tempHome();
  let db: TestDatabase;
  let pm: PmContext;
  let client: Client;
  const env = () => ({
    BOSUN_HOME: home.paths.home,
    BOSUN_DATABASE_URL: db.url,
    BOSUN_LOG_LEVEL: 'warn',
    BOSUN_MCP_TOKEN_BUDGET: String(BUDGET),
    PATH: process.env.PATH ?? '',
  });

  async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    expect(tokensOf(result)).toBeLessThanOrEqual(BUDGET);
    return result;
  }
  const data = (r: CallToolResult) => r.structuredContent as any;
  const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

  beforeAll(async () => {
    // The write-up is a person's task here: the server's claim flow is what is tested.
    installScribeAgent(home.paths);
    db = await createTestDatabase();
    pm = pmContext(db);
    await createProject(pm, shippedTemplateSet(), { slug: 'site', name: 'Site rebuild', brief: 'Rebuild the site' });
    await planTasks(pm, 'site', [
      { key: 'audit', title: 'Audit the pages', skill: 'web.scrape', acceptance: ['every page listed'] },
      {
        key: 'fix',
        title: 'Write up the broken links',
        skill: 'docs.write',
        dependsOn: ['audit'],
        inputs: { pages: '{{ steps.audit.outputs.pages }}' },
      },
    ]);
    await advanceProject(pm, 'site');
    // Enough long tasks that no single answer can list them all.
    await createProject(pm, shippedTemplateSet(), { slug: 'big' });
    await planTasks(
      pm,
      'big',
      Array.from({ length: 120 }, (_, i) => ({
        title: `Task ${i + 1}: ${'a rather long title that takes room '.repeat(3)}`,
      })),
    );
    client = new Client({ name: 'bosun-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [bosunBin, 'mcp', 'pm'],
        env: env(),
        cwd: repoRoot,
        stderr: 'pipe',
      }),
    );
  });
  afterAll(async () => {
    await client?.close();
    await db.drop();
    home.remove();
  });

  it('offers at most 10 tools, each with input and output schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.length).toBeLessThanOrEqual(10);
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'advance_phase',
        'complete_task',
        'create_tasks',
        'list_projects',
        'list_tasks',
        'next_task',
        'plan_project',
        'project_overview',
        'report_progress',
        'task_details',
      ].sort(),
    );
    for (const t of tools) {
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type).toBe('object');
      expect(t.description!.length).toBeGreaterThan(20);
    }
    const complete = tools.find((t) => t.name === 'complete_task')!;
    expect(JSON.stringify(complete.inputSchema)).toContain('handoffs');
  });

  it('drives a task from overview to completion', async () => {
    const overview = await call('project_overview', { project: 'site' });
    expect(data(overview)).toMatchObject({ project: { slug: 'site', status: 'execution' }, progress: { total: 2 } });
    expect(text(overview)).toContain('Audit the pages');

    const next = await call('next_task', { project: 'site', claimant: 'claude' });
    expect(data(next)).toMatchObject({
      claimed: true,
      task: { task: { ref: 'site#1', status: 'working', claimedBy: 'claude', acceptance: ['every page listed'] } },
    });
    expect(text(next)).toContain('complete_task');

    const progress = await call('report_progress', {
      project: 'site',
      task: 'site#1',
      message: 'half the pages listed',
      percent: 50,
    });
    expect(data(progress).noted).toMatchObject({ kind: 'progress', task: 'site#1' });
    await call('report_progress', { project: 'site', kind: 'decision', message: 'Only audit public pages' });

    const completed = await call('complete_task', {
      task: 'site#1',
      result: done('40 pages', { pages: ['/a', '/b'] }),
    });
    expect(data(completed)).toMatchObject({
      status: 'completed',
      alreadyCompleted: false,
      released: [{ ref: 'site#2', status: 'ready' }],
    });
    const again = await call('complete_task', { task: 'site#1', result: done('40 pages', { pages: ['/a', '/b'] }) });
    expect(data(again).alreadyCompleted).toBe(true);

    const details = await call('task_details', { task: 'site#2' });
    expect(data(details)).toMatchObject({
      inputs: { pages: ['/a', '/b'] },
      missingInputs: [],
      upstream: [{ ref: 'site#1', status: 'completed' }],
    });
    expect(data(details).context).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'note', noteKind: 'decision', body: 'Only audit public pages' }),
      ]),
    );
  });

  it('answers mistakes with tool errors that say what to do next, and changes nothing', async () => {
    const unknown = await call('project_overview', { project: 'nope' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/error\[NOT_FOUND\]: no project 'nope'\nnext: /);

    const cycle = await call('create_tasks', {
      project: 'site',
      tasks: [
        { key: 'x', title: 'X', dependsOn: ['y'] },
        { key: 'y', title: 'Y', dependsOn: ['x'] },
      ],
    });
    expect(cycle.isError).toBe(true);
    expect(text(cycle)).toContain('dependency cycle: x → y → x');
    const skill = await call('create_tasks', { project: 'site', tasks: [{ title: 'Z', skill: 'mind.read' }] });
    expect(text(skill)).toMatch(/unknown skill 'mind.read'[\s\S]*next: known skills: .*python\.run/);

    const badEnvelope = await call('complete_task', { task: 'site#2', result: { status: 'completed', summary: 'x' } });
    expect(badEnvelope.isError).toBe(true);
    const notClaimed = await call('complete_task', { task: 'site#2', result: done('x') });
    expect(text(notClaimed)).toMatch(/error\[CONFLICT\].*only a claimed task can be completed\nnext: claim it first/);

    const tasks = await call('list_tasks', { project: 'site' });
    expect(data(tasks).tasks).toHaveLength(2);
    expect(data(tasks).tasks[1]).toMatchObject({ ref: 'site#2', status: 'ready' });
  });

  it('creates a plan and moves the phase', async () => {
    await createProject(pm, shippedTemplateSet(), { slug: 'plan' });
    const guard = await call('advance_phase', { project: 'plan' });
    expect(text(guard)).toMatch(/error\[CONFLICT\]: project plan has no ready task/);
    const created = await call('create_tasks', {
      project: 'plan',
      tasks: [
        { key: 'spec', title: 'Write the spec', skill: 'docs.write' },
        { key: 'build', title: 'Build it', skill: 'python.run', dependsOn: ['spec'] },
      ],
    });
    expect(data(created).created.map((t: { ref: string; status: string }) => [t.ref, t.status])).toEqual([
      ['plan#1', 'ready'],
      ['plan#2', 'blocked'],
    ]);
    expect(data(await call('advance_phase', { project: 'plan' }))).toEqual({
      project: 'plan',
      status: 'execution',
      documentWritten: false,
    });
  });

  it('keeps every answer within the token budget, continuing long lists by cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call('list_tasks', { project: 'big', ...(cursor ? { cursor } : {}) });
      seen.push(...data(page).tasks.map((t: { ref: string }) => t.ref));
      cursor = data(page).nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 50);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `big#${i + 1}`));

    const foreign = await call('list_tasks', {
      project: 'site',
      cursor: Buffer.from(JSON.stringify({ offset: 3, query: 'tasks:big:' })).toString('base64url'),
    });
    expect(text(foreign)).toContain('the cursor belongs to another query');
  });

  it('pages a long task context', async () => {
    for (let i = 0; i < 12; i++)
      await addNote(pm, { project: 'big', task: 'big#1', kind: 'note', body: `note ${i} ${'x'.repeat(400)}` });
    const bodies: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('task_details', { task: 'big#1', ...(cursor ? { cursor } : {}) });
      bodies.push(...data(page).context.map((c: { body: string }) => c.body.slice(0, 8)));
      cursor = data(page).nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(bodies).size).toBe(12);
  });

  it('serves Streamable HTTP on 127.0.0.1 and refuses foreign origins', async () => {
    const controller = new AbortController();
    let url = '';
    const listening = new Promise<void>((resolve) => {
      const server = runCommand(process.execPath, [bosunBin, 'mcp', 'pm', '--http', '--port', '0', '--json'], {
        env: env(),
        cwd: repoRoot,
        timeoutMs: 0,
        signal: controller.signal,
        onStdoutLine: (line) => {
          const event = JSON.parse(line) as { url?: string };
          if (event.url) {
            url = event.url;
            resolve();
          }
        },
      });
      void server.finally(resolve);
    });
    try {
      await listening;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const httpClient = new Client({ name: 'bosun-http-test', version: '1.0.0' });
      await httpClient.connect(new StreamableHTTPClientTransport(new URL(url)));
      const projects = (await httpClient.callTool({ name: 'list_projects', arguments: {} })) as CallToolResult;
      expect((projects.structuredContent as any).projects.map((p: { slug: string }) => p.slug)).toEqual(
        expect.arrayContaining(['site', 'big']),
      );
      await httpClient.close();

      const foreign = await fetch(url, {
        method: 'POST',
        headers: {
          origin: 'http://evil.example',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(foreign.status).toBe(403);

      // Issue 11, item 3: a page on 127.0.0.1.attacker.example, and one that needs no Origin
      // trick at all: without a token, tools that change state are refused even on loopback.
      const rpc = (method: string, params: object, headers: Record<string, string> = {}) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        });
      const prefixed = await rpc('tools/list', {}, { origin: 'http://127.0.0.1.attacker.example' });
      expect(prefixed.status).toBe(403);
      const plant = await rpc('tools/call', {
        name: 'create_tasks',
        arguments: { project: 'site', tasks: [{ key: 'evil', title: 'planted', skill: 'python.run' }] },
      });
      expect(plant.status).toBe(401);
      expect(((await plant.json()) as any).error.message).toMatch(
        /create_tasks changes state and needs a bearer token/,
      );
      const read = await rpc('tools/call', { name: 'list_projects', arguments: {} });
      expect(read.status).toBe(200);
    } finally {
      controller.abort();
    }
  });
});
