import { describe, expect, it } from 'vitest';
import { resolveCrossReferences, type LinkingPage } from '../../../src/docs/sync/index.js';

const page = (version: string, path: string, hrefs: string[] = [], url: string | null = null): LinkingPage => ({
  version,
  path,
  url,
  links: hrefs.map((href) => ({ href, text: href, sectionAnchor: '' })),
});

/** Resolves the links of the first page against all pages; returns `href → result`. */
function resolveFirst(pages: LinkingPage[], scopes: string[] = []) {
  const records = resolveCrossReferences(pages, scopes).filter(
    (r) => r.version === pages[0]!.version && r.fromPath === pages[0]!.path,
  );
  return Object.fromEntries(
    records.map((r) => [
      r.href,
      r.kind === 'page'
        ? `${r.toVersion}:${r.toPath}${r.toAnchor ? `#${r.toAnchor}` : ''}`
        : r.kind === 'broken'
          ? `broken: ${r.reason}`
          : 'external',
    ]),
  );
}

describe('cross-reference resolution', () => {
  const site = [
    page('1.0', 'guide/start.md', [
      'install.md',
      'install',
      './install.mdx#steps',
      '../reference/',
      '../reference/api',
      '../README.md',
      '../../outside.md',
      '/guide/install',
      '/docs/guide/install.md',
      '/2.0/guide/install',
      '/latest/guide/install',
      'missing.md',
      'https://example.com/x',
      'ftp://example.com/file',
      '?tab=2',
      'install%20notes.md',
    ]),
    page('1.0', 'guide/install.mdx'),
    page('1.0', 'guide/install notes.md'),
    page('1.0', 'reference/index.md'),
    page('1.0', 'reference/api.md'),
    page('1.0', 'reference/api/index.md'),
    page('1.0', 'README.md'),
    page('2.0', 'guide/install.md'),
  ];

  it('resolves relative links with or without extension, index/README folders, and anchors', () => {
    const r = resolveFirst(site);
    expect(r['install.md']).toBe('1.0:guide/install.mdx');
    expect(r['install']).toBe('1.0:guide/install.mdx');
    expect(r['./install.mdx#steps']).toBe('1.0:guide/install.mdx#steps');
    expect(r['../reference/']).toBe('1.0:reference/index.md');
    // `api.md` is named for the link; the folder's index is the fallback.
    expect(r['../reference/api']).toBe('1.0:reference/api.md');
    expect(r['../README.md']).toBe('1.0:README.md');
    expect(r['install%20notes.md']).toBe('1.0:guide/install notes.md');
    expect(r['?tab=2']).toBe('1.0:guide/start.md');
  });

  it('resolves root-relative links against the root, a mount prefix, or the version folder they name', () => {
    const r = resolveFirst(site);
    expect(r['/guide/install']).toBe('1.0:guide/install.mdx');
    expect(r['/docs/guide/install.md']).toBe('1.0:guide/install.mdx');
    expect(r['/2.0/guide/install']).toBe('2.0:guide/install.md');
    // The library has no 'latest' folder: the channel means its newest version.
    expect(r['/latest/guide/install']).toBe('2.0:guide/install.md');
  });

  it('flags broken links with a reason and leaves other schemes external', () => {
    const r = resolveFirst(site);
    expect(r['missing.md']).toBe('broken: no such page');
    expect(r['../../outside.md']).toBe('broken: the path leaves the source root');
    expect(r['https://example.com/x']).toBe('external');
    expect(r['ftp://example.com/file']).toBe('external');
  });

  it('resolves web pages by URL; a URL in the crawled scope that is no page is broken', () => {
    const web = [
      page(
        'latest',
        'index.html',
        ['https://docs.test/docs/a/', 'b.html#usage', 'https://docs.test/docs/gone.html', 'https://elsewhere.test/'],
        'https://docs.test/docs/',
      ),
      page('latest', 'a/index.html', [], 'https://docs.test/docs/a/'),
      page('latest', 'b.html', [], 'https://docs.test/docs/b.html'),
    ];
    const r = resolveFirst(web, ['https://docs.test/docs/']);
    expect(r['https://docs.test/docs/a/']).toBe('latest:a/index.html');
    expect(r['b.html#usage']).toBe('latest:b.html#usage');
    expect(r['https://docs.test/docs/gone.html']).toBe('broken: no page at this URL in the crawled site');
    expect(r['https://elsewhere.test/']).toBe('external');
  });

  it('numbers links per page and keeps their text and section', () => {
    const records = resolveCrossReferences(
      [
        {
          version: 'v',
          path: 'a.md',
          url: null,
          links: [
            { href: 'b.md', text: 'B', sectionAnchor: 'intro' },
            { href: 'b.md', text: 'again', sectionAnchor: 'end' },
          ],
        },
        page('v', 'b.md'),
      ],
      [],
    );
    expect(records.map((r) => [r.ordinal, r.text, r.sectionAnchor, r.kind])).toEqual([
      [0, 'B', 'intro', 'page'],
      [1, 'again', 'end', 'page'],
    ]);
  });
});
