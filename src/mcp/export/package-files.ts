import { serverName } from '../clients.js';
import { SERVER_FILE } from './bundle.js';
import { MANIFEST_FILE, type Manifest } from './manifest.js';

/**
 * The package.json of an exported server: runnable with `npx <dir>` (its bin) or `node <dir>`
 * (its main), depending only on what cannot be bundled. The version moves with the snapshot,
 * so a newer export of the same library is a newer package.
 */
export function packageJson(manifest: Manifest): Record<string, unknown> {
  const name = serverName('docs', [manifest.library]);
  return {
    name,
    version: `1.0.${manifest.snapshot_id}`,
    description: `MCP server for the ${manifest.library} documentation (${manifest.versions.map((v) => v.version).join(', ')}), exported by Bosun`,
    type: 'module',
    main: SERVER_FILE,
    bin: { [name]: SERVER_FILE },
    files: [SERVER_FILE, 'duckdb.js', MANIFEST_FILE, 'data', 'README.md'],
    engines: { node: '>=20' },
    dependencies: { [manifest.duckdb.package]: manifest.duckdb.version },
  };
}

/** How to run and plug in the server, for whoever receives it. */
export function readme(manifest: Manifest): string {
  const name = serverName('docs', [manifest.library]);
  const versions = manifest.versions
    .map((v) => (v.version === manifest.default_version ? `${v.version} (default)` : v.version))
    .join(', ');
  return `# ${name}

An MCP server for the **${manifest.library}** documentation — versions ${versions}; ${manifest.counts.pages} pages,
${manifest.counts.chunks} chunks, lake snapshot ${manifest.snapshot_id}, exported ${manifest.exported_at} by Bosun ${manifest.bosun_version}.

It speaks MCP over stdio and needs Node.js 20 or later, nothing else: no database, no Bosun.

\`\`\`sh
npx /path/to/this/folder      # installs its one dependency (@duckdb/node-api) on first run
node /path/to/this/folder     # when the dependency is installed (npm install), or found where it was exported
\`\`\`

Claude Code (\`.mcp.json\`), Claude Desktop, Cursor:

\`\`\`json
{ "mcpServers": { "${name}": { "command": "npx", "args": ["/path/to/this/folder"] } } }
\`\`\`

Tools: search_docs, read_page, list_libraries, get_outline, find_related. Resources: every page as
\`docs://${manifest.library}/<version>/<path>\`. Logs go to stderr (BOSUN_LOG_LEVEL=info for more).
`;
}
