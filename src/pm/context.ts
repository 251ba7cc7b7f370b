import type { Logger } from '../core/index.js';
import type { Pool, PoolClient } from '../db/index.js';

/** A pool or a client inside a transaction: the helpers that own a table accept either. */
export type Queryable = Pool | PoolClient;

/** Tasks a committed transaction created, and tasks it made ready. */
export interface TaskChange {
  createdTaskIds: string[];
  readyTaskIds: string[];
}

/**
 * What every project-manager operation needs. `actor` names who acts ('cli:<user>', 'mcp',
 * 'worker:<host>:<pid>') and is written into every event. `afterCommit` hears about tasks that
 * were created or became ready, so that execution can route and enqueue them once the change
 * is visible to other processes.
 */
export interface PmContext {
  pool: Pool;
  logger: Logger;
  actor: string;
  afterCommit?: (change: TaskChange) => Promise<void>;
}
