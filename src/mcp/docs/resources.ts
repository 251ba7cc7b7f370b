import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type Resource,
} from '@modelcontextprotocol/sdk/types.js';
import { toBosunError, type Logger } from '../../core/index.js';
import type { Searcher } from '../../docs/index.js';
import { cursorOffset, encodeCursor } from '../budget.js';
import type { LibraryDirectory } from './library-directory.js';
import type { LibraryScope } from './scope.js';
import { PAGE_URI_TEMPLATE, pageUri, parsePageUri } from './uri.js';

/** Resources per resources/list page. */
export const RESOURCES_PER_PAGE = 100;
/** The specification's code for a resource that does not exist. */
const RESOURCE_NOT_FOUND = -32002;
const MARKDOWN = 'text/markdown';

/**
 * Every page served as a resource: a template, a paginated listing, and reads as markdown.
 * Set on the underlying server because McpServer's own listing does not paginate. A read
 * returns the whole page: resources are attached by the application (or the user), not
 * pulled into a conversation by the model, and a page cut short would not be the page.
 */
export function registerPageResources(
  server: McpServer,
  deps: { searcher: Promise<Searcher>; directory: Promise<LibraryDirectory>; scope: LibraryScope; logger: Logger },
): void {
  const { searcher, directory, scope } = deps;
  server.server.registerCapabilities({ resources: {} });

  server.server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      {
        uriTemplate: PAGE_URI_TEMPLATE,
        name: 'page',
        title: 'Documentation page',
        description: 'A page of a library version as markdown; the path is as search_docs and get_outline give it.',
        mimeType: MARKDOWN,
      },
    ],
  }));

  server.server.setRequestHandler(ListResourcesRequestSchema, async (request) =>
    asProtocolError(deps.logger, async () => {
      const offset = cursorOffset(request.params?.cursor, 'resources');
      const pages = await directory;
      const libraries = scope.served ?? (await pages.libraries()).map((l) => l.name);
      const resources: Resource[] = [];
      for (const library of libraries) {
        for (const page of await pages.pages(library)) {
          resources.push({
            uri: pageUri({ library, ...page }),
            name: page.path,
            title: page.title ?? page.path,
            description: `${library}@${page.version}`,
            mimeType: MARKDOWN,
          });
        }
      }
      const end = offset + RESOURCES_PER_PAGE;
      return {
        resources: resources.slice(offset, end),
        ...(end < resources.length ? { nextCursor: encodeCursor({ offset: end, query: 'resources' }) } : {}),
      };
    }),
  );

  server.server.setRequestHandler(ReadResourceRequestSchema, async (request) =>
    asProtocolError(deps.logger, async () => {
      const address = parsePageUri(request.params.uri);
      const page = await (
        await searcher
      ).read({ library: scope.check(address.library), version: address.version, pathOrChunkId: address.path });
      return {
        contents: [
          {
            uri: request.params.uri,
            mimeType: MARKDOWN,
            text: page.text,
            _meta: { source: page.source, path: page.path },
          },
        ],
      };
    }),
  );
}

/**
 * Resource requests answer failures with JSON-RPC errors (there is no tool result to carry
 * them): a missing page is -32002, a bad URI or cursor -32602, anything else -32603; the
 * message keeps the hint.
 */
async function asProtocolError<T>(logger: Logger, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = toBosunError(err);
    const message = e.hint ? `${e.message} (${e.hint})` : e.message;
    if (e.code === 'NOT_FOUND') throw new McpError(RESOURCE_NOT_FOUND, message);
    if (e.code === 'INVALID_INPUT') throw new McpError(ErrorCode.InvalidParams, message);
    logger.warn({ err }, 'resource request failed');
    throw new McpError(ErrorCode.InternalError, message);
  }
}
