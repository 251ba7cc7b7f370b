import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { parseWith } from '../../core/index.js';
import type { Lake } from '../../lake/index.js';
import { DOCS_SCHEMA } from './tables.js';

/** What the lake holds of one page: enough to tell whether a fetched page changed. */
export interface StoredPage {
  pageId: string;
  version: string;
  path: string;
  contentHash: string;
}

const storedPageRow = z.object({
  page_id: z.string(),
  version: z.string(),
  path: z.string(),
  content_hash: z.string(),
});
const chunkIdRow = z.object({ chunk_id: z.string() });

/** Whether the docs tables named (`pages`, `chunks`) all exist in the reader's snapshot (not before the first sync). */
export async function hasDocsTables(
  conn: DuckDBConnection,
  names: readonly string[] = ['pages', 'chunks'],
): Promise<boolean> {
  const res = await conn.runAndReadAll(
    `SELECT count(*) AS n FROM duckdb_views()
      WHERE database_name = current_database() AND schema_name = $1 AND view_name IN (SELECT unnest($2))`,
    [DOCS_SCHEMA, listValue([...names])],
  );
  return Number(res.getRowObjectsJson()[0]?.n) === names.length;
}

/** The library's pages in the latest snapshot, by page id. */
export async function storedPages(lake: Lake, library: string): Promise<Map<string, StoredPage>> {
  return lake.withReader({}, async (conn) => {
    if (!(await hasDocsTables(conn))) return new Map<string, StoredPage>();
    const res = await conn.runAndReadAll(
      `SELECT page_id, version, path, content_hash FROM docs.pages WHERE library = $1`,
      [library],
    );
    const pages = new Map<string, StoredPage>();
    for (const raw of res.getRowObjectsJson()) {
      const r = parseWith(storedPageRow, raw, 'docs.pages row', 'LAKE_ERROR');
      pages.set(r.page_id, { pageId: r.page_id, version: r.version, path: r.path, contentHash: r.content_hash });
    }
    return pages;
  });
}

/** The ids of a library's chunks at a snapshot: of the given pages only, or of all of them. */
export async function storedChunkIds(
  lake: Lake,
  snapshot: number,
  library: string,
  pageIds?: readonly string[],
): Promise<string[]> {
  if (pageIds?.length === 0) return [];
  return lake.withReader({ snapshot }, async (conn) => {
    if (!(await hasDocsTables(conn))) return [];
    const res = pageIds
      ? await conn.runAndReadAll(
          `SELECT chunk_id FROM docs.chunks WHERE library = $1 AND page_id IN (SELECT unnest($2))`,
          [library, listValue([...pageIds])],
        )
      : await conn.runAndReadAll(`SELECT chunk_id FROM docs.chunks WHERE library = $1`, [library]);
    return res.getRowObjectsJson().map((raw) => parseWith(chunkIdRow, raw, 'docs.chunks row', 'LAKE_ERROR').chunk_id);
  });
}
