import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { citation } from '../../../docs/format.js';
import type { Hit, SearchResponse } from '../../../docs/search/index.js';
import { defineTool, type DefinedTool } from '../../tool.js';
import { fitDocsPrefix } from '../budget.js';
import type { DocsToolDeps } from '../deps.js';
import { checkedPagePath } from '../paths.js';

/** Queries from a model are questions or an error message; past this they cost it tokens for nothing (search keeps the 32 rarest terms anyway). */
export const MAX_QUERY_CHARS = 4000;
const DEFAULT_LIMIT = 5;
const MAX_LIMIT = 20;
/**
 * The answer around the hits' texts: the query, the versions searched, notes, and each hit's
 * fields in JSON and its citation line in the text. The hits' texts appear in both parts, so
 * search is asked for half of what is left; hits that still do not fit are dropped.
 */
const FRAME_TOKENS = 250;
const HIT_FRAME_TOKENS = 90;

const hitSchema = z.object({
  rank: z.number(),
  chunk_id: z.string().describe('read_page takes it to read the whole section'),
  library: z.string(),
  version: z.string(),
  path: z.string(),
  url: z.string().optional(),
  source: z
    .string()
    .describe("where to open it: the page's URL with the section's anchor, or the file's path in its source"),
  title: z.string(),
  heading_path: z.array(z.string()),
  citation: z.string().describe('library@version path › headings: how to cite the hit'),
  score: z.number(),
  text: z.string().describe('the section as markdown'),
  truncated: z.boolean().describe('the text was cut to fit the token budget'),
  also_in: z
    .array(z.object({ library: z.string(), version: z.string(), path: z.string() }))
    .describe('the same section elsewhere (other versions or pages)'),
});
type HitView = z.infer<typeof hitSchema>;

const output = {
  query: z.string(),
  searched: z.array(z.object({ library: z.string(), version: z.string() })),
  hits: z.array(hitSchema),
  omitted: z.number().describe('hits left out to fit the token budget'),
  notes: z.array(z.string()),
  snapshot_id: z.number().describe('the index snapshot searched'),
};
type SearchView = z.objectOutputType<typeof output, z.ZodTypeAny>;

export function registerSearchDocs(server: McpServer, deps: DocsToolDeps): DefinedTool {
  const { scope, budget } = deps;
  return defineTool(
    server,
    {
      name: 'search_docs',
      title: 'Search the documentation',
      description:
        'Finds the documentation sections that answer a question (BM25 over the indexed pages, default versions unless told). Each hit has its text, a citation and a chunk_id; read_page expands a hit into its whole section or page.',
      input: {
        query: z
          .string()
          .trim()
          .min(1)
          .max(MAX_QUERY_CHARS)
          .describe('the question, or the words the documentation would use'),
        library: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .describe(
            scope.defaultLibrary
              ? `the library (only ${scope.defaultLibrary} is served)`
              : 'one library to search (default: every library served)',
          ),
        version: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .describe("a version to search (default: each library's default version)"),
        path_prefix: z
          .string()
          .min(1)
          .max(1000)
          .optional()
          .describe('only pages whose path starts with this, e.g. specification/'),
        limit: z.number().int().min(1).max(MAX_LIMIT).optional().describe(`hits wanted (default ${DEFAULT_LIMIT})`),
        max_tokens: budget.parameter,
      },
      output,
      annotations: { readOnlyHint: true, openWorldHint: false },
      run: async ({ query, library, version, path_prefix, limit, max_tokens }) => {
        const searcher = await deps.searcher;
        const tokens = budget.of(max_tokens);
        const wanted = limit ?? DEFAULT_LIMIT;
        const libraries = scope.searched(library);
        const textTokens = Math.max(1, Math.floor((tokens - FRAME_TOKENS - wanted * HIT_FRAME_TOKENS) / 2));
        const response = await searcher.search({
          query,
          ...(libraries ? { libraries } : {}),
          ...(version !== undefined ? { version } : {}),
          ...(path_prefix !== undefined ? { pathPrefix: checkedPagePath(path_prefix) } : {}),
          limit: wanted,
          maxTokens: textTokens,
        });
        const hits = response.hits.map(hitView);
        return fitDocsPrefix(hits, tokens, (shown) =>
          searchAnswer(response, shown, response.omitted + hits.length - shown.length),
        );
      },
    },
    deps.tools,
  );
}

function hitView(h: Hit): HitView {
  return {
    rank: h.rank,
    chunk_id: h.chunk_id,
    library: h.library,
    version: h.version,
    path: h.path,
    ...(h.url ? { url: h.url } : {}),
    source: h.source,
    title: h.title,
    heading_path: h.heading_path,
    citation: citation(h),
    score: h.score,
    text: h.text,
    truncated: h.truncated,
    also_in: h.also_in.map(({ library, version, path }) => ({ library, version, path })),
  };
}

function searchAnswer(
  response: SearchResponse,
  hits: readonly HitView[],
  omitted: number,
): { structured: SearchView; text: string } {
  const searched = response.searched.map((s) => `${s.library}@${s.version}`).join(', ') || 'nothing';
  const lines = [
    hits.length
      ? `${hits.length} hit(s) for "${response.query}" in ${searched} (snapshot ${response.snapshot_id}):`
      : `No hits for "${response.query}" in ${searched}.`,
  ];
  for (const h of hits) {
    lines.push(
      '',
      `[${h.rank}] ${h.citation}`,
      `chunk_id: ${h.chunk_id} · source: ${h.source}${h.truncated ? ' · text cut to fit' : ''}`,
      '',
      h.text,
    );
  }
  if (omitted)
    lines.push(
      '',
      `${omitted} more hit(s) did not fit the token budget: narrow the query, lower limit or raise max_tokens.`,
    );
  for (const note of response.notes) lines.push(`note: ${note}`);
  lines.push(
    '',
    hits.length
      ? 'next: read_page with a hit’s chunk_id reads its whole section; with its path, the page.'
      : 'next: try the words the documentation would use, another version, or get_outline to browse.',
  );
  return {
    structured: {
      query: response.query,
      searched: response.searched,
      hits: [...hits],
      omitted,
      notes: response.notes,
      snapshot_id: response.snapshot_id,
    },
    text: lines.join('\n'),
  };
}
