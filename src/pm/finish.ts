import { propagateFinished } from './readiness.js';
import type { PmTx } from './transaction.js';

/** What follows tasks finishing, in the same transaction: downstream tasks are released or canceled. */
export async function afterFinish(tx: PmTx, finishedIds: readonly string[]): Promise<void> {
  await propagateFinished(tx, finishedIds);
}
