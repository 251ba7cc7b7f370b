/** mcp/export: a library's docs server as a standalone package (`bosun docs export`). */
export { exportLibrary, type ExportOptions, type ExportResult } from './export-library.js';
export { readManifest, type Manifest } from './manifest.js';
