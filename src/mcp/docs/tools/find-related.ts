import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { LinkRecord } from '../../../docs/index.js';
import { cursorOffset } from '../../budget.js';
import { defineTool, type DefinedTool } from '../../tool.js';
import { fitDocsList } from '../budget.js';
import type { PageLinks } from '../library-directory.js';
import { libraryDescription, type DocsToolDeps } from '../deps.js';
import { checkedPagePath } from '../paths.js';

const relatedSchema = z.object({
  direction: z
    .enum(['links_to', 'linked_from'])
    .describe('links_to: the page links to it; linked_from: it links to the page'),
  version: z.string(),
  path: z.string(),
  anchor: z
    .string()
    .nullable()
    .describe('links_to: the section linked to; linked_from: the section the link stands in'),
  text: z.string().describe('the link text'),
});
type Related = z.infer<typeof relatedSchema>;

const output = {
  library: z.string(),
  version: z.string(),
  path: z.string(),
  title: z.string(),
  related: z.array(relatedSchema),
  external_links: z.number().describe('links from the page to outside the library'),
  broken_links: z.number().describe('links from the page to pages that do not exist'),
  next_cursor: z.string().nullable(),
};

export function registerFindRelated(server: McpServer, deps: DocsToolDeps): DefinedTool {
  const { directory, scope, budget } = deps;
  return defineTool(
    server,
    {
      name: 'find_related',
      title: 'Pages linked to or from a page',
      description:
        'The cross-references of a page: the pages it links to and the pages that link to it, with the link texts. Use it to follow a topic across the documentation.',
      input: {
        path: z.string().min(1).max(2000).describe('page path, URL, or a chunk_id from search_docs'),
        library: z.string().min(1).max(200).optional().describe(libraryDescription(scope)),
        version: z.string().min(1).max(200).optional().describe("the version (default: the library's default)"),
        direction: z.enum(['both', 'links_to', 'linked_from']).optional().describe('which links (default both)'),
        cursor: z.string().max(1000).optional().describe('next_cursor of the previous call'),
        max_tokens: budget.parameter,
      },
      output,
      annotations: { readOnlyHint: true, openWorldHint: false },
      run: async ({ path, library, version, direction, cursor, max_tokens }) => {
        // The page is found as read_page finds it (path, URL or chunk id; nearest matches when
        // unknown), so that both tools agree on what a page is.
        const searcher = await deps.searcher;
        const page = await searcher.read({
          library: scope.one(library, searcher),
          pathOrChunkId: checkedPagePath(path),
          ...(version !== undefined ? { version } : {}),
          maxTokens: 1,
        });
        const links = await (await directory).links(page.library, page.version, page.path);
        const wanted = direction ?? 'both';
        const related = relatedPages(page, links).filter((r) => wanted === 'both' || r.direction === wanted);
        const query = `related:${page.library}@${page.version}:${page.path}:${wanted}`;
        const offset = cursorOffset(cursor, query);
        const external = links.outgoing.filter((l) => l.kind === 'external').length;
        const broken = links.outgoing.filter((l) => l.kind === 'broken').length;
        return fitDocsList(
          related.slice(offset),
          { offset, query, budget: budget.of(max_tokens) },
          (shown, nextCursor) => ({
            structured: {
              library: page.library,
              version: page.version,
              path: page.path,
              title: page.title,
              related: [...shown],
              external_links: external,
              broken_links: broken,
              next_cursor: nextCursor,
            },
            text: [
              `${page.library}@${page.version} ${page.path} — ${page.title}: ${related.length} related page(s), ${external} external and ${broken} broken link(s)`,
              ...shown.map(
                (r) =>
                  `- ${r.direction === 'links_to' ? '→' : '←'} ${r.version === page.version ? '' : `${r.version} `}${r.path}${r.anchor ? `#${r.anchor}` : ''} “${r.text}”`,
              ),
              ...(nextCursor ? ['more: call find_related again with the cursor.'] : []),
            ].join('\n'),
          }),
        );
      },
    },
    deps.tools,
  );
}

/**
 * One entry per linked page and direction (the first link's text), outgoing first in page
 * order; links within the page itself (a table of contents) are not relations.
 */
function relatedPages(page: { version: string; path: string }, links: PageLinks): Related[] {
  const seen = new Set<string>();
  const once = (r: Related) => {
    const key = `${r.direction}\0${r.version}\0${r.path}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [r];
  };
  const to = (l: LinkRecord): Related[] =>
    l.kind === 'page' &&
    l.toVersion !== null &&
    l.toPath !== null &&
    !(l.toVersion === page.version && l.toPath === page.path)
      ? once({ direction: 'links_to', version: l.toVersion, path: l.toPath, anchor: l.toAnchor || null, text: l.text })
      : [];
  const from = (l: LinkRecord): Related[] =>
    once({
      direction: 'linked_from',
      version: l.version,
      path: l.fromPath,
      anchor: l.sectionAnchor || null,
      text: l.text,
    });
  return [...links.outgoing.flatMap(to), ...links.incoming.flatMap(from)];
}
