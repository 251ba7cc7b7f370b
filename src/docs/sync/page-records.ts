import type { PageRecord } from '../library/index.js';
import { pageIdOf, type StoredPage } from '../store/index.js';
import type { PageOutcome } from './gather.js';

/**
 * PostgreSQL's record of a page after the sync. A failed page keeps its earlier lake copy's
 * record (marked failed, with the reason) unless the server said it is gone.
 */
export function pageRecordOf(
  library: string,
  outcome: PageOutcome,
  previous: PageRecord | undefined,
  stored: StoredPage | undefined,
  fetchedAt: Date,
): PageRecord {
  const base = {
    version: outcome.version,
    path: outcome.path,
    pageId: pageIdOf(library, outcome.version, outcome.path),
    sourcePosition: outcome.source,
    url: outcome.url ?? previous?.url ?? null,
  };
  const validators = {
    etag: outcome.doc.etag ?? previous?.etag ?? null,
    lastModified: outcome.doc.lastModified ?? previous?.lastModified ?? null,
  };
  switch (outcome.kind) {
    case 'added':
    case 'changed':
    case 'refreshed':
      return {
        ...base,
        ...validators,
        title: outcome.processed.page.title,
        contentHash: outcome.processed.page.content_hash,
        fetchedAt,
        status: 'ok',
        error: null,
        chunkCount: outcome.processed.chunks.length,
      };
    case 'unchanged':
      return { ...outcome.record, ...base, ...validators, fetchedAt, status: 'ok', error: null };
    case 'failed': {
      const kept = !outcome.gone && stored !== undefined;
      return {
        ...base,
        title: kept ? (previous?.title ?? null) : null,
        contentHash: kept ? stored.contentHash : null,
        etag: kept ? (previous?.etag ?? null) : null,
        lastModified: kept ? (previous?.lastModified ?? null) : null,
        fetchedAt: kept ? (previous?.fetchedAt ?? fetchedAt) : fetchedAt,
        status: 'failed',
        error: outcome.reason,
        chunkCount: kept ? (previous?.chunkCount ?? 0) : 0,
      };
    }
  }
}
