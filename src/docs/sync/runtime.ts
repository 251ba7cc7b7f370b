import type pg from 'pg';
import { loadConfig, type LoadedConfig, type Logger } from '../../core/index.js';
import { createPool, resolveDatabase } from '../../db/index.js';
import { openLake, type Lake } from '../../lake/index.js';

/** Where the lake's data files live: `lake.dataPath` in the configuration, else `$BOSUN_HOME/lake`. */
export function lakeDataPathOf(loaded: LoadedConfig): string {
  return loaded.config.lake.dataPath ?? loaded.paths.lake;
}

export interface DocsRuntime {
  pool: pg.Pool;
  lake: Lake;
  logger: Logger;
}

/**
 * The database and lake for a queue job. Job handlers get no connection from the queue, so a
 * job carries the Bosun home of whoever queued it and connects as a command in that home would
 * (configuration file and environment; the embedded server is started if it is down).
 */
export async function withDocsRuntime<T>(home: string | undefined, logger: Logger, fn: (rt: DocsRuntime) => Promise<T>): Promise<T> {
  const loaded = loadConfig({ home });
  const target = await resolveDatabase(loaded, logger);
  const pool = createPool(target.url, { max: 4, logger, applicationName: 'bosun-docs-job' });
  try {
    const lake = await openLake({ pool, dataPath: lakeDataPathOf(loaded), logger });
    return await fn({ pool, lake, logger });
  } finally {
    await pool.end();
  }
}
