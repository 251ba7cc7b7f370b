import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { silentLogger, type Logger } from '../../core/index.js';
import type { Searcher } from '../../docs/index.js';
import { serverName } from '../clients.js';
import { answerToolCalls, type NextSteps } from '../tool.js';
import { AnswerBudget } from './budget.js';
import type { LibraryDirectory } from './library-directory.js';
import type { DocsToolDeps } from './deps.js';
import { registerPageResources } from './resources.js';
import { LibraryScope } from './scope.js';
import { registerFindRelated } from './tools/find-related.js';
import { registerGetOutline } from './tools/get-outline.js';
import { registerListLibraries } from './tools/list-libraries.js';
import { registerReadPage } from './tools/read-page.js';
import { registerSearchDocs } from './tools/search-docs.js';

export interface DocsServerOptions {
  /** May still be loading: requests wait for it (and get its error if it fails to load). */
  searcher: Searcher | Promise<Searcher>;
  /** Likewise. */
  directory: LibraryDirectory | Promise<LibraryDirectory>;
  /** Serve only these libraries (default: every library indexed). With one, tools default to it. */
  libraries?: readonly string[];
  /** Tokens per answer unless a call asks otherwise (config mcp.tokenBudget). */
  tokenBudget: number;
  /** Reported to clients as the server's version. */
  version: string;
  logger?: Logger;
}

/** What the model should do after each kind of error, when the error itself has no hint. */
const docsNextSteps: NextSteps = {
  NOT_FOUND: 'check the name with list_libraries, get_outline or search_docs, then call again',
  INVALID_INPUT: 'fix the arguments as the message says and call again',
};

/**
 * A documentation MCP server: the same five tools for any library (search_docs, read_page,
 * list_libraries, get_outline, find_related) and every page as a resource. Cheap to create
 * (the searcher is shared): the HTTP transport makes one per request.
 */
export function createDocsServer(options: DocsServerOptions): McpServer {
  const libraries = options.libraries?.length ? [...new Set(options.libraries)] : null;
  const name = serverName('docs', libraries ?? []);
  const logger = options.logger ?? silentLogger;
  const budget = new AnswerBudget(options.tokenBudget);
  const server = new McpServer(
    { name, version: options.version },
    { instructions: instructions(libraries, budget), capabilities: { tools: {} } },
  );
  const searcher = Promise.resolve(options.searcher);
  const directory = Promise.resolve(options.directory);
  // A failed load is reported by every request that needs it, not as an unhandled rejection.
  for (const loading of [searcher, directory]) loading.catch(() => undefined);
  const deps: DocsToolDeps = {
    searcher,
    directory,
    scope: new LibraryScope(libraries),
    budget,
    tools: { logger, nextSteps: docsNextSteps },
  };
  const tools = [
    registerSearchDocs,
    registerReadPage,
    registerListLibraries,
    registerGetOutline,
    registerFindRelated,
  ].map((register) => register(server, deps));
  answerToolCalls(server, tools, deps.tools);
  registerPageResources(server, { ...deps, logger });
  return server;
}

function instructions(libraries: readonly string[] | null, budget: AnswerBudget): string {
  const what = libraries
    ? `the documentation of ${libraries.join(', ')}`
    : 'documentation libraries indexed by Bosun (list_libraries names them)';
  return [
    `This server answers from ${what}, always current with the last sync.`,
    'search_docs finds the sections that answer a question; cite hits as their citation says. read_page reads a hit’s section (its chunk_id) or a whole page (its path), in parts for long pages (next_offset).',
    'get_outline browses a version’s table of contents; find_related follows links between pages; list_libraries shows versions and freshness.',
    `Every answer fits ${budget.standard} tokens unless a call passes max_tokens (up to ${budget.ceiling}); lists continue with a cursor.`,
  ].join('\n');
}
