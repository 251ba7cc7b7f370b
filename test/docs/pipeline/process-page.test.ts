import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../src/core/index.js';
import { PageProcessor, type PageContent } from '../../../src/docs/sync/process-page.js';
import { chunkIdsOf, pageIdOf } from '../../../src/docs/store/index.js';

const content =
  '---\ntitle: Snapshots\n---\n\n## Listing\n\nCall `snapshots()`.\n\n```sql\nSELECT * FROM snapshots();\n```\n\n## Expiring\n\nSee [expiry](expire.md).\n';
const input = (version: string): PageContent => ({
  library: 'lib',
  version,
  path: 'guide/snapshots.md',
  url: null,
  sourcePath: `${version}/guide/snapshots.md`,
  format: 'markdown',
  content,
  contentHash: sha256(content),
  fetchedAt: new Date('2026-01-05T10:00:00Z'),
});

describe('processing a page into lake rows', () => {
  it('derives page and chunk ids from library, version, path and content', async () => {
    const one = await new PageProcessor().process(input('1.0'));
    const again = await new PageProcessor().process(input('1.0'));
    expect(one.page.page_id).toBe(pageIdOf('lib', '1.0', 'guide/snapshots.md'));
    expect(one.page.page_id).toMatch(/^[0-9a-f]{16}$/);
    expect(one.chunks.map((c) => c.chunk_id)).toEqual(again.chunks.map((c) => c.chunk_id));
    expect(one.chunks.map((c) => c.chunk_id)).toEqual(
      chunkIdsOf(
        'lib',
        '1.0',
        'guide/snapshots.md',
        one.chunks.map((c) => c.content_hash),
      ),
    );
    expect(one.chunks.every((c) => /^[0-9a-f]{24}$/.test(c.chunk_id) && c.page_id === one.page.page_id)).toBe(true);
    expect(one.page).toMatchObject({ title: 'Snapshots', content_hash: sha256(content), version: '1.0' });
    expect(one.links).toEqual([{ href: 'expire.md', text: 'expiry', sectionAnchor: 'expiring' }]);
    // A file's source is its path as found (version folder included), for the page and each chunk.
    expect(one.page.source).toBe('1.0/guide/snapshots.md');
    expect(one.chunks.map((c) => c.source)).toEqual(one.chunks.map(() => '1.0/guide/snapshots.md'));
  });

  it("gives a web page's chunks its URL with their section's anchor", async () => {
    const page = await new PageProcessor().process({
      ...input('1.0'),
      url: 'https://docs.example/guide/snapshots#top',
    });
    expect(page.page.source).toBe('https://docs.example/guide/snapshots#top');
    expect(page.chunks.map((c) => c.source)).toEqual(
      page.chunks.map((c) => (c.anchor ? `https://docs.example/guide/snapshots#${c.anchor}` : page.page.source)),
    );
    expect(page.chunks.some((c) => /#[a-z]+$/.test(c.source) && !c.source.endsWith('#top'))).toBe(true);
  });

  it('gives repeated identical chunks distinct ids', async () => {
    expect(new Set(chunkIdsOf('lib', 'v', 'p.md', ['h', 'h', 'x'])).size).toBe(3);
  });

  it('parses a page shared by several versions once, with each version its own ids', async () => {
    const processor = new PageProcessor();
    const v1 = await processor.process(input('1.0'));
    const v2 = await processor.process(input('2.0'));
    expect(v2.page.page_id).not.toBe(v1.page.page_id);
    expect(v2.chunks.map((c) => c.chunk_id)).not.toEqual(v1.chunks.map((c) => c.chunk_id));
    expect(v2.chunks.map((c) => c.text)).toEqual(v1.chunks.map((c) => c.text));
    // The second version reuses the first parse (the very same heading-path arrays).
    expect(v2.chunks[0]?.heading_path).toBe(v1.chunks[0]?.heading_path);
    expect((await new PageProcessor().process(input('2.0'))).chunks[0]?.heading_path).not.toBe(
      v1.chunks[0]?.heading_path,
    );
  });
});
