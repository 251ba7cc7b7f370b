import { parseWith } from '../../core/index.js';
import { scanBlocks } from './blocks.js';
import { splitFrontMatter } from './frontmatter.js';
import { htmlToMarkdown } from './html.js';
import { extractLinks } from './links.js';
import { cleanMarkup, type MarkupOptions } from './markup.js';
import { buildSections } from './sections.js';
import { parseInputSchema, type ParsedDocument, type ParseInput, type Section } from './types.js';

/**
 * Parses one page into normalised markdown, a flat list of sections in document order, and
 * its outgoing links. Pure: no I/O, the same input always gives the same output.
 */
export function parseDocument(input: ParseInput): ParsedDocument {
  const { content, format, path, url } = parseWith(parseInputSchema, input, 'document to parse');
  const text = content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  switch (format) {
    case 'text':
      return textDocument(text, path);
    case 'html': {
      const html = htmlToMarkdown(text, url);
      return markdownDocument(html.markdown, path, { mdx: false, jekyll: false }, {}, html.title, html.warnings);
    }
    case 'markdown':
    case 'mdx': {
      const front = splitFrontMatter(text);
      const mdx = format === 'mdx';
      return markdownDocument(front.body, path, { mdx, jekyll: !mdx }, front.data, undefined, front.warnings);
    }
  }
}

function markdownDocument(
  source: string,
  path: string,
  options: MarkupOptions,
  frontMatter: Record<string, unknown>,
  pageTitle: string | undefined,
  warnings: string[],
): ParsedDocument {
  const cleaned = cleanMarkup(source, options);
  const lines = cleaned.markdown.split('\n');
  const blocks = scanBlocks(lines);
  const ranges = buildSections(lines, blocks);
  const sections = ranges.map((r) => r.section);
  const firstHeading = sections.find((s) => s.level > 0)?.headingPath.at(-1);
  const description = stringField(frontMatter.description);
  return {
    title: stringField(frontMatter.title) ?? pageTitle ?? (firstHeading || fileTitle(path)),
    ...(description ? { description } : {}),
    frontMatter,
    markdown: joinSections(sections),
    sections,
    links: extractLinks(lines, blocks, ranges),
    warnings: [...warnings, ...cleaned.warnings],
  };
}

/** Plain text is one section: its lines are not markdown, so nothing in them is structure. */
function textDocument(text: string, path: string): ParsedDocument {
  const body = text.trim();
  const sections: Section[] = body ? [{ headingPath: [], level: 0, anchor: '', markdown: body }] : [];
  return { title: fileTitle(path), frontMatter: {}, markdown: body, sections, links: [], warnings: [] };
}

function joinSections(sections: readonly Section[]): string {
  return sections.map((s) => s.markdown).join('\n\n');
}

function stringField(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed || undefined;
}

/** `docs/guide/setup.md` → `setup`; an index or README page is named after its folder. */
function fileTitle(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const stem = (parts.at(-1) ?? path).replace(/\.[^.]+$/, '');
  if (/^(index|readme|_index)$/i.test(stem) && parts.length > 1) return parts.at(-2) as string;
  return stem;
}
