import pg from 'pg';
import { silentLogger, type Logger } from '../core/index.js';

/**
 * Every lake commit made by Bosun NOTIFYs this channel (payload: the new snapshot id) inside
 * its transaction, so PostgreSQL delivers it exactly when the snapshot becomes visible.
 */
export const LAKE_SNAPSHOT_CHANNEL = 'bosun_lake_snapshot';

/** A subscription to new lake snapshots; `close()` ends its connection. */
export interface SnapshotEvents {
  onSnapshot(listener: (snapshotId: number) => void): void;
  close(): Promise<void>;
}

/**
 * Listens for new snapshots on a connection of its own (a LISTEN holds its connection for
 * good, so it must not take one from the pool). Writers outside Bosun (the official extension)
 * do not notify: readers keep a bounded poll for them. A lost connection is logged once and
 * the readers fall back on that poll.
 */
export async function listenForSnapshots(pool: pg.Pool, logger: Logger = silentLogger): Promise<SnapshotEvents> {
  const listeners: ((snapshotId: number) => void)[] = [];
  const client = new pg.Client({ ...pool.options });
  client.on('notification', (message) => {
    if (message.channel !== LAKE_SNAPSHOT_CHANNEL) return;
    const snapshotId = Number(message.payload);
    for (const listener of listeners) listener(snapshotId);
  });
  client.on('error', (err) =>
    logger.warn({ err }, 'lost the connection that listens for lake snapshots; polling for them instead'),
  );
  await client.connect();
  try {
    await client.query(`LISTEN ${LAKE_SNAPSHOT_CHANNEL}`);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return {
    onSnapshot: (listener) => void listeners.push(listener),
    close: () => client.end().catch(() => undefined),
  };
}
