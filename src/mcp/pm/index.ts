/** mcp/pm: the project manager as an MCP server (stdio or Streamable HTTP through mcp/'s hosting). */
export { createPmServer } from './server.js';
export type { PmServerDeps } from './deps.js';
