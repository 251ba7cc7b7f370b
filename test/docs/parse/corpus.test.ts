import { describe, expect, it } from 'vitest';
import { parseDocument, scanBlocks, type ParsedDocument } from '../../../src/docs/parse/index.js';
import { corpusFiles, haveCorpora, type CorpusFile } from './corpus.js';

/** The prose of a page: its markdown without code blocks and code spans. */
function prose(doc: ParsedDocument): string {
  const lines = doc.markdown.split('\n');
  return scanBlocks(lines)
    .filter((b) => b.kind !== 'code')
    .map((b) => lines.slice(b.start, b.end).join('\n'))
    .join('\n\n')
    .replace(/(`+)[^`]*?\1/g, '');
}

describe.skipIf(!haveCorpora)('every file of both corpora', () => {
  const files: CorpusFile[] = haveCorpora ? corpusFiles() : [];
  const docs = files.map((file) => ({
    file,
    doc: parseDocument({ content: file.content, format: file.format, path: file.path }),
  }));

  it('parses, with a title and at least one section', () => {
    expect(files.length).toBeGreaterThan(600);
    for (const { file, doc } of docs) {
      expect(doc.title, file.path).not.toBe('');
      expect(doc.sections.length, file.path).toBeGreaterThan(0);
      expect(doc.warnings, file.path).toEqual([]);
      expect(doc.markdown, file.path).toBe(doc.sections.map((s) => s.markdown).join('\n\n'));
    }
  });

  it('takes titles from front matter, and from the file name for the one page without it', () => {
    for (const { file, doc } of docs) {
      if (doc.frontMatter.title !== undefined) expect(doc.title, file.path).toBe(String(doc.frontMatter.title).trim());
    }
    const untitled = docs.filter(({ doc }) => doc.frontMatter.title === undefined);
    expect(untitled.map(({ file, doc }) => [file.path, doc.title])).toEqual([
      ['mcp-docs/docs/snippets/snippet-intro.mdx', 'snippet-intro'],
    ]);
  });

  it('leaves no JSX, ESM, MDX comments or Liquid tags in prose', () => {
    for (const { file, doc } of docs) {
      const text = prose(doc);
      expect(text, file.path).not.toMatch(/<\/?[A-Z][\w.]*[\s/>]/);
      expect(text, file.path).not.toMatch(/^(?:import|export) /m);
      expect(text, file.path).not.toMatch(/\{\/\*|\{%|\{\{ *site/);
    }
  });

  it('gives unique anchors within a page', () => {
    for (const { file, doc } of docs) {
      const anchors = doc.sections.filter((s) => s.level > 0).map((s) => s.anchor);
      expect(new Set(anchors).size, file.path).toBe(anchors.length);
    }
  });

  it('finds the cross-references between pages', () => {
    const links = docs.flatMap(({ doc }) => doc.links);
    expect(links.length).toBeGreaterThan(3000);
    for (const link of links) {
      expect(link.href).not.toMatch(/^#|^mailto:|\{%/);
      expect(link.href).not.toBe('');
      // Footnotes are not links; a footnote read as a definition gave hrefs like `[text](url),`.
      expect(link.href).not.toMatch(/[\s[\]]/);
      expect(link.text, link.href).not.toMatch(/^\^/);
    }
  });
});
