import type { Logger } from '../../core/index.js';
import type { Pool } from '../../db/index.js';
import { listenForSnapshots, type Lake } from '../../lake/index.js';
import type { Embedder } from '../embed/embedder.js';
import { AccessLog } from './access-log.js';
import { SearchIndexCache } from './index-cache.js';
import type { Ranking } from './ranking.js';
import { Searcher } from './searcher.js';
import { lakeIndexSource } from './source.js';
import { pgVersionCatalog } from './versions.js';

export interface OpenLakeSearcherOptions {
  pool: Pool;
  lake: Lake;
  /** Who searches, for the access log (`cli`, `mcp:bosun-docs-ducklake`…). */
  client?: string;
  logger?: Logger;
  /** Load only these libraries (default: all). */
  libraries?: readonly string[];
  embedder?: Embedder | null;
  ranking?: Ranking;
  /** See SearcherOptions.freshnessMs. */
  freshnessMs?: number;
  /** See SearcherOptions.threads. */
  threads?: number;
  /** Record searches and reads in PostgreSQL (default true). */
  accessLog?: boolean;
  /** The folder of the persisted index ($BOSUN_HOME/cache/search; none: build in every process). */
  cacheDir?: string;
}

/**
 * The searcher a Bosun process uses: the lake's latest snapshot, default versions and
 * deprecations from PostgreSQL, and the access log. `close()` flushes the log.
 */
export async function openLakeSearcher(options: OpenLakeSearcherOptions): Promise<Searcher> {
  // A searcher that does not look before every call learns of Bosun's commits as they happen.
  const snapshots = options.freshnessMs
    ? await listenForSnapshots(options.pool, options.logger).catch(fallBackToPolling(options))
    : undefined;
  return Searcher.open({
    source: lakeIndexSource(options.lake, options.libraries ? { libraries: options.libraries } : {}),
    catalog: pgVersionCatalog(options.pool),
    accessLog:
      options.accessLog === false
        ? null
        : new AccessLog(options.pool, options.logger ? { logger: options.logger } : {}),
    ...(options.client !== undefined ? { client: options.client } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.embedder ? { embedder: options.embedder } : {}),
    ...(options.ranking ? { ranking: options.ranking } : {}),
    ...(options.freshnessMs !== undefined ? { freshnessMs: options.freshnessMs } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(snapshots ? { snapshots } : {}),
    ...(options.cacheDir
      ? {
          cache: new SearchIndexCache(options.cacheDir, options.logger),
          cacheScope: JSON.stringify([...(options.libraries ?? [])].sort()),
        }
      : {}),
  }).catch(async (err: unknown) => {
    await snapshots?.close();
    throw err;
  });
}

function fallBackToPolling(options: OpenLakeSearcherOptions) {
  return (err: unknown): undefined => {
    options.logger?.warn(
      { err, freshnessMs: options.freshnessMs },
      'cannot listen for new lake snapshots; looking for them every freshnessMs instead',
    );
    return undefined;
  };
}
