import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTokens } from '../../../src/docs/chunk/index.js';
import {
  addLibrary,
  brokenLinks,
  libraryVersions,
  pageLinks,
  syncLibrary,
  type SyncSummary,
} from '../../../src/docs/index.js';
import { copyTree, docFiles, DUCKLAKE_DOCS, MCP_DOCS, openPipeline, type Pipeline } from './support.js';

/** The shared corpora, synced with --versions-from folders, checked against the files on disk. */
describe('the shared corpora through the pipeline', () => {
  let p: Pipeline;
  let ducklake: SyncSummary;
  let mcp: SyncSummary;

  beforeAll(async () => {
    p = await openPipeline();
    await addLibrary(p.db.pool, { name: 'ducklake', input: DUCKLAKE_DOCS, source: { versionsFrom: 'folders' } });
    await addLibrary(p.db.pool, { name: 'mcp', input: MCP_DOCS, source: { versionsFrom: 'folders' } });
    ducklake = await syncLibrary(p.deps, 'ducklake');
    mcp = await syncLibrary(p.deps, 'mcp');
  }, 120_000);
  afterAll(() => p?.close());

  /** Pages per version in the lake. */
  const lakeCounts = async (library: string) =>
    Object.fromEntries(
      (
        await p.query(`SELECT version, count(*) AS n FROM docs.pages WHERE library = $1 GROUP BY version`, [library])
      ).map((r) => [r.version, Number(r.n)]),
    );

  it('has one page per DuckLake file in each version folder', async () => {
    // Every DuckLake file sits in a version folder (docs/<version>/…).
    const expected: Record<string, number> = {};
    for (const version of await fs.readdir(DUCKLAKE_DOCS))
      expected[version] = (await docFiles(path.join(DUCKLAKE_DOCS, version))).length;
    expect(Object.keys(expected).sort()).toEqual(['0.1', '0.2', '0.3', '0.4', 'stable']);
    expect(await lakeCounts('ducklake')).toEqual(expected);
    const versions = await libraryVersions(p.db.pool, 'ducklake');
    expect(Object.fromEntries(versions.map((v) => [v.version, v.pages]))).toEqual(expected);
    expect(ducklake.pages).toEqual({ added: 301, changed: 0, removed: 0, unchanged: 0, failed: 0 });
    expect(ducklake.defaultVersion).toBe('stable');
  });

  it('gives every MCP version its own folders plus every page outside the version folders', async () => {
    // The MCP docs keep versions in two trees, specification/<version>/ and docs/<version>/.
    const all = await docFiles(MCP_DOCS);
    const versions = (await fs.readdir(path.join(MCP_DOCS, 'specification'), { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    const versionOf = (file: string) => versions.find((v) => file.split('/').slice(0, -1).includes(v));
    const shared = all.filter((f) => versionOf(f) === undefined);
    const expected: Record<string, number> = {};
    for (const v of versions) {
      const own = all
        .filter((f) => versionOf(f) === v)
        .map((f) =>
          f
            .split('/')
            .filter((segment) => segment !== v)
            .join('/'),
        );
      expected[v] = new Set([...own, ...shared]).size;
    }
    expect(versions.length).toBeGreaterThanOrEqual(5);
    expect(shared.length).toBeGreaterThan(50);
    expect(await lakeCounts('mcp')).toEqual(expected);
    expect(mcp.pages.failed).toBe(0);
    expect(mcp.pages.added).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
  });

  it('counts chunks per version consistently in PostgreSQL and the lake', async () => {
    const rows = await p.query(`SELECT version, count(*) AS n FROM docs.chunks WHERE library = 'mcp' GROUP BY version`);
    const versions = await libraryVersions(p.db.pool, 'mcp');
    expect(Object.fromEntries(rows.map((r) => [r.version, Number(r.n)]))).toEqual(
      Object.fromEntries(versions.map((v) => [v.version, v.chunks])),
    );
    expect(mcp.chunks.total).toBe(versions.reduce((n, v) => n + v.chunks, 0));
  });

  it('keeps the heading paths of known sections', async () => {
    const headingPaths = async (library: string, version: string, pagePath: string) =>
      (
        await p.query(
          `SELECT heading_path FROM docs.chunks WHERE library = $1 AND version = $2 AND path = $3 ORDER BY ordinal`,
          [library, version, pagePath],
        )
      ).map((r) => (r.heading_path as string[]).join(' > '));
    const lifecycle = await headingPaths('mcp', '2025-11-25', 'specification/basic/lifecycle.mdx');
    expect(lifecycle).toContain('Lifecycle Phases > Initialization > Capability Negotiation');
    expect(lifecycle).toContain('Lifecycle Phases > Shutdown > stdio');
    const tools = await headingPaths('mcp', '2025-11-25', 'specification/server/tools.mdx');
    expect(tools).toContain('Data Types > Tool > Tool Names');
    const [snapshot] = await p.query(
      `SELECT title, heading_path, text FROM docs.chunks WHERE library = 'ducklake' AND version = 'stable' AND path = 'specification/tables/ducklake_snapshot.md' AND ordinal = 0`,
    );
    expect(snapshot?.title).toBe('ducklake_snapshot');
    expect(snapshot?.text).toContain('`snapshot_id`');
  });

  it('keeps the text inside MDX components and drops their tags', async () => {
    const [page] = await p.query(
      `SELECT markdown FROM docs.pages WHERE library = 'mcp' AND version = '2025-11-25' AND path = 'extensions/overview.mdx'`,
    );
    const markdown = String(page?.markdown);
    expect(markdown).toContain(
      'Extensions are always disabled by default and require explicit opt-in from the developer.',
    );
    expect(markdown).not.toMatch(/<\/?(Note|Card)\b/);
    const chunks = await p.query(
      `SELECT text FROM docs.chunks WHERE library = 'mcp' AND version = '2025-11-25' AND path = 'specification/basic/lifecycle.mdx'`,
    );
    expect(chunks.some((c) => String(c.text).includes('the client **MUST** include the `MCP-Protocol-Version:'))).toBe(
      true,
    );
  });

  it('never cuts a code block: every chunk closes its fences, and every block of normal size is whole in one chunk', async () => {
    const fence = /^ {0,3}(`{3,}|~{3,})/;
    const chunks = await p.query(`SELECT page_id, text FROM docs.chunks`);
    const unbalanced = chunks.filter((c) => {
      let open: string | null = null;
      for (const line of String(c.text).split('\n')) {
        const m = fence.exec(line);
        if (!m) continue;
        const marker = m[1] as string;
        if (open === null) open = marker;
        else if (marker[0] === open[0] && marker.length >= open.length && line.trim() === marker) open = null;
      }
      return open !== null;
    });
    expect(unbalanced).toEqual([]);

    const byPage = new Map<string, string[]>();
    for (const c of chunks) byPage.set(String(c.page_id), [...(byPage.get(String(c.page_id)) ?? []), String(c.text)]);
    const pages = await p.query(`SELECT page_id, markdown FROM docs.pages`);
    let checked = 0;
    const cut: string[] = [];
    for (const page of pages) {
      const blocks = String(page.markdown).match(/^```[^\n]*\n[\s\S]*?\n```$/gm) ?? [];
      for (const block of blocks) {
        // The chunker may cut only blocks over 4 × its 400-token budget.
        if (countTokens(block) > 1600) continue;
        checked++;
        if (!byPage.get(String(page.page_id))?.some((text) => text.includes(block))) cut.push(block.slice(0, 80));
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(cut).toEqual([]);
  });

  it('resolves cross-references: Jekyll link tags, relative paths, root-relative paths with a version folder', async () => {
    const table = await pageLinks(p.db.pool, 'ducklake', 'stable', 'specification/tables/ducklake_table.md');
    expect(table.outgoing).toContainEqual(
      expect.objectContaining({
        href: '/docs/stable/specification/tables/ducklake_schema.md',
        kind: 'page',
        toVersion: 'stable',
        toPath: 'specification/tables/ducklake_schema.md',
      }),
    );
    // Pages link to ducklake_snapshot from all over the specification.
    const snapshot = await pageLinks(p.db.pool, 'ducklake', 'stable', 'specification/tables/ducklake_snapshot.md');
    expect(snapshot.incoming.length).toBeGreaterThan(5);

    const tools = await pageLinks(p.db.pool, 'mcp', '2025-11-25', 'specification/server/tools.mdx');
    expect(tools.outgoing).toContainEqual(
      expect.objectContaining({
        href: '/specification/2025-11-25/server/utilities/pagination',
        kind: 'page',
        toVersion: '2025-11-25',
        toPath: 'specification/server/utilities/pagination.mdx',
      }),
    );
    expect(tools.outgoing).toContainEqual(
      expect.objectContaining({
        href: '/specification/2025-11-25/server/resources#annotations',
        kind: 'page',
        toPath: 'specification/server/resources.mdx',
        toAnchor: 'annotations',
      }),
    );
    const all = (
      await p.db.pool.query(
        `SELECT version, from_path, href, kind, to_version, to_path FROM bosun.doc_link WHERE library = 'mcp'`,
      )
    ).rows;
    // `../basic/authorization` from a page one folder down.
    expect(all).toContainEqual(
      expect.objectContaining({
        href: '../basic/authorization',
        kind: 'page',
        to_path: 'specification/basic/authorization.mdx',
      }),
    );
    // A link into another version's folder lands in that version.
    expect(all).toContainEqual(
      expect.objectContaining({
        version: '2026-07-28',
        from_path: 'specification/deprecated.mdx',
        href: '/specification/2024-11-05/basic/transports#http-with-sse',
        kind: 'page',
        to_version: '2024-11-05',
        to_path: 'specification/basic/transports.mdx',
      }),
    );
    // `latest` is no folder of the corpus: it means the newest version.
    expect(all).toContainEqual(
      expect.objectContaining({
        version: '2025-11-25',
        from_path: 'extensions/auth/overview.mdx',
        href: '/specification/latest/basic/authorization',
        kind: 'page',
        to_version: '2026-07-28',
      }),
    );
    expect(all.filter((l) => l.kind === 'external').length).toBeGreaterThan(1000);
  });

  it('reports the known broken links', async () => {
    const broken = await brokenLinks(p.db.pool, 'ducklake', 100);
    // A blog post the documentation links to, which is not part of the docs.
    const frozen = broken.links.filter((l) => l.href === '/_posts/2025-10-24-frozen-ducklake');
    expect(frozen.map((l) => l.version).sort()).toEqual(['0.3', '0.4', 'stable']);
    expect(
      frozen.every(
        (l) => l.fromPath === 'duckdb/guides/public_ducklake_on_object_storage.md' && l.reason === 'no such page',
      ),
    ).toBe(true);
    expect(ducklake.links.broken).toBe(broken.total);
    // The 2024-11-05 spec's index links to a client/ folder that has no index page.
    const mcpBroken = (
      await p.db.pool.query(
        `SELECT version, from_path FROM bosun.doc_link WHERE library = 'mcp' AND kind = 'broken' AND href = '/specification/2024-11-05/client'`,
      )
    ).rows;
    expect(mcpBroken).toEqual([{ version: '2024-11-05', from_path: 'specification/index.mdx' }]);
    // Every other broken MCP link names a page these versions lack: no footnote or schema line read as a link.
    const allMcp = await brokenLinks(p.db.pool, 'mcp', 1000);
    expect(allMcp.total).toBeGreaterThan(0);
    for (const link of allMcp.links)
      expect(link.href).toMatch(/\/security_best_practices(#[\w-]+)?$|^\/specification\/[\w-]+\/client$/);
  });

  it('re-syncs without changes: nothing re-processed, no new snapshot', async () => {
    const before = await p.lake.latestSnapshotId();
    const again = await syncLibrary(p.deps, 'ducklake');
    expect(again.pages).toEqual({ added: 0, changed: 0, removed: 0, unchanged: 301, failed: 0 });
    expect(again.snapshotId).toBeNull();
    expect(again.chunks.added).toBe(0);
    expect(await p.lake.latestSnapshotId()).toBe(before);
  });
});

describe('re-syncing an edited copy of a corpus', () => {
  let p: Pipeline;
  let root: string;
  const page = 'stable/specification/tables/ducklake_snapshot.md';
  const chunkIds = async (snapshot?: number) =>
    new Map(
      (await p.query(`SELECT chunk_id, path, version, text FROM docs.chunks WHERE library = 'copy'`, [], snapshot)).map(
        (r) => [String(r.chunk_id), r],
      ),
    );

  beforeAll(async () => {
    p = await openPipeline();
    root = path.join(p.dir, 'ducklake');
    await copyTree(DUCKLAKE_DOCS, root);
    await addLibrary(p.db.pool, { name: 'copy', input: root, source: { versionsFrom: 'folders' } });
    await syncLibrary(p.deps, 'copy');
  }, 60_000);
  afterAll(() => p?.close());

  it('changes exactly the edited page; the other chunks keep their ids', async () => {
    const before = await chunkIds();
    const snapshotBefore = await p.lake.latestSnapshotId();
    await fs.appendFile(
      path.join(root, page),
      '\n## Retention\n\nSnapshots older than the retention window are expired by `ducklake_expire_snapshots`.\n',
    );
    const summary = await syncLibrary(p.deps, 'copy');
    expect(summary.pages).toEqual({ added: 0, changed: 1, removed: 0, unchanged: 300, failed: 0 });
    expect(summary.snapshotId).toBeGreaterThan(snapshotBefore);
    const after = await chunkIds();
    const changed = [...after.keys()].filter((id) => !before.has(id)).map((id) => after.get(id)!);
    const gone = [...before.keys()].filter((id) => !after.has(id)).map((id) => before.get(id)!);
    // Only the edited page's last chunk differs (it now ends with the new section).
    expect(changed.map((c) => `${c.version}/${c.path}`)).toEqual(['stable/specification/tables/ducklake_snapshot.md']);
    expect(gone.every((c) => c.version === 'stable' && c.path === 'specification/tables/ducklake_snapshot.md')).toBe(
      true,
    );
    expect(String(changed[0]?.text)).toContain('ducklake_expire_snapshots');
    const [row] = await p.query(
      `SELECT markdown FROM docs.pages WHERE library = 'copy' AND version = 'stable' AND path = 'specification/tables/ducklake_snapshot.md'`,
    );
    expect(String(row?.markdown)).toContain('## Retention');
  });

  it('removes a deleted page in the next snapshot and keeps it reachable by time travel', async () => {
    const previous = await p.lake.latestSnapshotId();
    await fs.rm(path.join(root, page));
    const summary = await syncLibrary(p.deps, 'copy');
    expect(summary.pages).toMatchObject({ added: 0, changed: 0, removed: 1, failed: 0 });
    const sql = `SELECT count(*) AS n FROM docs.pages WHERE library = 'copy' AND version = 'stable' AND path = 'specification/tables/ducklake_snapshot.md'`;
    expect(Number((await p.query(sql))[0]?.n)).toBe(0);
    expect(Number((await p.query(sql, [], previous))[0]?.n)).toBe(1);
    const chunksNow = await p.query(
      `SELECT count(*) AS n FROM docs.chunks WHERE library = 'copy' AND path = 'specification/tables/ducklake_snapshot.md' AND version = 'stable'`,
    );
    expect(Number(chunksNow[0]?.n)).toBe(0);
    // Links into the removed page are now broken.
    const into = (
      await p.db.pool.query(
        `SELECT count(*)::int AS n FROM bosun.doc_link WHERE library = 'copy' AND kind = 'page' AND to_version = 'stable' AND to_path = 'specification/tables/ducklake_snapshot.md'`,
      )
    ).rows[0];
    expect(into?.n).toBe(0);
  });

  it('keeps the search index in step with the chunks, snapshot by snapshot', async () => {
    const latest = await p.lake.latestSnapshotId();
    for (const snapshot of [latest - 1, latest]) {
      const [row] = await p.query(
        `SELECT (SELECT count(*) FROM docs.chunks c WHERE NOT EXISTS (SELECT 1 FROM docs.chunk_terms t WHERE t.chunk_id = c.chunk_id)) AS unindexed,
                (SELECT count(*) FROM docs.chunk_terms t WHERE NOT EXISTS (SELECT 1 FROM docs.chunks c WHERE c.chunk_id = t.chunk_id)) AS orphaned,
                (SELECT count(*) FROM docs.chunks) AS chunks`,
        [],
        snapshot,
      );
      expect(row).toMatchObject({ unindexed: 0n, orphaned: 0n });
      expect(Number(row?.chunks)).toBeGreaterThan(900);
    }
  });

  it('adds a new page', async () => {
    await fs.writeFile(
      path.join(root, 'stable', 'faq.md'),
      '---\ntitle: FAQ\n---\n\n## Is DuckLake a file format?\n\nNo: it is a [catalog](specification/introduction.md) over Parquet.\n',
    );
    const summary = await syncLibrary(p.deps, 'copy');
    expect(summary.pages).toMatchObject({ added: 1, changed: 0, removed: 0, failed: 0 });
    const links = await pageLinks(p.db.pool, 'copy', 'stable', 'faq.md');
    expect(links.outgoing).toEqual([
      expect.objectContaining({ kind: 'page', toPath: 'specification/introduction.md' }),
    ]);
  });
});
