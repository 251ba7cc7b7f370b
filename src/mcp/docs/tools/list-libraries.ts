import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { cursorOffset } from '../../budget.js';
import { defineTool, type DefinedTool } from '../../tool.js';
import { fitDocsList } from '../budget.js';
import type { LibraryInfo } from '../library-directory.js';
import type { DocsToolDeps } from '../deps.js';

const librarySchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  default_version: z.string().nullable().describe('searched when no version is given (null: the newest)'),
  versions: z
    .array(z.object({ version: z.string(), pages: z.number(), chunks: z.number(), deprecated: z.boolean() }))
    .describe('newest first'),
  pages: z.number(),
  chunks: z.number(),
  last_sync: z.object({ status: z.string(), at: z.string() }).nullable().describe('the last sync and when it ended'),
  snapshot_id: z.number().nullable().describe('the lake snapshot of the last successful sync'),
});
type LibraryView = z.infer<typeof librarySchema>;

const output = {
  libraries: z.array(librarySchema),
  served_snapshot_id: z.number().describe('the snapshot the server answers from (it moves on by itself after a sync)'),
  next_cursor: z.string().nullable(),
};

export function registerListLibraries(server: McpServer, deps: DocsToolDeps): DefinedTool {
  const { directory, scope, budget } = deps;
  return defineTool(
    server,
    {
      name: 'list_libraries',
      title: 'List the documentation libraries',
      description:
        'The libraries this server answers from: versions (newest first) with page and chunk counts, the default version, and freshness (last sync time and snapshot).',
      input: {
        cursor: z.string().max(1000).optional().describe('next_cursor of the previous call'),
        max_tokens: budget.parameter,
      },
      output,
      annotations: { readOnlyHint: true, openWorldHint: false },
      run: async ({ cursor, max_tokens }) => {
        const offset = cursorOffset(cursor, 'libraries');
        const searcher = await deps.searcher;
        // Freshness is the point of this answer: look for a newer snapshot first.
        await searcher.refresh();
        const served = scope.served;
        const all = (await (await directory).libraries())
          .filter((l) => served === null || served.includes(l.name))
          .map(libraryView);
        return fitDocsList(
          all.slice(offset),
          { offset, query: 'libraries', budget: budget.of(max_tokens) },
          (shown, nextCursor) => ({
            structured: { libraries: [...shown], served_snapshot_id: searcher.snapshotId, next_cursor: nextCursor },
            text: [
              `${all.length} librar${all.length === 1 ? 'y' : 'ies'} (serving snapshot ${searcher.snapshotId}):`,
              ...shown.map(
                (l) =>
                  `- ${l.name}${l.description ? ` — ${l.description}` : ''}: ${l.versions.map((v) => `${v.version}${v.version === l.default_version ? ' (default)' : ''}${v.deprecated ? ' (deprecated)' : ''}`).join(', ') || 'no versions yet'}; ${l.pages} pages, ${l.chunks} chunks; last sync ${l.last_sync ? `${l.last_sync.status} ${l.last_sync.at}` : 'never'}`,
              ),
              ...(nextCursor ? ['more: call list_libraries again with the cursor.'] : []),
            ].join('\n'),
          }),
        );
      },
    },
    deps.tools,
  );
}

function libraryView(l: LibraryInfo): LibraryView {
  return {
    name: l.name,
    description: l.description,
    default_version: l.defaultVersion,
    versions: l.versions,
    pages: l.versions.reduce((n, v) => n + v.pages, 0),
    chunks: l.versions.reduce((n, v) => n + v.chunks, 0),
    last_sync: l.lastSync,
    snapshot_id: l.snapshotId,
  };
}
