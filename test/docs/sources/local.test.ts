import { promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquire, type SourceDocument } from '../../../src/docs/sources/index.js';
import { collect } from './helpers.js';

const CORPORA = fileURLToPath(new URL('../../../../shared/corpora', import.meta.url));
const docExtension = /\.(md|markdown|mdx|html?|txt)$/i;

/**
 * Pages per version counted straight from the disk, independently of the source: files in a
 * version folder count for that version; files outside every version folder count for every
 * version unless the version has its own file at the same path.
 */
function countOnDisk(root: string, versionNames: RegExp): Map<string, number> {
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => docExtension.test(f) && !f.split('/').some((s) => s.startsWith('.')));
  const perVersion = new Map<string, Set<string>>();
  const shared: string[] = [];
  for (const f of files) {
    const dirs = f.split('/').slice(0, -1);
    const at = dirs.findIndex((d) => versionNames.test(d));
    if (at < 0) {
      shared.push(f);
      continue;
    }
    const version = dirs[at] as string;
    const rest = [...f.split('/').slice(0, at), ...f.split('/').slice(at + 1)].join('/');
    perVersion.set(version, (perVersion.get(version) ?? new Set()).add(rest));
  }
  return new Map([...perVersion].map(([v, own]) => [v, own.size + shared.filter((s) => !own.has(s)).length]));
}

function countByVersion(docs: SourceDocument[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of docs) counts.set(String(d.version), (counts.get(String(d.version)) ?? 0) + 1);
  return counts;
}

describe('local source over the shared corpora with versionsFrom: folders', () => {
  it('DuckLake docs: one version per top folder (0.1 … 0.4, stable)', async () => {
    const root = path.join(CORPORA, 'ducklake-docs/docs');
    const docs = await collect(
      acquire({ kind: 'local', path: root, versionsFrom: 'folders' }, { previous: new Map() }),
    );
    const expected = countOnDisk(root, /^(\d+(\.\d+)*|stable)$/);
    expect([...expected.keys()].sort()).toEqual(['0.1', '0.2', '0.3', '0.4', 'stable']);
    expect(countByVersion(docs)).toEqual(expected);
    console.log('ducklake-docs versions:', Object.fromEntries(countByVersion(docs)));
    expect(docs.every((d) => d.error === undefined && d.format === 'markdown' && d.contentHash?.length === 64)).toBe(
      true,
    );
    expect(docs.find((d) => d.version === 'stable' && d.path === 'index.md')).toBeDefined();
    expect(docs.some((d) => /(^|\/)(0\.\d|stable)\//.test(d.path))).toBe(false);
  });

  it('MCP docs: dated folders under docs/ and specification/, shared pages in every version', async () => {
    const root = path.join(CORPORA, 'mcp-docs/docs');
    const docs = await collect(
      acquire({ kind: 'local', path: root, versionsFrom: 'folders' }, { previous: new Map() }),
    );
    const expected = countOnDisk(root, /^(\d{4}-\d{2}-\d{2}|draft)$/);
    expect([...expected.keys()].sort()).toEqual([
      '2024-11-05',
      '2025-03-26',
      '2025-06-18',
      '2025-11-25',
      '2026-07-28',
      'draft',
    ]);
    expect(countByVersion(docs)).toEqual(expected);
    console.log('mcp-docs versions:', Object.fromEntries(countByVersion(docs)));
    const draft = docs.filter((d) => d.version === 'draft').map((d) => d.path);
    expect(draft).toContain('specification/index.mdx');
    expect(draft).toContain('docs/getting-started/intro.mdx');
    expect(draft).toContain('community/governance.mdx'); // shared
    expect(docs.some((d) => d.path.startsWith('.mintlify'))).toBe(false);
    expect(docs.every((d) => d.format === 'mdx')).toBe(true);
  });

  it('version selects one version folder; an unknown one lists those found', async () => {
    const root = path.join(CORPORA, 'ducklake-docs/docs');
    const docs = await collect(
      acquire({ kind: 'local', path: root, versionsFrom: 'folders', version: '0.3' }, { previous: new Map() }),
    );
    expect(new Set(docs.map((d) => d.version))).toEqual(new Set(['0.3']));
    expect(docs.length).toBe(
      readdirSync(path.join(root, '0.3'), { recursive: true }).filter((f) => String(f).endsWith('.md')).length,
    );
    await expect(
      collect(acquire({ kind: 'local', path: root, versionsFrom: 'folders', version: '9.9' }, { previous: new Map() })),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      hint: 'versions found: 0.1, 0.2, 0.3, 0.4, stable',
    });
  });
});

describe('local source: filters and bad files', () => {
  let dir: string;
  let root: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-local-'));
    root = path.join(dir, 'docs');
    const files: Record<string, string | Buffer> = {
      'index.md': '# Home\n',
      'guide/intro.mdx': '# Intro\n',
      'guide/page.html': '<h1>Page</h1>',
      'guide/notes.txt': 'notes',
      'guide/image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
      'api/ref.markdown': '# Ref\n',
      'api/internal/secret.md': '# Secret\n',
      '.hidden/skip.md': '# hidden\n',
      'node_modules/pkg/README.md': '# dependency\n',
      'bad/binary.md': Buffer.from([0x23, 0x20, 0x41, 0x00, 0x01, 0x02]),
      'bad/latin1.md': Buffer.from('# Caf\xe9\n', 'latin1'),
      'bad/big.md': 'x'.repeat(5000),
    };
    for (const [rel, body] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await fs.writeFile(path.join(root, rel), body);
    }
    await fs.writeFile(path.join(dir, 'outside.md'), '# Outside the root\n');
    await fs.symlink(path.join(dir, 'outside.md'), path.join(root, 'escape.md'));
    await fs.symlink(dir, path.join(root, 'escape-dir'));
    await fs.symlink(path.join(root, 'index.md'), path.join(root, 'alias.md'));
    await fs.symlink(path.join(root, 'guide'), path.join(root, 'guide-link'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  const run = (extra: object = {}) =>
    collect(acquire({ kind: 'local', path: root, maxPageBytes: 4096, ...extra }, { previous: new Map() }));

  it('walks documentation files only, skipping dot folders and node_modules, in path order', async () => {
    const docs = await run();
    expect(docs.map((d) => d.path)).toEqual([
      'alias.md',
      'api/internal/secret.md',
      'api/ref.markdown',
      'bad/big.md',
      'bad/binary.md',
      'bad/latin1.md',
      'escape-dir',
      'escape.md',
      'guide/intro.mdx',
      'guide/notes.txt',
      'guide/page.html',
      'index.md',
    ]);
    const by = new Map(docs.map((d) => [d.path, d]));
    expect(by.get('guide/intro.mdx')?.format).toBe('mdx');
    expect(by.get('guide/page.html')?.format).toBe('html');
    expect(by.get('guide/notes.txt')?.format).toBe('text');
    expect(by.get('api/ref.markdown')?.format).toBe('markdown');
    expect(by.get('alias.md')?.content).toBe('# Home\n'); // a symlink inside the root is fine
    expect(by.get('index.md')?.version).toBeNull();
  });

  it('turns bad files into per-page errors', async () => {
    const by = new Map((await run()).map((d) => [d.path, d]));
    expect(by.get('escape.md')?.error).toMatch(/^outside root/);
    expect(by.get('escape-dir')?.error).toMatch(/^outside root/);
    expect(by.get('bad/binary.md')?.error).toBe('binary file');
    expect(by.get('bad/latin1.md')?.error).toBe('not valid UTF-8');
    expect(by.get('bad/big.md')?.error).toBe('too large (5000 bytes > 4096)');
    for (const p of ['escape.md', 'bad/binary.md', 'bad/latin1.md', 'bad/big.md'])
      expect(by.get(p)?.content).toBeUndefined();
  });

  it('reports progress per page', async () => {
    const events: { done: number; total?: number; current?: string }[] = [];
    await collect(
      acquire(
        { kind: 'local', path: root, include: ['guide/**'] },
        { previous: new Map(), onProgress: (e) => events.push(e) },
      ),
    );
    expect(events).toEqual([
      { done: 1, total: 3, current: 'guide/intro.mdx' },
      { done: 2, total: 3, current: 'guide/notes.txt' },
      { done: 3, total: 3, current: 'guide/page.html' },
    ]);
  });

  it('applies include and exclude globs to paths relative to the root', async () => {
    const docs = await run({ include: ['guide/**', 'api/**'], exclude: ['**/internal/**', '**/*.txt'] });
    expect(docs.map((d) => d.path)).toEqual(['api/ref.markdown', 'guide/intro.mdx', 'guide/page.html']);
    const tagged = await run({ include: ['index.md'], version: '1.0' });
    expect(tagged).toEqual([expect.objectContaining({ path: 'index.md', version: '1.0' })]);
  });

  it('a missing folder or a file instead of a folder is a clear error', async () => {
    await expect(
      collect(acquire({ kind: 'local', path: path.join(dir, 'nope') }, { previous: new Map() })),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('folder not found'),
    });
    await expect(
      collect(acquire({ kind: 'local', path: path.join(dir, 'outside.md') }, { previous: new Map() })),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
