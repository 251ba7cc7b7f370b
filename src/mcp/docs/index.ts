/**
 * mcp/docs: any documentation library as a standard MCP server (tools and page resources).
 * Also a light entry of mcp/ (docs/architecture.md): what `bosun mcp docs` needs — the server,
 * its library directory in PostgreSQL, the hosting over stdio and HTTP and the version it announces —
 * without the PM server or the export. It loads the MCP SDK and the tools only, so a stdio
 * server answers `initialize` at once; the directory and HTTP load their libraries when used.
 */
export { createDocsServer, type DocsServerOptions } from './server.js';
export { serverSearcherOptions } from './searcher-options.js';
export type { LibraryDirectory, LibraryInfo, PageInfo, PageLinks, VersionSummary } from './library-directory.js';
export { TOKEN_CEILING } from './budget.js';
export { MAX_QUERY_CHARS } from './tools/search-docs.js';
export { RESOURCES_PER_PAGE } from './resources.js';
export { PAGE_URI_TEMPLATE } from './uri.js';
export { pgLibraryDirectory } from './pg-library-directory.js';
export { serveStdio } from '../stdio.js';
export { serveHttp } from '../http.js';
export { bosunVersion } from '../version.js';
