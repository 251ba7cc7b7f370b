import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBosunError, sha256 } from '../../../src/core/index.js';
import {
  addLibrary,
  libraryNames,
  libraryPages,
  pageLinks,
  recentSyncRuns,
  syncLibrary,
} from '../../../src/docs/index.js';
import { commitLibraryChanges } from '../../../src/docs/store/index.js';
import { withLibraryLock } from '../../../src/docs/sync/index.js';
import { PageProcessor } from '../../../src/docs/sync/process-page.js';
import { openPipeline, type Pipeline } from './support.js';

async function write(root: string, rel: string, body: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await fs.writeFile(path.join(root, rel), body);
}

/** A small library of `n` pages, each linking to the next. */
async function makeDocs(root: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await write(root, `p${i}.md`, `# Page ${i}\n\nSee [the next page](p${i + 1}.md).\n`);
}

describe('interrupted and half-finished syncs', () => {
  let p: Pipeline;
  let root: string;

  beforeAll(async () => {
    p = await openPipeline();
    root = path.join(p.dir, 'docs');
    await makeDocs(root, 40);
    await addLibrary(p.db.pool, { name: 'small', input: root, source: {} });
  });
  afterAll(() => p?.close());

  it('an interrupted first sync commits nothing; the next one does all the work', async () => {
    const controller = new AbortController();
    const run = syncLibrary(p.deps, 'small', {
      signal: controller.signal,
      onProgress: (e) => {
        if ((e.done ?? 0) >= 10) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'INTERRUPTED' });
    expect(await p.lake.latestSnapshotId()).toBe(0);
    expect(await libraryPages(p.db.pool, 'small')).toEqual([]);
    const [failed] = await recentSyncRuns(p.db.pool, 'small');
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTED' } });

    const summary = await syncLibrary(p.deps, 'small');
    expect(summary.pages).toMatchObject({ added: 40, failed: 0 });
    // Unversioned pages get the version 'latest'; the last page's link has no target.
    expect(summary.versions).toEqual(['latest']);
    expect(summary.links).toEqual({ total: 40, broken: 1 });
  });

  it('an interrupted re-sync leaves the previous snapshot as it was', async () => {
    const before = await p.lake.latestSnapshotId();
    await write(root, 'p1.md', '# Page 1, edited\n');
    await write(root, 'p30.md', '# Page 30, edited\n');
    const controller = new AbortController();
    await expect(
      syncLibrary(p.deps, 'small', {
        signal: controller.signal,
        onProgress: (e) => (e.done ?? 0) >= 20 && controller.abort(),
      }),
    ).rejects.toMatchObject({ code: 'INTERRUPTED' });
    expect(await p.lake.latestSnapshotId()).toBe(before);
    const [row] = await p.query(`SELECT title FROM docs.pages WHERE library = 'small' AND path = 'p1.md'`);
    expect(row?.title).toBe('Page 1');

    const summary = await syncLibrary(p.deps, 'small');
    expect(summary.pages).toMatchObject({ changed: 2, unchanged: 38, added: 0, removed: 0 });
  });

  it('repairs PostgreSQL when a sync died between its lake commit and its metadata', async () => {
    // What a crash right after the lake commit leaves: the lake has the new page, PostgreSQL the old record.
    const content = '# Page 5, rewritten\n\nNow it links [home](p0.md) instead.\n';
    await write(root, 'p5.md', content);
    const processed = await new PageProcessor().process({
      library: 'small',
      version: 'latest',
      path: 'p5.md',
      url: null,
      sourcePath: 'p5.md',
      format: 'markdown',
      content,
      contentHash: sha256(content),
      fetchedAt: new Date(),
    });
    const committed = await commitLibraryChanges(
      p.lake,
      {
        library: 'small',
        pages: [processed.page],
        chunks: processed.chunks,
        replacedPageIds: [processed.page.page_id],
      },
      { author: 'test', message: 'a sync that died before its metadata' },
    );
    expect(committed.snapshotId).not.toBeNull();
    const stale = (await libraryPages(p.db.pool, 'small')).find((r) => r.path === 'p5.md');
    expect(stale?.title).toBe('Page 5');

    const summary = await syncLibrary(p.deps, 'small');
    // The lake already holds the content: no new snapshot, but the record and links are repaired.
    expect(summary.snapshotId).toBeNull();
    expect(summary.pages).toMatchObject({ added: 0, changed: 0, unchanged: 40 });
    expect(await p.lake.latestSnapshotId()).toBe(committed.snapshotId);
    const repaired = (await libraryPages(p.db.pool, 'small')).find((r) => r.path === 'p5.md');
    expect(repaired).toMatchObject({ title: 'Page 5, rewritten', contentHash: sha256(content), status: 'ok' });
    const links = await pageLinks(p.db.pool, 'small', 'latest', 'p5.md');
    expect(links.outgoing.map((l) => l.toPath)).toEqual(['p0.md']);
  });

  it('closes a run left running by a process that died, and refuses a second sync of the same library', async () => {
    await p.db.pool.query(
      `INSERT INTO bosun.doc_sync_run (id, library, status) VALUES (gen_random_uuid(), 'small', 'running')`,
    );
    await syncLibrary(p.deps, 'small');
    const runs = await recentSyncRuns(p.db.pool, 'small', 2);
    // Closed by the next sync as what it was: interrupted (its owner is gone), not a failure of its own.
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'interrupted']);
    expect(runs[1]?.error?.code).toBe('INTERRUPTED');

    await withLibraryLock(p.db.pool, 'small', async () => {
      const err = await syncLibrary(p.deps, 'small').catch((e: unknown) => e);
      expect(isBosunError(err, 'CONFLICT')).toBe(true);
    });
  });
});

describe('bad input', () => {
  let p: Pipeline;
  let root: string;

  beforeAll(async () => {
    p = await openPipeline();
    root = path.join(p.dir, 'docs');
    await write(root, 'good.md', '# Good\n\nFine.\n');
    await write(root, 'later-binary.md', '# Text for now\n');
    await write(root, 'binary.md', Buffer.from([0x23, 0x20, 0x00, 0x01, 0x02]));
    await write(root, 'latin1.md', Buffer.from('# Caf\xe9\n', 'latin1'));
    await write(root, 'huge.md', Buffer.alloc(50 * 1024 * 1024, 'a'));
    await write(path.join(p.dir, 'outside'), 'secret.md', '# Secret\n');
    await fs.symlink(path.join(p.dir, 'outside', 'secret.md'), path.join(root, 'escape.md'));
    await addLibrary(p.db.pool, { name: 'bad', input: root, source: {} });
  });
  afterAll(() => p?.close());

  it('turns binary, non-UTF-8, oversized and escaping files into per-page failures with reasons', async () => {
    const summary = await syncLibrary(p.deps, 'bad');
    expect(summary.pages).toMatchObject({ added: 2, failed: 4 });
    const reasons = Object.fromEntries(summary.failures.map((f) => [f.path, f.reason]));
    expect(reasons['binary.md']).toBe('binary file');
    expect(reasons['latin1.md']).toBe('not valid UTF-8');
    expect(reasons['huge.md']).toMatch(/^too large \(52428800 bytes/);
    expect(reasons['escape.md']).toMatch(/^outside root/);
    const pages = await p.query(`SELECT path FROM docs.pages WHERE library = 'bad' ORDER BY path`);
    expect(pages.map((r) => r.path)).toEqual(['good.md', 'later-binary.md']);
    const records = await libraryPages(p.db.pool, 'bad');
    expect(
      records
        .filter((r) => r.status === 'failed')
        .map((r) => r.path)
        .sort(),
    ).toEqual(['binary.md', 'escape.md', 'huge.md', 'latin1.md']);
  });

  it('keeps the earlier copy of a page that now fails, and reports it', async () => {
    const before = await p.lake.latestSnapshotId();
    await write(root, 'later-binary.md', Buffer.from([0x00, 0xff]));
    const summary = await syncLibrary(p.deps, 'bad');
    expect(summary.pages).toMatchObject({ failed: 5, removed: 0, changed: 0 });
    expect(summary.snapshotId).toBeNull();
    expect(await p.lake.latestSnapshotId()).toBe(before);
    const [kept] = await p.query(`SELECT title FROM docs.pages WHERE library = 'bad' AND path = 'later-binary.md'`);
    expect(kept?.title).toBe('Text for now');
    const record = (await libraryPages(p.db.pool, 'bad')).find((r) => r.path === 'later-binary.md');
    expect(record).toMatchObject({ status: 'failed', error: 'binary file', contentHash: sha256('# Text for now\n') });
  });

  it('refuses a missing folder at add, storing nothing', async () => {
    const err = await addLibrary(p.db.pool, { name: 'ghost', input: path.join(p.dir, 'nope'), source: {} }).catch(
      (e: unknown) => e,
    );
    expect(isBosunError(err, 'NOT_FOUND')).toBe(true);
    expect(await libraryNames(p.db.pool)).toEqual(['bad']);
  });

  it('fails a sync whose folder disappeared, without touching the lake', async () => {
    const gone = path.join(p.dir, 'temporary');
    await makeDocs(gone, 3);
    await addLibrary(p.db.pool, { name: 'vanishing', input: gone, source: {} });
    await fs.rm(gone, { recursive: true });
    const before = await p.lake.latestSnapshotId();
    await expect(syncLibrary(p.deps, 'vanishing')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('folder not found'),
    });
    expect(await p.lake.latestSnapshotId()).toBe(before);
    expect((await recentSyncRuns(p.db.pool, 'vanishing'))[0]).toMatchObject({
      status: 'failed',
      error: { code: 'NOT_FOUND' },
    });
  });

  it('fails a sync of a malformed OpenAPI document with a clear error', async () => {
    const spec = path.join(p.dir, 'api.yaml');
    await fs.writeFile(spec, 'openapi: 3.0.3\ninfo: [this is not an info object\npaths:\n  /x: {get: }\n');
    await addLibrary(p.db.pool, { name: 'api', input: spec, source: {} });
    const err = await syncLibrary(p.deps, 'api').catch((e: unknown) => e);
    expect(isBosunError(err)).toBe(true);
    expect((err as Error).message).toMatch(/OpenAPI|YAML|api\.yaml/i);
    expect(await p.query(`SELECT count(*) AS n FROM docs.pages WHERE library = 'api'`)).toEqual([{ n: 0n }]);
  });
});

describe('several sources of one library', () => {
  let p: Pipeline;

  beforeAll(async () => {
    p = await openPipeline();
    const a = path.join(p.dir, 'a');
    const b = path.join(p.dir, 'b');
    await write(a, 'guide.md', '# Guide from A\n');
    await write(a, 'shared.md', '# Shared, as A has it\n');
    await write(b, 'shared.md', '# Shared, as B has it\n');
    await write(b, 'extra.md', '# Only in B\n\n[guide](guide.md)\n');
    await addLibrary(p.db.pool, { name: 'multi', input: a, source: {} });
    await addLibrary(p.db.pool, { name: 'multi', input: b, source: {}, append: true });
  });
  afterAll(() => p?.close());

  it('merges them; the earlier-listed source wins a page both provide, and the conflict is reported', async () => {
    const summary = await syncLibrary(p.deps, 'multi');
    expect(summary.pages).toMatchObject({ added: 3, failed: 0 });
    expect(summary.conflicts).toEqual([{ version: 'latest', path: 'shared.md', winner: 0, loser: 1 }]);
    const rows = await p.query(`SELECT path, title FROM docs.pages WHERE library = 'multi' ORDER BY path`);
    expect(rows.map((r) => [r.path, r.title])).toEqual([
      ['extra.md', 'Only in B'],
      ['guide.md', 'Guide from A'],
      ['shared.md', 'Shared, as A has it'],
    ]);
    // Links cross sources: B's page links to A's.
    expect((await pageLinks(p.db.pool, 'multi', 'latest', 'extra.md')).outgoing[0]).toMatchObject({
      kind: 'page',
      toPath: 'guide.md',
    });
    const records = await libraryPages(p.db.pool, 'multi');
    expect(Object.fromEntries(records.map((r) => [r.path, r.sourcePosition]))).toEqual({
      'extra.md': 1,
      'guide.md': 0,
      'shared.md': 0,
    });
  });

  it('refuses to add the same source twice', async () => {
    const err = await addLibrary(p.db.pool, {
      name: 'multi',
      input: path.join(p.dir, 'b'),
      source: {},
      append: true,
    }).catch((e: unknown) => e);
    expect(isBosunError(err, 'CONFLICT')).toBe(true);
  });
});

describe('syncs of different libraries at the same time', () => {
  let p: Pipeline;

  beforeAll(async () => {
    p = await openPipeline();
    for (const name of ['left', 'right']) {
      await makeDocs(path.join(p.dir, name), 20);
      await addLibrary(p.db.pool, { name, input: path.join(p.dir, name), source: {} });
    }
  });
  afterAll(() => p?.close());

  it('both commit: a lake conflict between them is retried on the new snapshot', async () => {
    const both = () => Promise.all(['left', 'right'].map((name) => syncLibrary(p.deps, name)));
    await both();
    await p.lake.compact();
    for (const name of ['left', 'right']) await write(path.join(p.dir, name), 'p3.md', `# ${name} changed\n`);
    const [left, right] = await both();
    expect([left?.pages.changed, right?.pages.changed]).toEqual([1, 1]);
    expect(left?.snapshotId).not.toBeNull();
    expect(right?.snapshotId).not.toBeNull();
    expect(left?.snapshotId).not.toBe(right?.snapshotId);
    const titles = await p.query(`SELECT library, title FROM docs.pages WHERE path = 'p3.md' ORDER BY library`);
    expect(titles).toEqual([
      { library: 'left', title: 'left changed' },
      { library: 'right', title: 'right changed' },
    ]);
    expect(await p.query(`SELECT library, count(*) AS n FROM docs.chunks GROUP BY library ORDER BY library`)).toEqual([
      { library: 'left', n: 20n },
      { library: 'right', n: 20n },
    ]);
  });
});
