import type pg from 'pg';
import { BosunError } from '../../core/index.js';
import { getLibrary, type Queryable } from './libraries.js';
import { compareVersionsNewestFirst, newestVersion } from './version-order.js';

export interface VersionInfo {
  version: string;
  deprecatedAt: Date | null;
  isDefault: boolean;
  /** Pages the lake holds for this version. */
  pages: number;
  chunks: number;
  /** Pages whose last fetch failed (with or without an earlier copy in the lake). */
  failedPages: number;
}

interface VersionRow {
  version: string;
  deprecated_at: Date | null;
  pages: number;
  chunks: number;
  failed_pages: number;
}

/** Every version of a library, newest first, with page and chunk counts. */
export async function libraryVersions(q: Queryable, library: string): Promise<VersionInfo[]> {
  const { defaultVersion } = await getLibrary(q, library);
  const res = await q.query<VersionRow>(
    `SELECT v.version, v.deprecated_at,
            count(p.path) FILTER (WHERE p.content_hash IS NOT NULL)::int AS pages,
            coalesce(sum(p.chunk_count), 0)::int AS chunks,
            count(p.path) FILTER (WHERE p.status = 'failed')::int AS failed_pages
       FROM bosun.doc_version v
       LEFT JOIN bosun.doc_page p ON p.library = v.library AND p.version = v.version
      WHERE v.library = $1
      GROUP BY v.version, v.deprecated_at`,
    [library],
  );
  return res.rows
    .map((r) => ({
      version: r.version,
      deprecatedAt: r.deprecated_at,
      isDefault: r.version === defaultVersion,
      pages: r.pages,
      chunks: r.chunks,
      failedPages: r.failed_pages,
    }))
    .sort((a, b) => compareVersionsNewestFirst(a.version, b.version));
}

/** Records versions a sync found; those already known keep their deprecation. */
export async function addVersions(client: pg.PoolClient, library: string, versions: readonly string[]): Promise<void> {
  await client.query(
    `INSERT INTO bosun.doc_version (library, version) SELECT $1, unnest($2::text[])
     ON CONFLICT (library, version) DO NOTHING`,
    [library, versions],
  );
}

/** Drops the versions no page belongs to any more (a tag deleted upstream, a folder removed). */
export async function pruneVersions(client: pg.PoolClient, library: string): Promise<void> {
  await client.query(
    `DELETE FROM bosun.doc_version v
      WHERE v.library = $1
        AND NOT EXISTS (SELECT 1 FROM bosun.doc_page p WHERE p.library = v.library AND p.version = v.version)`,
    [library],
  );
}

/**
 * Sets the version default search uses: the pinned one while it exists and is not deprecated,
 * else the newest non-deprecated one. Returns it (null when every version is deprecated).
 */
export async function refreshDefaultVersion(client: Queryable, library: string): Promise<string | null> {
  const res = await client.query<{ version: string }>(
    `SELECT version FROM bosun.doc_version WHERE library = $1 AND deprecated_at IS NULL`,
    [library],
  );
  const live = res.rows.map((r) => r.version);
  const { pinnedVersion } = await getLibrary(client, library);
  const chosen = pinnedVersion !== null && live.includes(pinnedVersion) ? pinnedVersion : newestVersion(live);
  await client.query(`UPDATE bosun.doc_library SET default_version = $2, updated_at = now() WHERE name = $1`, [
    library,
    chosen,
  ]);
  return chosen;
}

/**
 * Takes a version out of default search. A deprecated pinned default is unpinned, so that the
 * newest non-deprecated version becomes the default.
 */
export async function deprecateVersion(
  client: pg.PoolClient,
  library: string,
  version: string,
): Promise<{ alreadyDeprecated: boolean; defaultVersion: string | null }> {
  const lib = await getLibrary(client, library, { forUpdate: true });
  const res = await client.query<{ deprecated_at: Date | null }>(
    `SELECT deprecated_at FROM bosun.doc_version WHERE library = $1 AND version = $2`,
    [library, version],
  );
  const row = res.rows[0];
  if (!row) {
    const known = await client.query<{ version: string }>(`SELECT version FROM bosun.doc_version WHERE library = $1`, [
      library,
    ]);
    const names = known.rows.map((r) => r.version).sort(compareVersionsNewestFirst);
    throw new BosunError('NOT_FOUND', `library '${library}' has no version '${version}'`, {
      hint: names.length ? `versions: ${names.join(', ')}` : `sync it first: \`bosun docs sync ${library}\``,
    });
  }
  if (row.deprecated_at === null) {
    await client.query(`UPDATE bosun.doc_version SET deprecated_at = now() WHERE library = $1 AND version = $2`, [
      library,
      version,
    ]);
  }
  if (lib.pinnedVersion === version) {
    await client.query(`UPDATE bosun.doc_library SET pinned_version = NULL WHERE name = $1`, [library]);
  }
  return {
    alreadyDeprecated: row.deprecated_at !== null,
    defaultVersion: await refreshDefaultVersion(client, library),
  };
}
