import type { Logger } from '../../core/index.js';
import type { Library, PageRecord, SourceConflict } from '../library/index.js';
// acquire.ts, not the sources' entry (every crawler and parser): it imports the kinds a library uses.
import { acquire } from '../sources/acquire.js';
import { previousKey, type PreviousPageState, type ProgressEvent, type SourceDocument } from '../sources/types.js';
import { pageIdOf, type StoredPage } from '../store/index.js';
import { PageProcessor, type ProcessedPage } from './process-page.js';

/** The version of pages whose source names none (an unversioned folder, a single git ref). */
export const UNVERSIONED = 'latest';

interface Located {
  source: number;
  version: string;
  path: string;
  url: string | null;
  doc: SourceDocument;
}

/** What a sync found for one page. */
export type PageOutcome =
  /** New or different content, parsed and chunked, to be written to the lake. */
  | (Located & { kind: 'added' | 'changed'; processed: ProcessedPage })
  /** The lake already holds this content, but PostgreSQL's record of it is behind (a sync died after its lake commit). */
  | (Located & { kind: 'refreshed'; processed: ProcessedPage })
  | (Located & { kind: 'unchanged'; record: PageRecord })
  /** `gone`: the server says the page no longer exists, so an earlier copy goes too. */
  | (Located & { kind: 'failed'; reason: string; gone: boolean });

export interface GatherInput {
  library: Library;
  /** The library's pages in the lake, by page id. */
  stored: ReadonlyMap<string, StoredPage>;
  /** PostgreSQL's page records, by pageKey. */
  records: ReadonlyMap<string, PageRecord>;
  /** Re-process every page, changed or not. */
  force: boolean;
  fetchedAt: Date;
  signal?: AbortSignal;
  logger?: Logger;
  workDir?: string;
  onProgress?: (source: number, e: ProgressEvent) => void;
}

export interface Gathered {
  /** By pageKey; the earlier-listed source's page where several provide one. */
  outcomes: Map<string, PageOutcome>;
  conflicts: SourceConflict[];
}

export const pageKey = (version: string, path: string): string => `${version}\u0000${path}`;

const isGone = (reason: string): boolean => /^HTTP (404|410)\b/.test(reason);

/**
 * Reads every source of the library in order and decides, page by page, what changed. Only
 * pages with new content are parsed and chunked; a page whose content hash matches the lake's
 * copy (or that answered 304) is left alone.
 */
export async function gatherPages(input: GatherInput): Promise<Gathered> {
  const outcomes = new Map<string, PageOutcome>();
  const conflicts: SourceConflict[] = [];
  const processor = new PageProcessor();
  for (const source of input.library.sources) {
    const docs = acquire(source.spec, {
      previous: previousFor(input, source.position),
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.logger ? { logger: input.logger } : {}),
      ...(input.workDir ? { workDir: input.workDir } : {}),
      onProgress: (e) => input.onProgress?.(source.position, e),
    });
    for await (const doc of docs) {
      const version = doc.version ?? UNVERSIONED;
      const key = pageKey(version, doc.path);
      const earlier = outcomes.get(key);
      if (earlier) {
        conflicts.push({ version, path: doc.path, winner: earlier.source, loser: source.position });
        continue;
      }
      outcomes.set(
        key,
        await decide(input, processor, { source: source.position, version, path: doc.path, url: doc.url ?? null, doc }),
      );
    }
  }
  return { outcomes, conflicts };
}

/**
 * What a source knows of its pages from the last sync: validators (ETag, Last-Modified,
 * content hash) for conditional fetches, only for pages whose PostgreSQL record agrees with
 * the lake, so that a page whose record fell behind is fetched in full and repaired; and the
 * URLs of failed pages, to retry them. Unversioned pages are keyed both ways a source may name them.
 */
function previousFor(input: GatherInput, position: number): Map<string, PreviousPageState> {
  const previous = new Map<string, PreviousPageState>();
  if (input.force) return previous;
  for (const r of input.records.values()) {
    if (r.sourcePosition !== position) continue;
    const state = validatorsOf(input, r);
    if (!state) continue;
    previous.set(previousKey(r.version, r.path), state);
    if (r.version === UNVERSIONED) previous.set(previousKey(null, r.path), state);
  }
  return previous;
}

function validatorsOf(input: GatherInput, r: PageRecord): PreviousPageState | undefined {
  if (r.contentHash === null) {
    // A page that failed has nothing to validate, but its URL brings a crawl back to it, so it
    // is tried again (and still reported) even when the pages linking to it answer 304.
    return r.url ? { url: r.url } : undefined;
  }
  if (input.stored.get(r.pageId)?.contentHash !== r.contentHash) return undefined;
  return {
    contentHash: r.contentHash,
    ...(r.etag ? { etag: r.etag } : {}),
    ...(r.lastModified ? { lastModified: r.lastModified } : {}),
    ...(r.url ? { url: r.url } : {}),
  };
}

async function decide(input: GatherInput, processor: PageProcessor, at: Located): Promise<PageOutcome> {
  const { doc } = at;
  const library = input.library.name;
  const stored = input.stored.get(pageIdOf(library, at.version, at.path));
  const record = input.records.get(pageKey(at.version, at.path));
  if (doc.error !== undefined) return { ...at, kind: 'failed', reason: doc.error, gone: isGone(doc.error) };
  if (doc.notModified) {
    // Validators were only offered for pages whose record and lake copy agree.
    if (record) return { ...at, kind: 'unchanged', record };
    return { ...at, kind: 'failed', reason: 'answered 304 Not Modified for a page Bosun has no copy of', gone: false };
  }
  if (doc.content === undefined || doc.contentHash === undefined) {
    return { ...at, kind: 'failed', reason: 'the source returned no content', gone: false };
  }
  const sameAsLake = stored?.contentHash === doc.contentHash;
  if (sameAsLake && !input.force && record?.contentHash === doc.contentHash && record.status === 'ok') {
    return { ...at, kind: 'unchanged', record };
  }
  let processed: ProcessedPage;
  try {
    processed = await processor.process({
      library,
      version: at.version,
      path: at.path,
      url: at.url,
      sourcePath: doc.sourcePath ?? doc.path,
      format: doc.format,
      content: doc.content,
      contentHash: doc.contentHash,
      fetchedAt: input.fetchedAt,
    });
  } catch (err) {
    return { ...at, kind: 'failed', reason: `cannot parse: ${(err as Error).message}`, gone: false };
  }
  if (sameAsLake && !input.force) return { ...at, kind: 'refreshed', processed };
  return { ...at, kind: stored ? 'changed' : 'added', processed };
}
