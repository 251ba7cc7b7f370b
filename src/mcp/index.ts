/**
 * mcp/: the MCP servers (documentation and project manager), their hosting over stdio and
 * Streamable HTTP, client configuration, and the standalone export of a docs server. A plain
 * list of re-exports.
 *
 * Two light entries keep start-up short (docs/architecture.md): `mcp/clients.ts` (client
 * configuration, without the MCP SDK) and `mcp/docs/index.ts` (the docs server, its library directory and
 * hosting, which `bosun mcp docs` loads to answer `initialize` at once, without the PM server).
 */
export {
  MCP_CLIENTS,
  TOKEN_ENV_VAR,
  clientEntry,
  clientSnippet,
  defaultConfigFile,
  installIntoClient,
  serverLaunch,
  serverName,
  type InstallResult,
  type McpClient,
  type ServerLaunch,
} from './clients.js';
export { bosunVersion } from './version.js';
export { serveStdio } from './stdio.js';
export { serveHttp, type HttpServeOptions, type RunningHttpServer } from './http.js';
export {
  MAX_QUERY_CHARS,
  PAGE_URI_TEMPLATE,
  RESOURCES_PER_PAGE,
  TOKEN_CEILING,
  createDocsServer,
  pgLibraryDirectory,
  serverSearcherOptions,
  type LibraryDirectory,
  type DocsServerOptions,
  type LibraryInfo,
  type PageInfo,
  type PageLinks,
  type VersionSummary,
} from './docs/index.js';
export { createPmServer, type PmServerDeps } from './pm/index.js';
export { exportLibrary, readManifest, type ExportOptions, type ExportResult, type Manifest } from './export/index.js';
