import type { Pool } from '../../db/index.js';
import type { LibraryDirectory } from './library-directory.js';

/**
 * The library metadata, loaded with the first question: the docs server's light entry exports
 * this directory, and a stdio server answers `initialize` before the database is needed.
 */
const libraryMetadata = () => import('../../docs/library/index.js');

/** The library directory of a Bosun installation: library metadata, pages and cross-references in PostgreSQL. */
export function pgLibraryDirectory(pool: Pool): LibraryDirectory {
  return {
    async libraries() {
      const { libraryVersions, listLibraries } = await libraryMetadata();
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
      const { libraryPages } = await libraryMetadata();
      return (await libraryPages(pool, library))
        .filter((p) => p.contentHash !== null)
        .map((p) => ({ version: p.version, path: p.path, title: p.title }));
    },
    async links(library, version, path) {
      const { pageLinks } = await libraryMetadata();
      return pageLinks(pool, library, version, path);
    },
  };
}
