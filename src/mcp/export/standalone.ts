import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, toBosunError } from '../../core/index.js';
// The search module's own entry, not docs/index.js: the bundle then leaves out the acquisition
// side of docs/ (crawler, parsers, headless browser), which a standalone server never runs.
import { parquetIndexSource, Searcher, staticVersionCatalog } from '../../docs/search/index.js';
import { serverName } from '../clients.js';
import { serverSearcherOptions } from '../docs/searcher-options.js';
import { createDocsServer } from '../docs/server.js';
import { serveStdio } from '../stdio.js';
import { readManifest } from './manifest.js';
import { standaloneLibraryDirectory } from './standalone-directory.js';

/**
 * The entry point of an exported docs server (bundled by `bosun docs export` into the
 * package's server.js): the library's Parquet files next to it, no PostgreSQL, no Bosun home.
 * Serves stdio until the client goes; logs go to stderr (BOSUN_LOG_LEVEL, default warn).
 */
async function main(): Promise<void> {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const manifest = readManifest(dir);
  const name = serverName('docs', [manifest.library]);
  const logger = createLogger(process.env.BOSUN_LOG_LEVEL ?? 'warn', name);
  const file = (relative: string) => path.join(dir, relative);
  const deprecated = new Set(manifest.versions.filter((v) => v.deprecated).map((v) => v.version));
  // Opened while the protocol starts: the client's initialize is answered at once.
  const searcher = Searcher.open({
    source: parquetIndexSource({
      chunks: [file(manifest.files.chunks)],
      chunkTerms: [file(manifest.files.chunk_terms)],
      snapshotId: manifest.snapshot_id,
    }),
    catalog: staticVersionCatalog({ [manifest.library]: { defaultVersion: manifest.default_version, deprecated } }),
    client: `mcp:${name}`,
    logger,
    ...serverSearcherOptions('stdio'),
  });
  try {
    const directory = standaloneLibraryDirectory(dir, manifest);
    await serveStdio(
      createDocsServer({
        searcher,
        directory,
        libraries: [manifest.library],
        tokenBudget: manifest.token_budget,
        version: manifest.bosun_version,
        logger,
      }),
    );
  } finally {
    await (await searcher.catch(() => null))?.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const e = toBosunError(err);
    process.stderr.write(`error[${e.code}]: ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ''}`);
    process.exit(1);
  },
);
