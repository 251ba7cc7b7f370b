/**
 * How the docs layer counts tokens and cites hits, for callers that format answers but must
 * not load the rest of the layer to do so: an MCP server imports this before it answers
 * `initialize`, while docs/search's entry would bring DuckDB and the parsers.
 */
export { countTokens } from './chunk/tokens.js';
export { citation } from './search/hits.js';
