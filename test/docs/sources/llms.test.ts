import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquire } from '../../../src/docs/sources/index.js';
import { collect, previousOf, startServer, type TestServer } from './helpers.js';

const fence = '```';

describe('llms.txt and llms-full.txt', () => {
  let server: TestServer;
  let other: TestServer;
  let dir: string;

  beforeAll(async () => {
    other = await startServer((_req, res, url) => {
      if (url.pathname === '/robots.txt') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/markdown' }).end('# Elsewhere\n');
    });
    server = await startServer((req, res, url) => {
      const send = (type: string, body: string): void => {
        const etag = `"${body.length}"`;
        if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
        res.writeHead(200, { 'content-type': type, etag }).end(body);
      };
      switch (url.pathname) {
        case '/robots.txt':
          return send('text/plain', 'User-agent: *\nDisallow: /private/\n');
        case '/llms.txt':
          return send(
            'text/plain',
            [
              '# Example Product',
              '',
              '> Example Product turns documentation into answers.',
              '',
              '## Docs',
              '',
              '- [Quickstart](/docs/quickstart.md): install and run',
              `- [Guide](${server.origin}/docs/guide.html): the full guide`,
              '- [Relative](docs/relative.md)',
              '- [Quickstart, install section](/docs/quickstart.md#install)',
              '- [Missing](/docs/missing.md)',
              '- [Private](/private/notes.md)',
              '',
              `${fence}markdown`,
              '- [Not a link, an example](/docs/example-in-code.md)',
              fence,
              '',
              '## Optional',
              '',
              `- [Partner docs](${other.origin}/partner/page.md)`,
              '- ![a logo](/logo.png)',
            ].join('\n'),
          );
        case '/docs/quickstart.md':
          return send('text/markdown; charset=utf-8', '# Quickstart\n\nRun it.\n');
        case '/docs/guide.html':
          return send('text/html', '<h1>Guide</h1>');
        case '/docs/relative.md':
          return send('text/plain', '# Relative\n');
        case '/llms-full.txt':
          return send(
            'text/plain',
            [
              '# Quickstart',
              `Source: ${server.origin}/docs/quickstart`,
              '',
              'Install it:',
              '',
              `${fence}bash`,
              '# this comment is not a page',
              'npm install example',
              fence,
              '',
              '# Guide',
              `URL: ${server.origin}/docs/guide/`,
              '',
              'The guide.',
              '',
              '## Details',
              '',
              'More.',
              '',
              '# Page Without Source',
              '',
              'Text.',
            ].join('\n'),
          );
        default:
          res.writeHead(404).end();
      }
    });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-llms-'));
    await fs.mkdir(path.join(dir, 'site/docs'), { recursive: true });
    await fs.writeFile(path.join(dir, 'site/docs/a.md'), '# A\n');
    await fs.writeFile(path.join(dir, 'secret.md'), '# outside\n');
    await fs.writeFile(
      path.join(dir, 'site/llms.txt'),
      '# Local\n\n- [A](docs/a.md)\n- [Escape](../secret.md)\n- [Gone](docs/gone.md)\n',
    );
    await fs.writeFile(
      path.join(dir, 'site/llms-full.txt'),
      '# Manual\n\nPreamble.\n\n## Intro\n\nOne.\n\n## Intro\n\nTwo.\n\n## Café & Crème\n\nThree.\n',
    );
  });
  afterAll(async () => {
    await server.close();
    await other.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('llms.txt: fetches each linked page once, in order, with per-page errors', async () => {
    const docs = await collect(acquire({ kind: 'llms', url: `${server.origin}/llms.txt` }, { previous: new Map() }));
    const host = new URL(other.origin).host;
    expect(docs.map((d) => [d.path, d.format, d.error ?? d.content])).toEqual([
      ['docs/quickstart.md', 'markdown', '# Quickstart\n\nRun it.\n'],
      ['docs/guide.html', 'html', '<h1>Guide</h1>'],
      ['docs/relative.md', 'markdown', '# Relative\n'],
      ['docs/missing.md', 'markdown', 'HTTP 404'],
      ['private/notes.md', 'markdown', 'disallowed by robots.txt'],
      [`${host}/partner/page.md`, 'markdown', '# Elsewhere\n'],
    ]);
    expect(docs[0]?.url).toBe(`${server.origin}/docs/quickstart.md`);
    expect(server.requests.map((r) => r.path)).not.toContain('/docs/example-in-code.md');
    expect(server.requests.map((r) => r.path)).not.toContain('/private/notes.md');

    const again = await collect(
      acquire({ kind: 'llms', url: `${server.origin}/llms.txt` }, { previous: previousOf(docs) }),
    );
    // The partner server sends no validators, so only this server's pages can answer 304.
    expect(again.filter((d) => d.notModified).map((d) => d.path)).toEqual([
      'docs/quickstart.md',
      'docs/guide.html',
      'docs/relative.md',
    ]);
  });

  it('llms-full.txt: split at top-level headings, never inside code, paths from Source/URL lines', async () => {
    const docs = await collect(
      acquire({ kind: 'llms', url: `${server.origin}/llms-full.txt`, version: '2.0' }, { previous: new Map() }),
    );
    expect(docs.map((d) => d.path)).toEqual(['docs/quickstart.md', 'docs/guide/index.md', 'page-without-source.md']);
    expect(docs.every((d) => d.format === 'markdown' && d.version === '2.0')).toBe(true);
    expect(docs[0]?.content).toContain('# this comment is not a page');
    expect(docs[0]?.url).toBe(`${server.origin}/docs/quickstart`);
    expect(docs[1]?.content).toContain('## Details');
    expect(docs[2]?.url).toBeUndefined();
  });

  it('local files: relative links stay inside the folder; a single-H1 file splits at H2', async () => {
    const index = await collect(
      acquire({ kind: 'llms', path: path.join(dir, 'site/llms.txt') }, { previous: new Map() }),
    );
    expect(index.map((d) => [d.path, d.error ?? d.content])).toEqual([
      ['docs/a.md', '# A\n'],
      ['../secret.md', 'outside root'],
      ['docs/gone.md', 'unreadable: ENOENT'],
    ]);
    const full = await collect(
      acquire({ kind: 'llms', path: path.join(dir, 'site/llms-full.txt') }, { previous: new Map() }),
    );
    expect(full.map((d) => d.path)).toEqual(['index.md', 'intro.md', 'intro-2.md', 'cafe-creme.md']);
    expect(full[0]?.content).toContain('Preamble.');
  });

  it('an unreachable or missing llms.txt is a clear error', async () => {
    await expect(
      collect(acquire({ kind: 'llms', url: `${server.origin}/nope/llms.txt` }, { previous: new Map() })),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('HTTP 404'),
    });
    await expect(
      collect(acquire({ kind: 'llms', path: path.join(dir, 'missing.txt') }, { previous: new Map() })),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
