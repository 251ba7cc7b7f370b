import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { OutlineNode } from '../../../docs/index.js';
import { cursorOffset } from '../../budget.js';
import { defineTool, type DefinedTool } from '../../tool.js';
import { fitDocsList } from '../budget.js';
import { libraryDescription, type DocsToolDeps } from '../deps.js';
import { checkedPagePath } from '../paths.js';

const DEFAULT_DEPTH = 3;
const MAX_DEPTH = 10;

/** One line of the table of contents; the tree is flattened (depth says where it hangs) so it can be paged. */
const entrySchema = z.object({
  depth: z.number().describe('0 for the top level'),
  kind: z.enum(['folder', 'page', 'heading']),
  name: z.string(),
  path: z.string().optional().describe('pages and headings: the page path, for read_page'),
  title: z.string().optional(),
  anchor: z.string().optional().describe('headings: the section, for read_page'),
});
type Entry = z.infer<typeof entrySchema>;

const output = {
  library: z.string(),
  version: z.string(),
  path_prefix: z.string().nullable(),
  pages: z.number().describe('pages under the prefix'),
  entries: z.array(entrySchema).describe('the tree in order, one entry per line'),
  next_cursor: z.string().nullable().describe('pass back as cursor for the rest'),
  snapshot_id: z.number(),
};

export function registerGetOutline(server: McpServer, deps: DocsToolDeps): DefinedTool {
  const { scope, budget } = deps;
  return defineTool(
    server,
    {
      name: 'get_outline',
      title: 'Table of contents',
      description: `A library version's table of contents: folders, pages (with titles) and their headings, ${DEFAULT_DEPTH} levels deep unless told. Use it to browse, then read_page.`,
      input: {
        library: z.string().min(1).max(200).optional().describe(libraryDescription(scope)),
        version: z.string().min(1).max(200).optional().describe("the version (default: the library's default)"),
        path_prefix: z.string().min(1).max(1000).optional().describe('only pages whose path starts with this'),
        depth: z
          .number()
          .int()
          .min(1)
          .max(MAX_DEPTH)
          .optional()
          .describe(`levels shown: folders, pages, then headings (default ${DEFAULT_DEPTH})`),
        cursor: z.string().max(1000).optional().describe('next_cursor of the previous call'),
        max_tokens: budget.parameter,
      },
      output,
      annotations: { readOnlyHint: true, openWorldHint: false },
      run: async ({ library, version, path_prefix, depth, cursor, max_tokens }) => {
        const searcher = await deps.searcher;
        const outline = await searcher.outline({
          library: scope.one(library, searcher),
          ...(version !== undefined ? { version } : {}),
          ...(path_prefix !== undefined ? { pathPrefix: checkedPagePath(path_prefix) } : {}),
          depth: depth ?? DEFAULT_DEPTH,
        });
        const query = `outline:${outline.library}@${outline.version}:${outline.path_prefix ?? ''}:${depth ?? DEFAULT_DEPTH}`;
        const offset = cursorOffset(cursor, query);
        const entries = flatten(outline.tree).slice(offset);
        return fitDocsList(entries, { offset, query, budget: budget.of(max_tokens) }, (shown, nextCursor) => ({
          structured: {
            library: outline.library,
            version: outline.version,
            path_prefix: outline.path_prefix,
            pages: outline.pages,
            entries: [...shown],
            next_cursor: nextCursor,
            snapshot_id: outline.snapshot_id,
          },
          text: [
            `${outline.library}@${outline.version}${outline.path_prefix ? ` under ${outline.path_prefix}` : ''}: ${outline.pages} page(s)`,
            ...shown.map(line),
            ...(nextCursor ? ['more: call get_outline again with the cursor.'] : []),
          ].join('\n'),
        }));
      },
    },
    deps.tools,
  );
}

function flatten(nodes: readonly OutlineNode[], depth = 0): Entry[] {
  return nodes.flatMap((n) => [
    {
      depth,
      kind: n.kind,
      name: n.name,
      ...(n.path !== undefined && n.kind !== 'folder' ? { path: n.path } : {}),
      ...(n.title !== undefined ? { title: n.title } : {}),
      ...(n.anchor !== undefined ? { anchor: n.anchor } : {}),
    },
    ...flatten(n.children, depth + 1),
  ]);
}

/** Folders end in `/`, pages show their path and title, headings a `#`. */
function line(e: Entry): string {
  const indent = '  '.repeat(e.depth);
  if (e.kind === 'folder') return `${indent}${e.name}/`;
  if (e.kind === 'page') return `${indent}${e.path} — ${e.title ?? ''}`;
  return `${indent}# ${e.name}`;
}
