import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { PageSection, ReadResponse } from '../../../docs/index.js';
import { defineTool, type DefinedTool } from '../../tool.js';
import { fitDocsPrefix } from '../budget.js';
import { libraryDescription, type DocsToolDeps } from '../deps.js';
import { checkedPagePath } from '../paths.js';
import { pageUri } from '../uri.js';

/**
 * The answer around the page's text: its address, position and the list of its sections. The
 * text appears in both parts, so the read is given half of what is left; sections that do not
 * fit are left out (and counted).
 */
const FRAME_TOKENS = 250;

const output = {
  library: z.string(),
  version: z.string(),
  path: z.string(),
  url: z.string().nullable(),
  source: z
    .string()
    .describe("where to open it: the page's URL (with the section's anchor), or the file's path in its source"),
  uri: z.string().describe('the page as a resource (docs://library/version/path)'),
  title: z.string(),
  section: z.array(z.string()).nullable().describe('the heading path of the section read; null for the whole page'),
  text: z.string().describe('markdown'),
  truncated: z.boolean().describe('one chunk was longer than the budget and was cut'),
  offset: z.number(),
  next_offset: z.number().nullable().describe('pass as offset to read on; null at the end'),
  total_chunks: z.number(),
  sections: z
    .array(z.object({ heading: z.string(), anchor: z.string(), depth: z.number() }))
    .describe("the page's sections, to read one with section"),
  sections_omitted: z.number(),
  snapshot_id: z.number(),
};
type ReadView = z.objectOutputType<typeof output, z.ZodTypeAny>;

export function registerReadPage(server: McpServer, deps: DocsToolDeps): DefinedTool {
  const { scope, budget } = deps;
  return defineTool(
    server,
    {
      name: 'read_page',
      title: 'Read a documentation page',
      description:
        'Reads a page, or one section of it, as markdown: by path (as search hits give it), URL, or a hit’s chunk_id (which reads that hit’s section). Long pages come in parts: call again with next_offset.',
      input: {
        path: z
          .string()
          .min(1)
          .max(2000)
          .describe('page path (e.g. guide/install.md), its URL, or a chunk_id from search_docs'),
        library: z.string().min(1).max(200).optional().describe(libraryDescription(scope)),
        version: z.string().min(1).max(200).optional().describe("the version (default: the library's default)"),
        section: z
          .string()
          .min(1)
          .max(500)
          .optional()
          .describe('a heading of the page (its text or #anchor): that section and its subsections'),
        offset: z.number().int().min(0).max(1_000_000).optional().describe('next_offset of the previous call'),
        max_tokens: budget.parameter,
      },
      output,
      annotations: { readOnlyHint: true, openWorldHint: false },
      run: async ({ path, library, version, section, offset, max_tokens }) => {
        const searcher = await deps.searcher;
        const tokens = budget.of(max_tokens);
        const page = await searcher.read({
          library: scope.one(library, searcher),
          pathOrChunkId: checkedPagePath(path),
          ...(version !== undefined ? { version } : {}),
          ...(section !== undefined ? { section } : {}),
          offset: offset ?? 0,
          maxTokens: Math.max(1, Math.floor((tokens - FRAME_TOKENS) / 2)),
        });
        return fitDocsPrefix(page.sections, tokens, (shown) => readAnswer(page, shown));
      },
    },
    deps.tools,
  );
}

function readAnswer(page: ReadResponse, sections: readonly PageSection[]): { structured: ReadView; text: string } {
  const end = page.offset + page.chunk_ids.length;
  const where = page.section ? `${page.path} › ${page.section.join(' › ')}` : page.path;
  const lines = [
    `# ${page.title}`,
    `${page.library}@${page.version} ${where} — chunks ${page.offset + 1}–${end} of ${page.total_chunks}${page.truncated ? ' (cut to fit)' : ''}`,
    `source: ${page.source}`,
    '',
    page.text,
    '',
    page.next_offset === null ? '(end)' : `next: read_page again with offset ${page.next_offset} for the rest.`,
  ];
  // A part is at least one chunk; one longer than the budget is cut, and no offset reaches its rest.
  if (page.truncated) lines.push('the text was cut to fit: call again with a larger max_tokens for the whole of it.');
  if (sections.length)
    lines.push(
      `sections: ${sections.map((s) => s.heading).join(' | ')}${sections.length < page.sections.length ? ' | …' : ''}`,
    );
  return {
    structured: {
      library: page.library,
      version: page.version,
      path: page.path,
      url: page.url ?? null,
      source: page.source,
      uri: pageUri(page),
      title: page.title,
      section: page.section,
      text: page.text,
      truncated: page.truncated,
      offset: page.offset,
      next_offset: page.next_offset,
      total_chunks: page.total_chunks,
      sections: [...sections],
      sections_omitted: page.sections.length - sections.length,
      snapshot_id: page.snapshot_id,
    },
    text: lines.join('\n'),
  };
}
