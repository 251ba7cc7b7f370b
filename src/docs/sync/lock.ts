import type pg from 'pg';
import { BosunError } from '../../core/index.js';

/**
 * Runs `fn` while holding the library's sync lock: a PostgreSQL session advisory lock on a
 * connection of its own, so that two syncs (or a sync and a removal) of one library never
 * overlap, whichever processes run them. A process that dies releases it with its connection.
 */
export async function withLibraryLock<T>(pool: pg.Pool, library: string, fn: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const key = `bosun.docs.sync:${library}`;
  // A held connection that drops (PostgreSQL restarted) emits 'error' on the client: without a
  // listener that is an unhandled event that ends the process. The sync's own queries fail too.
  let lost: Error | null = null;
  const onLost = (err: Error) => (lost = err);
  client.on('error', onLost);
  try {
    const res = await client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
      [key],
    );
    if (!res.rows[0]?.locked) {
      throw new BosunError('CONFLICT', `a sync of library '${library}' is already running`, {
        hint: 'wait for it to finish (`bosun docs show` reports the last sync)',
      });
    }
    try {
      return await fn();
    } finally {
      if (!lost) await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]).catch(() => undefined);
    }
  } finally {
    client.off('error', onLost);
    // A broken connection is destroyed, not returned to the pool.
    client.release(lost ?? undefined);
  }
}
