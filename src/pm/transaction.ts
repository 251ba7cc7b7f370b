import { withTransaction, type PoolClient } from '../db/index.js';
import type { PmContext, TaskChange } from './context.js';
import { insertEvents, type EventInput } from './events.js';

/** One project-manager transaction: its client, who acts, its events, and which tasks it created or made ready. */
export interface PmTx {
  client: PoolClient;
  actor: string;
  /** Written just before the commit (appendEvent). */
  events: EventInput[];
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
  const result = await withTransaction(pm.pool, async (client) => {
    const tx: PmTx = { client, actor: pm.actor, events: [], ...change };
    const value = await fn(tx);
    await insertEvents(client, tx.actor, tx.events);
    return value;
  });
  if ((change.createdTaskIds.length || change.readyTaskIds.length) && pm.afterCommit) await pm.afterCommit(change);
  return result;
}
