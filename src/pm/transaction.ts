import { withTransaction, type PoolClient } from '../db/index.js';
import type { PmContext, TaskChange } from './context.js';

/** One project-manager transaction: its client, who acts, and which tasks it created or made ready. */
export interface PmTx {
  client: PoolClient;
  actor: string;
  createdTaskIds: string[];
  readyTaskIds: string[];
}

/**
 * Runs `fn` in a transaction and, once it committed, tells `afterCommit` which tasks were
 * created and which became ready (a worker on another machine must be able to see them when
 * their job arrives).
 */
export async function pmTransaction<T>(pm: PmContext, fn: (tx: PmTx) => Promise<T>): Promise<T> {
  const change: TaskChange = { createdTaskIds: [], readyTaskIds: [] };
  const result = await withTransaction(pm.pool, (client) => fn({ client, actor: pm.actor, ...change }));
  if ((change.createdTaskIds.length || change.readyTaskIds.length) && pm.afterCommit) await pm.afterCommit(change);
  return result;
}
