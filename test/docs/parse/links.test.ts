import { describe, expect, it } from 'vitest';
import { parseDocument, type Link } from '../../../src/docs/parse/index.js';

const linksOf = (content: string, format: 'markdown' | 'mdx' = 'markdown'): Array<Omit<Link, 'sectionAnchor'>> =>
  parseDocument({ content, format, path: format === 'mdx' ? 'page.mdx' : 'page.md' }).links.map(({ href, text }) => ({
    href,
    text,
  }));

describe('links: GFM footnotes', () => {
  it('takes neither footnote references nor footnote definitions for links', () => {
    const links = linksOf(
      [
        'A claim.[^1] Another one.[^note] And [a link text][^1].',
        '',
        '[^1]: ./not-a-destination.md and more words',
        '',
        '[^note]: https://example.com/cited',
      ].join('\n'),
    );
    // The URL in the second footnote is a bare URL in its text, not the target of `[^note]`.
    expect(links).toEqual([{ href: 'https://example.com/cited', text: 'https://example.com/cited' }]);
  });

  it('finds the links written inside a footnote', () => {
    const links = linksOf(
      'Claim.[^src]\n\n[^src]: [The source](https://example.com/source), p. 3; see also [guide].\n\n[guide]: ./guide.md',
    );
    expect(links).toEqual([
      { href: 'https://example.com/source', text: 'The source' },
      { href: './guide.md', text: 'guide' },
    ]);
  });
});

describe('links: reference links and their definitions (CommonMark)', () => {
  it('resolves full, collapsed and shortcut references, matching labels by case and whitespace', () => {
    const links = linksOf(
      [
        'See [the guide][Guide], [guide][], [GUIDE] and [the\tpage][guide  page].',
        '',
        '[guide]: ./guide.md "The guide"',
        '[guide page]:',
        '  <./guide page.md>',
        "  'A title on",
        "  two lines'",
        '[guide]: ./second-definition-loses.md',
      ].join('\n'),
    );
    expect(links).toEqual([
      { href: './guide.md', text: 'the guide' },
      { href: './guide.md', text: 'guide' },
      { href: './guide.md', text: 'GUIDE' },
      { href: './guide page.md', text: 'the page' },
    ]);
  });

  it('reads no definition that interrupts a paragraph or has more than a title after it', () => {
    const links = linksOf(
      [
        'A paragraph line',
        '[inside]: ./inside.md',
        '',
        '[trailing]: ./trailing.md then words',
        '',
        'Uses [inside] and [trailing].',
      ].join('\n'),
    );
    expect(links).toEqual([]);
  });

  it('reads `[a][b]` with no definition of b as text followed by a possible link `[b]`', () => {
    expect(linksOf('[foo][bar][baz]\n\n[baz]: ./baz.md\n[foo]: ./foo.md')).toEqual([{ href: './baz.md', text: 'bar' }]);
  });
});

describe('links: text, destination and title across lines', () => {
  it('finds links whose text or title wraps, and images or links around images that wrap', () => {
    const links = linksOf(
      [
        'A [long link',
        'text](./page.md "A title',
        'on two lines") and ![an image',
        'alt](img.png), then [![build',
        'status](badge.svg)](https://example.com/ci) and a [destination on the](',
        './next-line.md',
        ').',
      ].join('\n'),
    );
    expect(links).toEqual([
      { href: './page.md', text: 'long link text' },
      { href: 'https://example.com/ci', text: 'build status' },
      { href: './next-line.md', text: 'destination on the' },
    ]);
  });

  it('finds no link across a blank line, nor a line break inside a destination', () => {
    const links = linksOf(
      [
        '[not a link',
        '',
        'across a blank line](./blank.md)',
        '',
        '[split](<./a',
        'b.md>) and [split](./a',
        'b.md)',
      ].join('\n'),
    );
    expect(links).toEqual([]);
  });

  it('keeps <a href> elements as links, across lines too', () => {
    const links = linksOf(
      [
        '<a href="./target.md">',
        '  Wrapped anchor',
        '  text',
        '</a> and <a href="https://example.com/x">one line</a>, <a href="#top">top</a>.',
      ].join('\n'),
      'mdx',
    );
    expect(links).toEqual([
      { href: './target.md', text: 'Wrapped anchor text' },
      { href: 'https://example.com/x', text: 'one line' },
    ]);
  });
});

describe('links: code', () => {
  it('ignores links in code spans, also wrapped ones, and in fenced code blocks', () => {
    const links = linksOf(
      [
        'Run `[a](span.md)` or ``[wrapped',
        'span](span2.md)``; the [`--flag` option](./options.md).',
        '',
        '```md',
        '[in a fence](fence.md) https://example.com/fence',
        '```',
        '',
        '~~~',
        '[ref]: ./from-code.md',
        '~~~',
        '',
        '[ref] stays undefined.',
      ].join('\n'),
    );
    expect(links).toEqual([{ href: './options.md', text: '--flag option' }]);
  });
});
