import { withTransaction, type PoolClient } from '../db/index.js';
import type { PmContext } from './context.js';

/** One project-manager transaction: its client, who acts, and what became ready inside it. */
export interface PmTx {
  client: PoolClient;
  actor: string;
  readyTaskIds: string[];
}

/**
 * Runs `fn` in a transaction and, once it committed, tells `afterCommit` which tasks became
 * ready (a worker on another machine must be able to see them when their job arrives).
 */
export async function pmTransaction<T>(pm: PmContext, fn: (tx: PmTx) => Promise<T>): Promise<T> {
  const readyTaskIds: string[] = [];
  const result = await withTransaction(pm.pool, (client) => fn({ client, actor: pm.actor, readyTaskIds }));
  if (readyTaskIds.length && pm.afterCommit) await pm.afterCommit({ readyTaskIds });
  return result;
}
