import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { BosunError } from '../../core/index.js';

export const SERVER_FILE = 'server.js';
const DUCKDB_FILE = 'duckdb.js';
export const DUCKDB_PACKAGE = '@duckdb/node-api';

/**
 * Bundles the standalone server (standalone.ts and everything it imports) into one ESM file.
 * Everything is bundled but DuckDB, whose native binding cannot be: the bundle imports it from
 * a small `duckdb.js` beside it, which loads the package installed with the server (npx
 * installs it) or, failing that, the one of the Bosun installation that exported it.
 */
export async function bundleServer(dir: string): Promise<void> {
  await build({
    entryPoints: [standaloneEntry()],
    outfile: path.join(dir, SERVER_FILE),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Bundled CommonJS modules call require(); ESM has none of its own.
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as bosunCreateRequire } from 'node:module';\nconst require = bosunCreateRequire(import.meta.url);",
    },
    plugins: [duckdbBeside],
    legalComments: 'none',
    logLevel: 'silent',
  }).catch((err: unknown) => {
    throw new BosunError(
      'INTERNAL',
      `bundling the standalone server failed: ${(err as Error).message.split('\n')[0]}`,
      { cause: err },
    );
  });
  await fs.writeFile(path.join(dir, DUCKDB_FILE), await duckdbLoader());
}

/** Where the installed DuckDB package's module is: the fallback the manifest records. */
export function installedDuckdb(): { file: string; version: string } {
  const require = createRequire(import.meta.url);
  const file = require.resolve(DUCKDB_PACKAGE);
  const { version } = require(`${DUCKDB_PACKAGE}/package.json`) as { version: string };
  return { file, version };
}

/** The entry as built (dist/…/standalone.js) or as source when Bosun runs from TypeScript (tests, tsx). */
function standaloneEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const built = path.join(here, 'standalone.js');
  return existsSync(built) ? built : path.join(here, 'standalone.ts');
}

const duckdbBeside: Plugin = {
  name: 'duckdb-beside',
  setup(b) {
    b.onResolve({ filter: /^@duckdb\/node-api$/ }, () => ({ path: `./${DUCKDB_FILE}`, external: true }));
  },
};

/**
 * `duckdb.js`: re-exports the package's names (the bundle imports them by name), loaded from
 * the server's own dependencies, else from the manifest's fallback.
 */
async function duckdbLoader(): Promise<string> {
  const names = Object.keys((await import(DUCKDB_PACKAGE)) as object).filter(
    (n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n),
  );
  return `// Loads ${DUCKDB_PACKAGE}: the one installed with this server (npx installs it), else the one of
// the Bosun installation that exported it (manifest.json, duckdb.fallback).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function load() {
  try {
    return require('${DUCKDB_PACKAGE}');
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
    const manifest = JSON.parse(readFileSync(new URL('./manifest.json', import.meta.url), 'utf8'));
    try {
      return require(manifest.duckdb.fallback);
    } catch {
      throw new Error('${DUCKDB_PACKAGE} is not installed: run \`npm install\` in ' + new URL('.', import.meta.url).pathname + ' (or start the server with npx, which installs it)');
    }
  }
}

const duckdb = load();
export const { ${names.join(', ')} } = duckdb;
`;
}
