/** mcp/docs: any documentation library as a standard MCP server (tools and page resources). */
export { createDocsServer, type DocsServerOptions } from './server.js';
export { serverSearcherOptions } from './searcher-options.js';
export type { DocsCatalog, LibraryInfo, PageInfo, PageLinks, VersionSummary } from './catalog.js';
export { TOKEN_CEILING } from './budget.js';
export { MAX_QUERY_CHARS } from './tools/search-docs.js';
export { RESOURCES_PER_PAGE } from './resources.js';
export { PAGE_URI_TEMPLATE } from './uri.js';
