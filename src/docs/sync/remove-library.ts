import type pg from 'pg';
import { withTransaction } from '../../db/index.js';
import type { Lake } from '../../lake/index.js';
import { deleteLibrary, getLibrary, listLibraries } from '../library/index.js';
import { deleteLibraryRows } from '../store/index.js';
import { withLibraryLock } from './lock.js';

export interface RemovedLibrary {
  library: string;
  pages: number;
  chunks: number;
  /** The lake snapshot without the library's rows (earlier snapshots keep them); null when it had none. */
  snapshotId: number | null;
}

/**
 * Removes a library: its lake rows in one snapshot, then its metadata. Holding the sync lock,
 * so no sync of it runs meanwhile. If the process dies between the two steps, the library is
 * still listed with no pages, and removing it again finishes the job.
 */
export async function removeLibrary(pool: pg.Pool, lake: Lake, name: string): Promise<RemovedLibrary> {
  await getLibrary(pool, name);
  return withLibraryLock(pool, name, async () => {
    const summary = (await listLibraries(pool)).find((l) => l.name === name);
    const snapshotId = await deleteLibraryRows(lake, name, {
      author: 'bosun docs remove',
      message: `docs remove ${name}`,
    });
    await withTransaction(pool, (client) => deleteLibrary(client, name));
    return { library: name, pages: summary?.pages ?? 0, chunks: summary?.chunks ?? 0, snapshotId };
  });
}
