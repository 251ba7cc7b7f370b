import { isBosunError, packageRoot } from '../../core/index.js';
import { addLibrary, getLibrary, type SyncSummary } from '../library/index.js';
import { syncLibrary, type SyncDeps } from './sync-library.js';

/** The library under which Bosun documents itself. */
export const OWN_LIBRARY = 'bosun';

/**
 * Indexes Bosun's own documentation (the package's README and docs/ folder) as the library
 * `bosun`, registering it on first use: the infrastructure documents itself, and a fresh
 * install has something to search. Later calls are incremental syncs.
 */
export async function indexOwnDocumentation(deps: SyncDeps): Promise<SyncSummary> {
  const exists = await getLibrary(deps.pool, OWN_LIBRARY).then(
    () => true,
    (err: unknown) => {
      if (isBosunError(err, 'NOT_FOUND')) return false;
      throw err;
    },
  );
  if (!exists) {
    await addLibrary(deps.pool, {
      name: OWN_LIBRARY,
      input: packageRoot(),
      source: { include: ['README.md', 'docs/**'] },
      description: "Bosun's own documentation",
    });
  }
  return syncLibrary(deps, OWN_LIBRARY);
}
