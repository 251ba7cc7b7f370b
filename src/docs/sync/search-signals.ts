import type { Pool } from '../../db/index.js';
import type { Lake } from '../../lake/index.js';
import { writeSearchSignals, type SearchSignals } from '../postings/index.js';
import { libraryLinks, libraryNames } from '../library/index.js';
import { withLibraryLock } from './lock.js';

/**
 * Rewrites every library's search signals (anchor text, term associations) from its stored
 * links and the lake's sections: after `bosun docs reindex`, or for libraries synced before
 * the signals existed (a sync writes them only when it changes pages).
 */
export async function rebuildSearchSignals(pool: Pool, lake: Lake): Promise<(SearchSignals & { library: string })[]> {
  const done: (SearchSignals & { library: string })[] = [];
  for (const library of await libraryNames(pool)) {
    const signals = await withLibraryLock(pool, library, async () =>
      writeSearchSignals(lake, library, await libraryLinks(pool, library)),
    );
    done.push({ library, ...signals });
  }
  return done;
}
