import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTokens } from '../../../src/docs/chunk/index.js';
import { addLibrary, deprecateVersion, syncLibrary } from '../../../src/docs/index.js';
import { withTransaction } from '../../../src/db/index.js';
import { citationTokens } from '../../../src/docs/search/hits.js';
import { openLakeSearcher } from '../../../src/docs/search/open.js';
import { recentAccess } from '../../../src/docs/search/access-log.js';
import type { Searcher } from '../../../src/docs/search/searcher.js';
import { addAndSync, alphaDocs, betaDocs, deltaDocs, openPipeline, writeDocs, type Pipeline } from './support.js';

const chunkId = /^[0-9a-f]{24}$/;

describe('search over libraries synced by the real pipeline', () => {
  let p: Pipeline;
  let searcher: Searcher;
  let betaRoot: string;

  beforeAll(async () => {
    p = await openPipeline();
    const alphaRoot = path.join(p.dir, 'alpha');
    betaRoot = path.join(p.dir, 'beta');
    const deltaRoot = path.join(p.dir, 'delta');
    await writeDocs(alphaRoot, alphaDocs);
    await writeDocs(betaRoot, betaDocs);
    await writeDocs(deltaRoot, deltaDocs);
    await addAndSync(p, 'alpha', alphaRoot, { versionsFrom: 'folders' });
    await addAndSync(p, 'beta', betaRoot);
    await addAndSync(p, 'delta', deltaRoot, { versionsFrom: 'folders' });
    // Registered, never synced: nothing indexed.
    await fs.mkdir(path.join(p.dir, 'gamma'));
    await addLibrary(p.db.pool, { name: 'gamma', input: path.join(p.dir, 'gamma'), source: {} });
    searcher = await openLakeSearcher({ pool: p.db.pool, lake: p.lake, client: 'test' });
  });
  afterAll(async () => {
    await searcher?.close();
    await p?.close();
  });

  it('every chunk the sync wrote has its postings in the same snapshot', async () => {
    const [counts] = await p.query(
      `SELECT (SELECT count(*) FROM docs.chunks) AS chunks,
              (SELECT count(*) FROM docs.chunk_terms) AS indexed,
              (SELECT count(*) FROM docs.chunks c WHERE c.chunk_id NOT IN (SELECT chunk_id FROM docs.chunk_terms)) AS missing`,
    );
    expect(Number(counts!.chunks)).toBeGreaterThan(10);
    expect(Number(counts!.indexed)).toBe(Number(counts!.chunks));
    expect(Number(counts!.missing)).toBe(0);
  });

  it('searches the default version, and every hit carries its citation', async () => {
    const r = await searcher.search({ query: 'installer setup questions', libraries: ['alpha'] });
    expect(r.searched).toEqual([{ library: 'alpha', version: '2.0' }]);
    const hit = r.hits[0]!;
    expect(hit).toMatchObject({
      rank: 1,
      library: 'alpha',
      version: '2.0',
      path: 'guide/install.md',
      title: 'Installing Alpha',
      snapshot_id: searcher.snapshotId,
    });
    expect(hit.chunk_id).toMatch(chunkId);
    expect(hit.heading_path[0]).toBe('Installing Alpha');
    expect(hit.score).toBeGreaterThan(0);
    expect(hit.text).toContain('Download the Alpha installer');
    expect(hit.url).toBeUndefined();
  });

  it('returns results from the requested version only', async () => {
    const old = await searcher.search({ query: 'legacy_sync_mode', libraries: ['alpha'], version: '1.0' });
    expect(old.hits[0]).toMatchObject({ version: '1.0', path: 'reference/legacy_sync.md' });
    expect(old.hits.every((h) => h.version === '1.0')).toBe(true);

    const current = await searcher.search({ query: 'legacy_sync_mode', libraries: ['alpha'] });
    expect(current.hits.every((h) => h.version === '2.0')).toBe(true);
    expect(current.hits.some((h) => h.path === 'reference/legacy_sync.md')).toBe(false);
  });

  it('finds identifiers and error codes', async () => {
    expect((await searcher.search({ query: 'alpha_stream_mode', libraries: ['alpha'] })).hits[0]?.path).toBe(
      'reference/stream_mode.md',
    );
    const quota = await searcher.search({ query: 'what does error -32099 mean?', libraries: ['alpha'] });
    expect(quota.terms).toContain('-32099');
    // The page's first section is merged with its title heading by the chunker: the chunk's path is the page's.
    expect(quota.hits[0]).toMatchObject({
      path: 'reference/errors.md',
      heading_path: ['Errors'],
      text: expect.stringContaining('## Quota'),
    });
    expect((await searcher.search({ query: '-32098', libraries: ['alpha'] })).hits[0]?.heading_path).toEqual([
      'Errors',
      'Timeouts',
    ]);
  });

  it('searches every library at once, each in its default version', async () => {
    const r = await searcher.search({ query: 'install the service' });
    expect(r.searched).toEqual(
      expect.arrayContaining([
        { library: 'alpha', version: '2.0' },
        { library: 'beta', version: 'latest' },
        { library: 'delta', version: '1.1' },
      ]),
    );
    const libraries = new Set(r.hits.slice(0, 3).map((h) => h.library));
    expect(libraries).toEqual(new Set(['alpha', 'beta']));
    expect(r.notes.some((n) => n.includes("'gamma'"))).toBe(true);
  });

  it('collapses a section copied into several versions into one hit', async () => {
    const r = await searcher.search({
      query: 'installer setup questions data directory',
      libraries: ['alpha'],
      allVersions: true,
    });
    const installs = r.hits.filter((h) => h.path === 'guide/install.md' && h.heading_path.length === 1);
    expect(installs).toHaveLength(1);
    expect(installs[0]!.also_in).toEqual([
      expect.objectContaining({
        library: 'alpha',
        path: 'guide/install.md',
        version: installs[0]!.version === '2.0' ? '1.0' : '2.0',
      }),
    ]);
  });

  it('merges adjacent chunks of one page into one hit', async () => {
    const r = await searcher.search({
      query: 'compaction rewrites small files into larger ones',
      libraries: ['alpha'],
    });
    const top = r.hits[0]!;
    expect(top.path).toBe('guide/maintenance.md');
    expect(top.chunk_ids.length).toBeGreaterThan(1);
    expect(top.chunk_ids).toContain(top.chunk_id);
    expect(top.text).toContain('Paragraph 1 about compaction');
    expect(top.text).toContain('Paragraph 40 about compaction');
    expect(
      r.hits.filter((h) => h.path === 'guide/maintenance.md' && h.heading_path.at(-1) === 'Compaction'),
    ).toHaveLength(1);
  });

  it('fits the whole answer in a token budget, preferring fewer complete hits', async () => {
    const query = 'install the service, upgrading, queues and retries';
    const all = await searcher.search({ query, limit: 10 });
    expect(all.hits.length).toBeGreaterThan(2);
    const first = all.hits[0]!;
    const budget = first.tokens + citationTokens(first) + 5;
    const r = await searcher.search({ query, limit: 10, maxTokens: budget });
    expect(r.tokens).toBeLessThanOrEqual(budget);
    expect(r.hits.reduce((sum, h) => sum + countTokens(h.text) + citationTokens(h), 0)).toBeLessThanOrEqual(budget);
    expect(r.hits[0]).toMatchObject({ chunk_id: first.chunk_id, truncated: false, text: first.text });
    expect(r.hits.every((h) => !h.truncated)).toBe(true);
    expect(r.omitted).toBeGreaterThan(0);
  });

  it('cuts the best hit only when not even it fits', async () => {
    const r = await searcher.search({ query: 'compaction rewrites small files', libraries: ['alpha'], maxTokens: 60 });
    expect(r.hits).toHaveLength(1);
    expect(r.hits[0]!.truncated).toBe(true);
    expect(r.tokens).toBeLessThanOrEqual(60);
    expect(countTokens(r.hits[0]!.text) + citationTokens(r.hits[0]!)).toBeLessThanOrEqual(60);
  });

  it('a query of only stop words finds nothing, and says why', async () => {
    const r = await searcher.search({ query: 'how do I do it and what is the?' });
    expect(r.terms).toEqual([]);
    expect(r.hits).toEqual([]);
    expect(r.notes.join(' ')).toMatch(/no searchable words/);
  });

  it('a 10,000-character query is searched by its most specific terms', async () => {
    // A pasted log: hundreds of words the documentation never uses, and two that it does.
    const noise = Array.from(
      { length: 700 },
      (_, i) => `zq${i.toString(26).replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!)}x`,
    ).join(' ');
    const query = `${noise} alpha_stream_mode subscribers`.padEnd(10_000, ' x');
    expect(query.length).toBe(10_000);
    const started = performance.now();
    const r = await searcher.search({ query, libraries: ['alpha'] });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(r.terms.length).toBeLessThanOrEqual(32);
    expect(r.notes.join(' ')).toMatch(/long/);
    expect(r.hits[0]?.path).toBe('reference/stream_mode.md');
  });

  it('an empty library has no hits and says it needs a sync; an unknown one is an error naming the known ones', async () => {
    const r = await searcher.search({ query: 'install', libraries: ['gamma'] });
    expect(r.hits).toEqual([]);
    expect(r.notes.join(' ')).toMatch(/bosun docs sync gamma/);
    await expect(searcher.search({ query: 'install', libraries: ['nope'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      hint: expect.stringContaining('alpha, beta, delta, gamma'),
    });
    await expect(searcher.read({ library: 'gamma', pathOrChunkId: 'x.md' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('rejects bad requests clearly', async () => {
    await expect(searcher.search({ query: 'install', libraries: ['alpha'], version: '9.9' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      hint: 'versions: 2.0, 1.0',
    });
    await expect(searcher.search({ query: 'x', limit: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(searcher.search({ query: 'x'.repeat(20_001) })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(searcher.search({ query: 'x', version: '1.0', allVersions: true })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('a library without a usable default version searches its newest version, with a note', async () => {
    await withTransaction(p.db.pool, async (client) => {
      for (const v of ['draft', '1.0', '1.1']) await deprecateVersion(client, 'delta', v);
    });
    await searcher.refresh();
    const r = await searcher.search({ query: 'delta widget charts', libraries: ['delta'] });
    expect(r.searched).toEqual([{ library: 'delta', version: '1.1' }]);
    expect(r.hits[0]?.text).toContain('release 1.1');
    expect(r.notes.join(' ')).toMatch(/deprecated/);
  });

  describe('read', () => {
    it('reads a whole page by path, with its sections', async () => {
      const page = await searcher.read({ library: 'alpha', pathOrChunkId: 'reference/errors.md' });
      expect(page).toMatchObject({
        library: 'alpha',
        version: '2.0',
        path: 'reference/errors.md',
        title: 'Errors',
        section: null,
        next_offset: null,
        truncated: false,
      });
      expect(page.text).toContain('-32099');
      expect(page.text).toContain('-32098');
      expect(page.sections.map((s) => s.heading)).toEqual(['Quota', 'Timeouts']);
    });

    it('accepts ./paths and paths without the extension', async () => {
      expect((await searcher.read({ library: 'alpha', pathOrChunkId: './reference/errors' })).path).toBe(
        'reference/errors.md',
      );
    });

    it('reads one section, by heading or anchor, and a chunk id reads its section', async () => {
      const byHeading = await searcher.read({
        library: 'alpha',
        pathOrChunkId: 'reference/errors.md',
        section: 'timeouts',
      });
      expect(byHeading.section).toEqual(['Errors', 'Timeouts']);
      expect(byHeading.text).toContain('-32098');
      expect(byHeading.text).not.toContain('-32099');
      const byAnchor = await searcher.read({
        library: 'alpha',
        pathOrChunkId: 'reference/errors.md',
        section: '#quota',
      });
      expect(byAnchor.text).toContain('-32099');
      const hit = (await searcher.search({ query: '-32098', libraries: ['alpha'] })).hits[0]!;
      const byChunk = await searcher.read({ library: 'alpha', pathOrChunkId: hit.chunk_id });
      expect(byChunk.section).toEqual(['Errors', 'Timeouts']);
      expect(byChunk.chunk_ids).toContain(hit.chunk_id);
    });

    it('paginates a long page by a token budget', async () => {
      const whole = await searcher.read({ library: 'alpha', pathOrChunkId: 'guide/maintenance.md' });
      const parts: string[] = [];
      let offset: number | null = 0;
      while (offset !== null) {
        const part: Awaited<ReturnType<Searcher['read']>> = await searcher.read({
          library: 'alpha',
          pathOrChunkId: 'guide/maintenance.md',
          maxTokens: 450,
          offset,
        });
        expect(part.tokens).toBeLessThanOrEqual(450);
        expect(part.truncated).toBe(false);
        parts.push(part.text);
        offset = part.next_offset;
      }
      expect(parts.length).toBeGreaterThan(2);
      expect(parts.join('\n\n')).toBe(whole.text);
    });

    it('an unknown page names the nearest ones; an unknown section lists the sections', async () => {
      await expect(searcher.read({ library: 'alpha', pathOrChunkId: 'guide/maintainance.md' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        hint: expect.stringMatching(/^nearest matches: guide\/maintenance\.md/),
      });
      await expect(
        searcher.read({ library: 'alpha', pathOrChunkId: 'reference/errors.md', section: 'Retries' }),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
        hint: 'sections: Quota | Timeouts',
      });
    });
  });

  describe('outline', () => {
    it('is a tree of folders, pages and headings', async () => {
      const o = await searcher.outline({ library: 'alpha' });
      expect(o).toMatchObject({ library: 'alpha', version: '2.0', pages: 4 });
      expect(o.tree.map((n) => `${n.kind}:${n.name}`)).toEqual(['folder:guide', 'folder:reference']);
      const maintenance = o.tree[0]!.children.find((n) => n.name === 'maintenance.md')!;
      expect(maintenance).toMatchObject({ kind: 'page', title: 'Maintenance', path: 'guide/maintenance.md' });
      expect(maintenance.children.map((h) => h.name)).toEqual(['Vacuum', 'Compaction', 'Backups']);
      expect(maintenance.children[1]).toMatchObject({ kind: 'heading', anchor: 'compaction' });
    });

    it('limits depth and narrows to a path prefix', async () => {
      const shallow = await searcher.outline({ library: 'alpha', depth: 2 });
      expect(shallow.tree[0]!.children.every((page) => page.children.length === 0)).toBe(true);
      const reference = await searcher.outline({ library: 'alpha', pathPrefix: 'reference/' });
      expect(reference.pages).toBe(2);
      await expect(searcher.outline({ library: 'alpha', pathPrefix: 'nowhere/' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  });

  it('sees a new sync without a restart', async () => {
    const before = searcher.snapshotId;
    expect((await searcher.search({ query: 'zeppelin', libraries: ['beta'] })).hits).toEqual([]);
    await writeDocs(betaRoot, { 'airships.md': '# Airships\n\nThe zeppelin mode lifts jobs over congested queues.\n' });
    await syncLibrary(p.deps, 'beta');
    const after = await searcher.search({ query: 'zeppelin', libraries: ['beta'] });
    expect(after.snapshot_id).toBeGreaterThan(before);
    expect(after.hits[0]).toMatchObject({ path: 'airships.md', snapshot_id: after.snapshot_id });
  });

  it('sees a sync at once when it looks for new snapshots only rarely (the commit is announced)', async () => {
    const rare = await openLakeSearcher({ pool: p.db.pool, lake: p.lake, freshnessMs: 3_600_000, accessLog: false });
    try {
      expect((await rare.search({ query: 'dirigible', libraries: ['beta'] })).hits).toEqual([]);
      await writeDocs(betaRoot, {
        'dirigibles.md': '# Dirigibles\n\nA dirigible carries slow batches across regions.\n',
      });
      await syncLibrary(p.deps, 'beta');
      const latest = await p.lake.latestSnapshotId();
      const after = await rare.search({ query: 'dirigible', libraries: ['beta'] });
      expect(after.snapshot_id).toBe(latest);
      expect(after.hits[0]).toMatchObject({ path: 'dirigibles.md' });
    } finally {
      await rare.close();
    }
  });

  it('records searches and reads in the access log', async () => {
    const probe = await openLakeSearcher({ pool: p.db.pool, lake: p.lake, client: 'access-test' });
    await probe.search({ query: 'queues retries', libraries: ['beta'] });
    await probe.read({ library: 'beta', pathOrChunkId: 'queues.md' });
    await probe.close();
    const rows = (await recentAccess(p.db.pool, { library: 'beta' })).filter((r) => r.client === 'access-test');
    expect(rows.map((r) => r.kind)).toEqual(['read', 'search']);
    expect(rows[1]).toMatchObject({
      libraries: ['beta'],
      versions: ['latest'],
      query: 'queues retries',
      paths: expect.arrayContaining(['queues.md']),
    });
    expect(rows[1]!.hits).toBe(rows[1]!.chunk_ids.length);
    expect(rows[0]).toMatchObject({ target: 'queues.md', hits: 1 });
  });
});
