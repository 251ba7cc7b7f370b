import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/exec/index.js';
import { bosunBin, repoRoot } from '../support/cli.js';
import { buildDocsFixture, httpServer, type DocsFixture, type RunningServer } from './docs-fixture.js';

/** The MCP Inspector's command-line mode (0.15.0, a dev dependency): a client nobody here wrote. */
const INSPECTOR = path.join(repoRoot, 'node_modules', '@modelcontextprotocol', 'inspector', 'cli', 'build', 'cli.js');

describe('the docs server driven by the MCP Inspector CLI', () => {
  let f: DocsFixture;
  let server: RunningServer;

  /** Runs the inspector against a target (a command line or a URL) and parses what it prints. */
  const inspect = async (target: string[], method: string[]): Promise<any> => {
    const res = await runCommand(process.execPath, [INSPECTOR, '--cli', ...target, '--method', ...method], {
      env: f.env(),
      cwd: repoRoot,
      timeoutMs: 120_000,
    });
    expect(res.exitCode, res.stderr + res.stdout).toBe(0);
    return JSON.parse(res.stdout);
  };
  const stdio = () => [process.execPath, bosunBin, 'mcp', 'docs', '--library', 'ducklake'];

  beforeAll(async () => {
    f = await buildDocsFixture();
    server = await httpServer(f, []);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await f?.close();
  });

  it('lists the tools over stdio', async () => {
    const { tools } = await inspect(stdio(), ['tools/list']);
    expect(tools.map((t: { name: string }) => t.name).sort()).toEqual([
      'find_related',
      'get_outline',
      'list_libraries',
      'read_page',
      'search_docs',
    ]);
  });

  it('calls search_docs and then read_page on its first hit over stdio', async () => {
    const search = await inspect(stdio(), [
      'tools/call',
      '--tool-name',
      'search_docs',
      '--tool-arg',
      'query=snapshot isolation',
      '--tool-arg',
      'limit=2',
    ]);
    expect(search.isError).toBeFalsy();
    expect(search.structuredContent.hits).toHaveLength(2);
    const hit = search.structuredContent.hits[0];
    expect(search.content[0].text).toContain(hit.citation);
    const read = await inspect(stdio(), [
      'tools/call',
      '--tool-name',
      'read_page',
      '--tool-arg',
      `path=${hit.path}`,
      '--tool-arg',
      'max_tokens=2000',
    ]);
    expect(read.isError).toBeFalsy();
    expect(read.structuredContent).toMatchObject({ library: 'ducklake', version: 'stable', path: hit.path });
    expect(read.structuredContent.text.length).toBeGreaterThan(50);
  });

  it('does the same over Streamable HTTP', async () => {
    const { tools } = await inspect([server.url, '--transport', 'http'], ['tools/list']);
    expect(tools).toHaveLength(5);
    const search = await inspect(
      [server.url, '--transport', 'http'],
      ['tools/call', '--tool-name', 'search_docs', '--tool-arg', 'query=tools/call', '--tool-arg', 'library=mcp'],
    );
    expect(search.structuredContent.hits[0].library).toBe('mcp');
    const read = await inspect(
      [server.url, '--transport', 'http'],
      [
        'tools/call',
        '--tool-name',
        'read_page',
        '--tool-arg',
        'library=mcp',
        '--tool-arg',
        'path=specification/server/tools.mdx',
        '--tool-arg',
        'section=Error Handling',
      ],
    );
    expect(read.structuredContent.section.at(-1)).toBe('Error Handling');
    expect(read.structuredContent.text).toContain('isError');
  });

  it('reads a page resource', async () => {
    const { contents } = await inspect(stdio(), [
      'resources/read',
      '--uri',
      'docs://ducklake/stable/specification/tables/ducklake_snapshot.md',
    ]);
    expect(contents[0]).toMatchObject({ mimeType: 'text/markdown' });
    expect(contents[0].text).toContain('snapshot_id');
  });
});
