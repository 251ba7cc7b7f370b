import type pg from 'pg';
import type { Queryable } from './libraries.js';

/** A page as PostgreSQL records it after a sync. */
export interface PageRecord {
  version: string;
  path: string;
  pageId: string;
  sourcePosition: number;
  url: string | null;
  title: string | null;
  /** sha256 of the content the lake holds; null when the page never fetched successfully. */
  contentHash: string | null;
  etag: string | null;
  lastModified: string | null;
  fetchedAt: Date;
  status: 'ok' | 'failed';
  error: string | null;
  chunkCount: number;
}

interface PageRow {
  version: string;
  path: string;
  page_id: string;
  source_position: number;
  url: string | null;
  title: string | null;
  content_hash: string | null;
  etag: string | null;
  last_modified: string | null;
  fetched_at: Date;
  status: 'ok' | 'failed';
  error: string | null;
  chunk_count: number;
}

const COLUMNS = `version, path, page_id, source_position, url, title, content_hash, etag, last_modified, fetched_at, status, error, chunk_count`;

const fromRow = (r: PageRow): PageRecord => ({
  version: r.version,
  path: r.path,
  pageId: r.page_id,
  sourcePosition: r.source_position,
  url: r.url,
  title: r.title,
  contentHash: r.content_hash,
  etag: r.etag,
  lastModified: r.last_modified,
  fetchedAt: r.fetched_at,
  status: r.status,
  error: r.error,
  chunkCount: r.chunk_count,
});

export async function libraryPages(q: Queryable, library: string): Promise<PageRecord[]> {
  const res = await q.query<PageRow>(
    `SELECT ${COLUMNS} FROM bosun.doc_page WHERE library = $1 ORDER BY version, path`,
    [library],
  );
  return res.rows.map(fromRow);
}

/** One page by path or URL within a version; null when there is none. */
export async function findPage(
  q: Queryable,
  library: string,
  version: string,
  pathOrUrl: string,
): Promise<PageRecord | null> {
  const res = await q.query<PageRow>(
    `SELECT ${COLUMNS} FROM bosun.doc_page
      WHERE library = $1 AND version = $2 AND (path = $3 OR url = $3)
      ORDER BY (path = $3) DESC LIMIT 1`,
    [library, version, pathOrUrl],
  );
  return res.rows[0] ? fromRow(res.rows[0]) : null;
}

/**
 * Makes the library's page rows exactly `pages`: upserts them and deletes every other row.
 * Column arrays through unnest keep it to two statements for thousands of pages.
 */
export async function replacePages(
  client: pg.PoolClient,
  library: string,
  pages: readonly PageRecord[],
): Promise<void> {
  const col = <K extends keyof PageRecord>(k: K) => pages.map((p) => p[k]);
  await client.query(
    `DELETE FROM bosun.doc_page d
      WHERE d.library = $1
        AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS k(version, path)
                         WHERE k.version = d.version AND k.path = d.path)`,
    [library, col('version'), col('path')],
  );
  await client.query(
    `INSERT INTO bosun.doc_page (library, ${COLUMNS})
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[],
                              $9::text[], $10::text[], $11::timestamptz[], $12::text[], $13::text[], $14::int[])
     ON CONFLICT (library, version, path) DO UPDATE SET
       page_id = EXCLUDED.page_id, source_position = EXCLUDED.source_position, url = EXCLUDED.url,
       title = EXCLUDED.title, content_hash = EXCLUDED.content_hash, etag = EXCLUDED.etag,
       last_modified = EXCLUDED.last_modified, fetched_at = EXCLUDED.fetched_at, status = EXCLUDED.status,
       error = EXCLUDED.error, chunk_count = EXCLUDED.chunk_count`,
    [
      library,
      col('version'),
      col('path'),
      col('pageId'),
      col('sourcePosition'),
      col('url'),
      col('title'),
      col('contentHash'),
      col('etag'),
      col('lastModified'),
      col('fetchedAt'),
      col('status'),
      col('error'),
      col('chunkCount'),
    ],
  );
}
