import type { Pool } from '../../db/index.js';
import { libraryPages, libraryVersions, listLibraries, pageLinks } from '../../docs/index.js';
import type { DocsCatalog } from './catalog.js';

/** The catalog of a Bosun installation: library metadata, pages and cross-references in PostgreSQL. */
export function pgDocsCatalog(pool: Pool): DocsCatalog {
  return {
    async libraries() {
      const summaries = await listLibraries(pool);
      return Promise.all(
        summaries.map(async (l) => ({
          name: l.name,
          description: l.description,
          defaultVersion: l.defaultVersion,
          versions: (await libraryVersions(pool, l.name)).map((v) => ({
            version: v.version,
            pages: v.pages,
            chunks: v.chunks,
            deprecated: v.deprecatedAt !== null,
          })),
          lastSync: l.lastSync
            ? { status: l.lastSync.status, at: (l.lastSync.finishedAt ?? l.lastSync.startedAt).toISOString() }
            : null,
          snapshotId: l.snapshotId,
        })),
      );
    },
    async pages(library) {
      return (await libraryPages(pool, library))
        .filter((p) => p.contentHash !== null)
        .map((p) => ({ version: p.version, path: p.path, title: p.title }));
    },
    links: (library, version, path) => pageLinks(pool, library, version, path),
  };
}
