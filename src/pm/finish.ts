import { settleParents } from './handoffs.js';
import { propagateFinished } from './readiness.js';
import type { PmTx } from './transaction.js';

/**
 * What follows tasks finishing, in the same transaction: downstream tasks are released or
 * canceled, and parents whose handoff tasks are all done complete, which in turn releases
 * their own downstream tasks and parents.
 */
export async function afterFinish(tx: PmTx, finishedIds: readonly string[]): Promise<void> {
  let frontier = [...finishedIds];
  while (frontier.length) {
    const canceled = await propagateFinished(tx, frontier);
    frontier = await settleParents(tx, [...frontier, ...canceled]);
  }
}
