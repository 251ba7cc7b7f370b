import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

/**
 * The modules loaded before `bosun mcp docs` can answer `initialize`: the CLI's entry and the
 * `mcp` group's command modules (what main.ts loads for `mcp`), with their static imports
 * followed through our sources. Dynamic imports are where loading is put off, so they are
 * not followed. Packages are listed by the specifier imported.
 */
async function loadedBeforeInitialize(): Promise<Set<string>> {
  const entries = ['src/cli/main.ts', 'src/cli/commands/mcp.ts', 'src/cli/commands/mcp-pm.ts'];
  const { metafile } = await build({
    entryPoints: entries,
    absWorkingDir: repoRoot,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    outdir: 'unused',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const i of metafile.inputs[file]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
  };
  entries.forEach(visit);
  return loaded;
}

describe('the start of a stdio docs server', () => {
  it('loads the MCP SDK and the tools, not DuckDB, the database, the parsers or the HTTP transport', async () => {
    const loaded = await loadedBeforeInitialize();
    expect(loaded).toContain('@modelcontextprotocol/sdk/server/mcp.js');
    expect(loaded).toContain('src/mcp/docs/tools/search-docs.ts');
    for (const heavy of [
      '@duckdb/node-api',
      'pg',
      'pg-boss',
      'execa',
      'linkedom',
      'unified',
      'pino-pretty',
      '@modelcontextprotocol/sdk/server/streamableHttp.js',
    ]) {
      expect(loaded, heavy).not.toContain(heavy);
    }
    for (const layer of [
      'src/db/',
      'src/lake/',
      'src/queue/',
      'src/docs/search/searcher.ts',
      'src/docs/parse/',
      'src/docs/sources/',
    ]) {
      expect(
        [...loaded].filter((file) => file.startsWith(layer)),
        layer,
      ).toEqual([]);
    }
  });
});
