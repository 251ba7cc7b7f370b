import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquire, type SourceDocument } from '../../../src/docs/sources/index.js';
import { buildOpenApiSpec, countOf } from './fixtures/openapi-spec.js';
import { collect, startServer, type TestServer } from './helpers.js';

describe('OpenAPI 3 source', () => {
  const spec = buildOpenApiSpec();
  let dir: string;
  let server: TestServer;
  let docs: SourceDocument[];
  const page = (p: string): string => docs.find((d) => d.path === p)?.content ?? `(no page ${p})`;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-openapi-'));
    await fs.writeFile(path.join(dir, 'tracker.yaml'), stringify(spec));
    server = await startServer((_req, res, url) => {
      if (url.pathname === '/openapi.json')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(spec));
      res.writeHead(404).end();
    });
    docs = await collect(acquire({ kind: 'openapi', path: path.join(dir, 'tracker.yaml') }, { previous: new Map() }));
  });
  afterAll(async () => {
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('one markdown page per operation and per schema, plus an index', () => {
    const { operations, schemas } = countOf(spec);
    expect(operations).toBeGreaterThanOrEqual(30);
    expect(schemas).toBeGreaterThanOrEqual(20);
    expect(docs.filter((d) => d.path.startsWith('operations/')).length).toBe(operations);
    expect(docs.filter((d) => d.path.startsWith('schemas/')).length).toBe(schemas);
    expect(docs.at(-1)?.path).toBe('index.md');
    expect(docs.every((d) => d.format === 'markdown' && d.version === '2.3.0' && d.contentHash?.length === 64)).toBe(
      true,
    );
    expect(docs.map((d) => d.path)).toContain('operations/get-health.md'); // no operationId
  });

  it('operation pages: signature, parameters from $refs, request body and responses resolved', () => {
    const get = page('operations/getTask.md');
    expect(get).toMatch(/^# Get a task\n\n`GET \/projects\/\{projectId\}\/tasks\/\{taskId\}`\n/);
    expect(get).toContain('**Operation ID:** `getTask` · **Tags:** Tasks');
    expect(get).toContain('| `projectId` | path | string (uuid) | yes | Identifier of the project. |');
    expect(get).toContain('| `taskId` | path | string (uuid) | yes | Identifier of the task. |');
    expect(get).toContain('### 200 — The task.');
    expect(get).toContain('`application/json`: [Task](../schemas/Task.md)');
    expect(get).toContain(
      '| `state` | string, one of: `"todo"`, `"doing"`, `"done"`, `"blocked"` | yes | Where the task is. |',
    );
    expect(get).toContain('| `assignee.email` | string (email) | yes | Login and notification address. |');
    expect(get).toContain('### 404 — The resource was not found.');
    expect(get).toContain('| `code` | string | yes | Stable machine-readable code. |');

    const create = page('operations/createWebhook.md');
    expect(create).toContain('## Request body');
    expect(create).toContain('`application/json` (required): [WebhookCreate](../schemas/WebhookCreate.md)');
    expect(create).toContain('| `target` | [WebhookTarget](../schemas/WebhookTarget.md) | yes | Where events go. |');

    const move = page('operations/moveTask.md');
    expect(move).toContain('**Deprecated**');
    expect(move).toContain('| `targetProjectId` | string (uuid) | yes | The destination project. |'); // requestBodies $ref

    const list = page('operations/listProjects.md');
    expect(list).toContain('| `page` | query | integer | no | Page number, from 1. |');
    expect(list).toContain('| `items[].name` | string | yes | Display name. |'); // allOf merged
    expect(list).toContain('| `items[].metadata.*` | string | no | any other key |');

    const search = page('operations/search.md');
    expect(search).toContain('| `q` | query | string | yes | Words to look for; `\\|` means or. |');
    expect(search).toContain('```json');
  });

  it('cycles end in a link marked recursive instead of looping', () => {
    const task = page('schemas/Task.md');
    expect(task).toContain(
      '| `subtasks` | array of [Task](./Task.md) (recursive) | no | Tasks this one was split into. |',
    );
    const category = page('schemas/Category.md');
    expect(category).toContain('| `parent` | [Category](./Category.md) (recursive) | no |');
    const user = page('schemas/User.md');
    expect(user).toContain('| `projects[].owner` | [User](./User.md) (recursive) | no |');
    const op = page('operations/getUser.md');
    expect(op).toContain('| `manager` | [User](../schemas/User.md) (recursive) | no |');
    expect(page('schemas/WebhookTarget.md')).toContain('## One of');
    expect(page('schemas/Error.md')).toContain('"code": "NOT_FOUND"');
    expect(page('index.md')).toContain(
      '- [`GET /projects/{projectId}/tasks/{taskId}`](operations/getTask.md) — Get a task',
    );
  });

  it('JSON from a URL gives the same pages as YAML from a file', async () => {
    const fromUrl = await collect(
      acquire({ kind: 'openapi', url: `${server.origin}/openapi.json`, version: 'v2' }, { previous: new Map() }),
    );
    expect(fromUrl.map((d) => [d.path, d.contentHash])).toEqual(docs.map((d) => [d.path, d.contentHash]));
    expect(fromUrl[0]?.version).toBe('v2');
  });

  it('malformed documents are clear errors', async () => {
    const cases: [string, string, object][] = [
      [
        'bad.yaml',
        'openapi: 3.0.0\npaths: [unclosed\n',
        { code: 'INVALID_INPUT', message: expect.stringMatching(/^malformed OpenAPI document .*bad\.yaml/) },
      ],
      [
        'bad.json',
        '{"openapi": "3.0.0", ',
        { code: 'INVALID_INPUT', message: expect.stringMatching(/^malformed OpenAPI document/) },
      ],
      ['swagger.yaml', 'swagger: "2.0"\ninfo: {title: x, version: "1"}\npaths: {}\n', { code: 'UNSUPPORTED' }],
      [
        'nopaths.yaml',
        'openapi: 3.0.3\ninfo: {title: x, version: "1"}\n',
        { code: 'INVALID_INPUT', message: expect.stringContaining('paths: Required') },
      ],
      [
        'v4.yaml',
        'openapi: 4.0.0\ninfo: {title: x, version: "1"}\npaths: {}\n',
        { code: 'INVALID_INPUT', message: expect.stringContaining('OpenAPI 3.x') },
      ],
      ['list.json', '[1, 2]', { code: 'INVALID_INPUT' }],
    ];
    for (const [name, text, expected] of cases) {
      await fs.writeFile(path.join(dir, name), text);
      await expect(
        collect(acquire({ kind: 'openapi', path: path.join(dir, name) }, { previous: new Map() })),
        name,
      ).rejects.toMatchObject(expected);
    }
    await expect(
      collect(acquire({ kind: 'openapi', url: `${server.origin}/missing.yaml` }, { previous: new Map() })),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // YAML 1.1-style numbers for versions are accepted.
    await fs.writeFile(
      path.join(dir, 'numbers.yaml'),
      'openapi: 3.1\ninfo: {title: x, version: 1.0}\npaths:\n  /a:\n    get:\n      responses: {}\n',
    );
    const small = await collect(
      acquire({ kind: 'openapi', path: path.join(dir, 'numbers.yaml') }, { previous: new Map() }),
    );
    expect(small.map((d) => [d.path, d.version])).toEqual([
      ['operations/get-a.md', '1'],
      ['index.md', '1'],
    ]);
  });
});
