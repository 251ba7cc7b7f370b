import { z } from 'zod';

/**
 * What callers (CLI, MCP tools, other layers) may ask of a searcher, validated at the edge.
 * Bounds keep one request from costing more than a person could want: a 10,000-character
 * query is accepted (people paste error logs), a 1 MB one is not.
 */

export const MAX_QUERY_CHARS = 20_000;
export const MAX_LIMIT = 100;

const library = z.string().min(1).max(200);
const version = z.string().min(1).max(200);
const tokens = z.number().int().min(1).max(1_000_000);

export const searchRequestSchema = z
  .object({
    query: z.string().max(MAX_QUERY_CHARS, `a query is at most ${MAX_QUERY_CHARS} characters`),
    /** Libraries to search; none = every library. */
    libraries: z.array(library).max(100).optional(),
    /** A version of each library searched; none = each library's default version. */
    version: version.optional(),
    /** Every version of each library (near-duplicates across versions collapse into one hit). */
    allVersions: z.boolean().optional(),
    /** Only pages whose path starts with this. */
    pathPrefix: z.string().min(1).max(1000).optional(),
    limit: z.number().int().min(1).max(MAX_LIMIT).default(10),
    /** The whole answer (texts and citations) fits this many tokens. */
    maxTokens: tokens.optional(),
  })
  .strict()
  .refine((r) => !(r.version !== undefined && r.allVersions), {
    message: 'give a version or allVersions, not both',
    path: ['version'],
  });
export type SearchRequest = z.input<typeof searchRequestSchema>;

export const readRequestSchema = z
  .object({
    library,
    /** A page path (as in hits), its URL, or a chunk id. */
    pathOrChunkId: z.string().min(1).max(2000),
    version: version.optional(),
    /** A heading of the page (its text or anchor): that section and its subsections only. */
    section: z.string().min(1).max(500).optional(),
    maxTokens: tokens.optional(),
    /** Chunks of the page (or section) to skip: the `next_offset` of the previous read. */
    offset: z.number().int().min(0).default(0),
  })
  .strict();
export type ReadRequest = z.input<typeof readRequestSchema>;

export const outlineRequestSchema = z
  .object({
    library,
    version: version.optional(),
    pathPrefix: z.string().min(1).max(1000).optional(),
    /** Levels of the tree shown: folders, pages, then headings. */
    depth: z.number().int().min(1).max(20).optional(),
  })
  .strict();
export type OutlineRequest = z.input<typeof outlineRequestSchema>;
