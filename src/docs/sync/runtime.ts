import type pg from 'pg';
import { loadConfig, type LoadedConfig, type Logger } from '../../core/index.js';
import { openLake, type Lake } from '../../lake/index.js';
import type { JobContext } from '../../queue/index.js';

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
 * The database and lake for a queue job: the worker's own connections, and the lake of the
 * Bosun home that queued the job (its configuration says where the lake's files are).
 */
export async function docsJobRuntime(
  job: Pick<JobContext<unknown>, 'pool' | 'logger'>,
  home: string | undefined,
): Promise<DocsRuntime> {
  const lake = await openLake({ pool: job.pool, dataPath: lakeDataPathOf(loadConfig({ home })), logger: job.logger });
  return { pool: job.pool, lake, logger: job.logger };
}
