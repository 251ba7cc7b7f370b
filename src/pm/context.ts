import type { Logger } from '../core/index.js';
import type { Pool, PoolClient } from '../db/index.js';

/** A pool or a client inside a transaction: the helpers that own a table accept either. */
export type Queryable = Pool | PoolClient;

/**
 * What every project-manager operation needs. `actor` names who acts ('cli', 'mcp:<client>',
 * 'worker:<id>') and is written into every event. `afterCommit` hears about tasks that just
 * became ready, so that execution can route and enqueue them once the change is visible to
 * other processes.
 */
export interface PmContext {
  pool: Pool;
  logger: Logger;
  actor: string;
  afterCommit?: (change: { readyTaskIds: string[] }) => Promise<void>;
}
