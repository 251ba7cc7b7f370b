import type pg from 'pg';
import { BosunError, silentLogger, toBosunError, type Logger } from '../../core/index.js';
import { connectionLost, withTransaction } from '../../db/index.js';
import type { Lake } from '../../lake/index.js';
import {
  addVersions,
  compareVersionsNewestFirst,
  beatSyncRun,
  failSyncRun,
  finishSyncRun,
  getLibrary,
  libraryLinks,
  libraryPages,
  linkCounts,
  pruneVersions,
  refreshDefaultVersion,
  replaceLinks,
  replacePages,
  startSyncRun,
  type Library,
  type PageRecord,
  type SyncSummary,
} from '../library/index.js';
import { writeSearchSignals } from '../postings/index.js';
import { commitLibraryChanges, pageIdOf, storedPages, type StoredPage } from '../store/index.js';
import { resolveCrossReferences, type LinkingPage, type PageLink } from './cross-references.js';
import { gatherPages, pageKey, type PageOutcome } from './gather.js';
import { withLibraryLock } from './lock.js';
import { pageRecordOf } from './page-records.js';

export interface SyncDeps {
  pool: pg.Pool;
  lake: Lake;
  logger?: Logger;
  /** Where git checkouts go while a sync runs (default: the system's temp folder). */
  workDir?: string;
}

export interface SyncProgress {
  library: string;
  phase: 'fetch' | 'commit' | 'done';
  /** Position of the source being read (fetch phase). */
  source?: number;
  done?: number;
  total?: number;
  current?: string;
}

export interface SyncOptions {
  /** Re-process every page even when unchanged. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (e: SyncProgress) => void;
}

/**
 * Syncs one library: reads its sources, processes new and changed pages, commits the lake
 * (one snapshot, none when nothing changed), then records pages, links, versions and the run
 * in PostgreSQL in one transaction. A failure or interruption before the lake commit changes
 * nothing; one between the two commits is repaired by the next sync (see gather.ts).
 */
export async function syncLibrary(deps: SyncDeps, name: string, options: SyncOptions = {}): Promise<SyncSummary> {
  return withLibraryLock(deps.pool, name, async () => {
    const library = await getLibrary(deps.pool, name);
    const runId = await startSyncRun(deps.pool, name);
    const stopBeating = beatSyncRun(deps.pool, runId);
    try {
      return await runSync(deps, library, runId, options);
    } catch (thrown) {
      const err = options.signal?.aborted
        ? new BosunError(
            'INTERRUPTED',
            `the sync of '${name}' was interrupted; the library is as the previous sync left it`,
            {
              hint: `run \`bosun docs sync ${name}\` again to finish`,
            },
          )
        : (connectionLost(thrown, `syncing '${name}'`) ?? toBosunError(thrown));
      await recordFailure(deps, runId, err);
      throw err;
    } finally {
      stopBeating();
    }
  });
}

/**
 * Marks the run failed; when PostgreSQL itself is what failed, tries for a few seconds (a
 * restart), and otherwise leaves it to the heartbeat: the run then reads as interrupted.
 */
async function recordFailure(deps: SyncDeps, runId: string, err: BosunError): Promise<void> {
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      await failSyncRun(deps.pool, runId, err);
      return;
    } catch {
      if (err.code !== 'DB_UNAVAILABLE') return;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

async function runSync(deps: SyncDeps, library: Library, runId: string, options: SyncOptions): Promise<SyncSummary> {
  const started = performance.now();
  const logger = deps.logger ?? silentLogger;
  const name = library.name;
  const fetchedAt = new Date();
  const stored = await storedPages(deps.lake, name);
  const records = new Map((await libraryPages(deps.pool, name)).map((r) => [pageKey(r.version, r.path), r]));
  const progress = (e: Omit<SyncProgress, 'library'>) => options.onProgress?.({ library: name, ...e });

  const { outcomes, conflicts } = await gatherPages({
    library,
    stored,
    records,
    force: options.force ?? false,
    fetchedAt,
    logger,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(deps.workDir ? { workDir: deps.workDir } : {}),
    onProgress: (source, e) => progress({ phase: 'fetch', source, ...e }),
  });
  options.signal?.throwIfAborted();

  const all = [...outcomes.values()];
  const written = all.filter(
    (o): o is Extract<PageOutcome, { kind: 'added' | 'changed' }> => o.kind === 'added' || o.kind === 'changed',
  );
  const removed = removedPages(stored, outcomes);
  progress({ phase: 'commit' });
  const commit = await commitLibraryChanges(
    deps.lake,
    {
      library: name,
      pages: written.map((o) => o.processed.page),
      chunks: written.flatMap((o) => o.processed.chunks),
      replacedPageIds: [
        ...written.filter((o) => o.kind === 'changed').map((o) => o.processed.page.page_id),
        ...removed.map((p) => p.pageId),
      ],
    },
    {
      author: 'bosun docs sync',
      message: `docs sync ${name}: ${count(all, 'added')} added, ${count(all, 'changed')} changed, ${removed.length} removed`,
    },
  );

  const pages = all.map((o) =>
    pageRecordOf(
      name,
      o,
      records.get(pageKey(o.version, o.path)),
      stored.get(pageIdOf(name, o.version, o.path)),
      fetchedAt,
    ),
  );
  // Links change only with the set of pages or their content; otherwise the stored ones stand.
  const relink = commit.snapshotId !== null || all.some((o) => o.kind === 'refreshed');
  const links = relink
    ? resolveCrossReferences(await linkingPages(deps.pool, name, all, pages), webScopes(library))
    : null;
  const versions = [...new Set(pages.map((p) => p.version))].sort(compareVersionsNewestFirst);
  // Anchor text needs the links resolved; associations, all the sections just committed. The
  // sync's snapshot is then the signals' one: the last this sync made.
  const signals = links && commit.snapshotId !== null ? await writeSearchSignals(deps.lake, name, links) : null;
  if (signals) logger.debug({ library: name, ...signals }, 'search signals written');

  const summary = await withTransaction(deps.pool, async (client) => {
    await addVersions(client, name, versions);
    await replacePages(client, name, pages);
    if (links) await replaceLinks(client, name, links);
    await pruneVersions(client, name);
    const defaultVersion = await refreshDefaultVersion(client, name);
    const result: SyncSummary = {
      library: name,
      runId,
      pages: {
        added: count(all, 'added'),
        changed: count(all, 'changed'),
        removed: removed.length,
        unchanged: count(all, 'unchanged') + count(all, 'refreshed'),
        failed: count(all, 'failed'),
      },
      failures: all.flatMap((o) =>
        o.kind === 'failed'
          ? [{ version: o.version, path: o.path, ...(o.url ? { url: o.url } : {}), reason: o.reason }]
          : [],
      ),
      conflicts,
      chunks: {
        added: written.reduce((n, o) => n + o.processed.chunks.length, 0),
        removed: commit.removedChunks,
        total: pages.reduce((n, p) => n + (p.contentHash === null ? 0 : p.chunkCount), 0),
      },
      links: links
        ? { total: links.length, broken: links.filter((l) => l.kind === 'broken').length }
        : await linkCounts(client, name),
      versions,
      defaultVersion,
      snapshotId: signals?.snapshotId ?? commit.snapshotId,
      durationMs: Math.round(performance.now() - started),
      warnings: warnings(library, versions, pages),
    };
    await finishSyncRun(client, result);
    return result;
  });
  progress({ phase: 'done' });
  logger.info({ library: name, pages: summary.pages, snapshot: summary.snapshotId }, 'docs sync finished');
  return summary;
}

const count = (all: readonly PageOutcome[], kind: PageOutcome['kind']): number =>
  all.filter((o) => o.kind === kind).length;

/** Lake pages no source provides any more, and those the server says are gone. */
function removedPages(
  stored: ReadonlyMap<string, StoredPage>,
  outcomes: ReadonlyMap<string, PageOutcome>,
): StoredPage[] {
  return [...stored.values()].filter((p) => {
    const o = outcomes.get(pageKey(p.version, p.path));
    return o === undefined || (o.kind === 'failed' && o.gone);
  });
}

/** Every page the lake holds after the sync, with its links: fresh from the parser, or as stored. */
async function linkingPages(
  pool: pg.Pool,
  library: string,
  all: readonly PageOutcome[],
  pages: readonly PageRecord[],
): Promise<LinkingPage[]> {
  const storedLinks = new Map<string, PageLink[]>();
  for (const l of await libraryLinks(pool, library)) {
    const key = pageKey(l.version, l.fromPath);
    let list = storedLinks.get(key);
    if (!list) storedLinks.set(key, (list = []));
    list.push({ href: l.href, text: l.text, sectionAnchor: l.sectionAnchor });
  }
  const byKey = new Map(all.map((o) => [pageKey(o.version, o.path), o]));
  return pages
    .filter((p) => p.contentHash !== null)
    .map((p) => {
      const o = byKey.get(pageKey(p.version, p.path));
      const links = o && 'processed' in o ? o.processed.links : (storedLinks.get(pageKey(p.version, p.path)) ?? []);
      return { version: p.version, path: p.path, url: p.url, links };
    });
}

/**
 * URL prefixes the library's web sources crawl: a link under one that matches no page is
 * broken. As the crawler reads a scope: a path ending in a file name stands for its folder,
 * any other path is a folder (`/docs` → `/docs/`).
 */
function webScopes(library: Library): string[] {
  return library.sources.flatMap(({ spec }) => {
    if (spec.kind !== 'web') return [];
    const u = new URL(spec.scope ?? spec.url, spec.url);
    const last = u.pathname.slice(u.pathname.lastIndexOf('/') + 1);
    const folder = last.includes('.')
      ? u.pathname.slice(0, u.pathname.length - last.length)
      : u.pathname.replace(/\/?$/, '/');
    return [`${u.origin}${folder}`];
  });
}

function warnings(library: Library, versions: readonly string[], pages: readonly PageRecord[]): string[] {
  const out: string[] = [];
  if (!pages.some((p) => p.contentHash !== null))
    out.push('no pages were found: check the source and its --include/--exclude patterns');
  if (library.pinnedVersion !== null && !versions.includes(library.pinnedVersion)) {
    out.push(
      `the default version '${library.pinnedVersion}' was not found; versions: ${versions.join(', ') || '(none)'}`,
    );
  }
  return out;
}
