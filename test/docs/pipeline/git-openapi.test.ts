import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLibrary, libraryVersions, pageLinks, recentSyncRuns, syncLibrary } from '../../../src/docs/index.js';
import { runChecked } from '../../../src/exec/index.js';
import { buildOpenApiSpec, countOf } from '../sources/fixtures/openapi-spec.js';
import { openPipeline, type Pipeline } from './support.js';

const author = ['-c', 'user.name=Bosun Test', '-c', 'user.email=test@bosun.invalid', '-c', 'init.defaultBranch=main'];

describe('a git repository with several tags', () => {
  let p: Pipeline;
  let repo: string;
  const git = async (...args: string[]) => runChecked('git', [...author, '-C', repo, ...args]);
  const write = async (rel: string, body: string) => {
    await fs.mkdir(path.dirname(path.join(repo, rel)), { recursive: true });
    await fs.writeFile(path.join(repo, rel), body);
  };
  const release = async (tag: string) => {
    await git('add', '-A');
    await git('commit', '-q', '-m', tag);
    await git('tag', tag);
  };

  beforeAll(async () => {
    p = await openPipeline();
    repo = path.join(p.dir, 'repo');
    await runChecked('git', [...author, 'init', '-q', repo]);
    await write('README.md', '# Project\n');
    await write('docs/index.md', '# Docs 1.0\n\nRead the [install guide](guide/install.md).\n');
    await write('docs/guide/install.md', '# Install\n\n```sh\nnpm i thing\n```\n');
    await release('v1.0');
    await write(
      'docs/index.md',
      '# Docs 1.1\n\nRead the [install guide](guide/install.md) and [configure](guide/configure.mdx).\n',
    );
    await write('docs/guide/configure.mdx', '# Configure\n\n<Note>Set `THING_HOME` first.</Note>\n');
    await release('v1.1');
    await fs.rm(path.join(repo, 'docs/guide/install.md'));
    await write(
      'docs/index.md',
      '# Docs 2.0\n\nRead [configure](guide/configure.mdx); the [install guide](guide/install.md) is gone.\n',
    );
    await release('v2.0');
    await addLibrary(p.db.pool, { name: 'thing', input: repo, source: { tags: 'v*', subdir: 'docs' } });
  }, 30_000);
  afterAll(() => p?.close());

  it('makes one version per tag, with that tag’s pages, and the newest as default', async () => {
    const summary = await syncLibrary(p.deps, 'thing');
    expect(summary.pages).toMatchObject({ added: 7, failed: 0 });
    const versions = await libraryVersions(p.db.pool, 'thing');
    expect(versions.map((v) => [v.version, v.pages, v.isDefault])).toEqual([
      ['v2.0', 2, true],
      ['v1.1', 3, false],
      ['v1.0', 2, false],
    ]);
    const [configure] = await p.query(
      `SELECT markdown FROM docs.pages WHERE library = 'thing' AND version = 'v1.1' AND path = 'guide/configure.mdx'`,
    );
    expect(String(configure?.markdown)).toContain('Set `THING_HOME` first.');
    const index20 = await pageLinks(p.db.pool, 'thing', 'v2.0', 'index.md');
    expect(index20.outgoing.map((l) => [l.href, l.kind])).toEqual([
      ['guide/configure.mdx', 'page'],
      ['guide/install.md', 'broken'],
    ]);
    // Checkouts live in the work folder only while the sync runs.
    expect((await fs.readdir(p.dir)).filter((f) => f.startsWith('bosun-git-'))).toEqual([]);
  });

  it('adds only the new tag’s pages on the next sync, and commits nothing when no tag changed', async () => {
    const before = await p.lake.latestSnapshotId();
    const unchanged = await syncLibrary(p.deps, 'thing');
    expect(unchanged.snapshotId).toBeNull();
    expect(await p.lake.latestSnapshotId()).toBe(before);

    await write('docs/index.md', '# Docs 2.1\n');
    await release('v2.1');
    const summary = await syncLibrary(p.deps, 'thing');
    expect(summary.pages).toMatchObject({ added: 2, changed: 0, removed: 0, unchanged: 7 });
    expect(summary.defaultVersion).toBe('v2.1');
  });

  it('fails a sync with an invalid ref clearly, and commits nothing', async () => {
    await addLibrary(p.db.pool, { name: 'bad-ref', input: repo, source: { ref: 'no-such-ref' } });
    const before = await p.lake.latestSnapshotId();
    await expect(syncLibrary(p.deps, 'bad-ref')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining("ref 'no-such-ref' not found"),
    });
    expect(await p.lake.latestSnapshotId()).toBe(before);
    expect((await recentSyncRuns(p.db.pool, 'bad-ref'))[0]?.status).toBe('failed');
  });
});

describe('an OpenAPI document', () => {
  let p: Pipeline;
  const spec = buildOpenApiSpec();

  beforeAll(async () => {
    p = await openPipeline();
    const file = path.join(p.dir, 'tracker.openapi.json');
    await fs.writeFile(file, JSON.stringify(spec, null, 2));
    await addLibrary(p.db.pool, { name: 'tracker', input: file, source: {} });
  });
  afterAll(() => p?.close());

  it('becomes one page per operation and per schema, linked together', async () => {
    const { operations, schemas } = countOf(spec);
    const summary = await syncLibrary(p.deps, 'tracker');
    expect(summary.pages.failed).toBe(0);
    const rows = await p.query(`SELECT path, version FROM docs.pages WHERE library = 'tracker'`);
    const paths = rows.map((r) => String(r.path));
    expect(paths.filter((x) => x.startsWith('operations/')).length).toBe(operations);
    expect(paths.filter((x) => x.startsWith('schemas/')).length).toBe(schemas);
    expect(new Set(rows.map((r) => r.version))).toEqual(new Set(['2.3.0']));
    // Every operation and schema reference resolves to a page of the document.
    expect(summary.links.broken).toBe(0);
    const task = await pageLinks(p.db.pool, 'tracker', '2.3.0', 'schemas/Task.md');
    expect(task.incoming.map((l) => l.fromPath)).toContain('operations/getTask.md');
    const chunks = await p.query(
      `SELECT heading_path FROM docs.chunks WHERE library = 'tracker' AND path LIKE 'operations/%'`,
    );
    expect(chunks.length).toBeGreaterThanOrEqual(operations);
  });
});
