import type { z } from 'zod';
import { BosunError, parseWith, silentLogger, type Logger } from '../../core/index.js';
// Single modules, not the chunker's and the store's entries: a search process must not load
// the parsers and the lake writer it never uses (reading a page imports read.js when it does).
import { countTokens } from '../chunk/tokens.js';
import { pageSourceOf, sectionSourceOf } from '../store/source.js';
import type { SnapshotEvents } from '../../lake/index.js';
import type { Embedder } from '../embed/embedder.js';
import { expandWithSynonyms } from '../postings/synonyms.js';
import { queryTerms, type TokenizeOptions } from '../postings/tokenize.js';
import type { AccessLog, AccessRecord } from './access-log.js';
import { fitToBudget } from './budget.js';
import { groupHits, type RankedChunk } from './collapse.js';
import { reciprocalRankFusion } from './fusion.js';
import { citationTokens, toHit, type Hit } from './hits.js';
import { boostTitleMatches } from './title-match.js';
import { MemoryIndex, type ChunkRecord, type LibraryVersion, type QueryTerm } from './memory-index.js';
import { buildOutline, type OutlineNode } from './outline.js';
import { defaultRanking, rankingSchema, type Ranking } from './ranking.js';
import type { PageSection } from './read.js';
import {
  outlineRequestSchema,
  readRequestSchema,
  searchRequestSchema,
  type OutlineRequest,
  type ReadRequest,
  type SearchRequest,
} from './request.js';
import { SearchIndexCache } from './index-cache.js';
import { roundMs, SnapshotSwap } from './snapshot-swap.js';
import type { IndexSource } from './source.js';
import { resolveTargets, staticVersionCatalog, type LibraryPolicy, type VersionCatalog } from './versions.js';

export interface SearcherOptions {
  source: IndexSource;
  /** Default versions and deprecations (default: none; each library's newest version). */
  catalog?: VersionCatalog;
  /** Where searches and reads are recorded (default: nowhere). */
  accessLog?: AccessLog | null;
  /** Who is searching, for the access log (`cli`, `mcp:bosun-docs-duckdb`…). */
  client?: string;
  /** Dense retrieval, fused with BM25, when the index holds vectors of this embedder's model. */
  embedder?: Embedder | null;
  ranking?: Ranking;
  /** Must match how the index was written; only benchmarks of tokenizer variants change it. */
  tokenize?: TokenizeOptions;
  /** Look for a new snapshot at most this often (default 0: before every call). */
  freshnessMs?: number;
  /**
   * New snapshots announced by their writers (Bosun's lake commits): each starts loading at
   * once, so the next call sees it whatever `freshnessMs` is. Closed with the searcher.
   */
  snapshots?: SnapshotEvents;
  /** Re-read default versions and deprecations at most this often (default 5 s). */
  catalogRefreshMs?: number;
  logger?: Logger;
  /** DuckDB threads of the in-memory index. */
  threads?: number;
  /**
   * Where each snapshot's built index is persisted and looked for before building it (none:
   * always build). The cache is keyed by `cacheScope` (what the source holds, such as its
   * libraries), the ranking, the embedding model and the tokenizer options.
   */
  cache?: SearchIndexCache | null;
  cacheScope?: string;
}

export interface SearchResponse {
  query: string;
  /** The searchable terms the query became. */
  terms: string[];
  searched: { library: string; version: string }[];
  hits: Hit[];
  /** Hits' texts and citations, in tokens. */
  tokens: number;
  /** Hits left out to fit maxTokens. */
  omitted: number;
  retrieval: 'bm25' | 'hybrid';
  notes: string[];
  snapshot_id: number;
  took_ms: number;
}

export interface ReadResponse {
  library: string;
  version: string;
  path: string;
  url?: string;
  /** Where to open it (see Hit.source); a section read carries the section's anchor in a URL. */
  source: string;
  title: string;
  /** The section read (its heading path), or null for the whole page. */
  section: string[] | null;
  text: string;
  tokens: number;
  truncated: boolean;
  chunk_ids: string[];
  /**
   * Parts skipped. A page is read in parts of one chunk, a section in parts of one block
   * (paragraph, list, code block, table), so `total_chunks` counts parts: chunks for a page.
   */
  offset: number;
  /** Parts in this read: `offset + parts_read` is where the next read starts. */
  parts_read: number;
  /** Pass as `offset` to read on; null at the end. */
  next_offset: number | null;
  total_chunks: number;
  /** The page's sections, to pick one with `section`. */
  sections: PageSection[];
  snapshot_id: number;
}

export interface OutlineResponse {
  library: string;
  version: string;
  path_prefix: string | null;
  pages: number;
  tree: OutlineNode[];
  snapshot_id: number;
}

/** A query with more distinct terms than this is cut to its rarest terms (a pasted log, say). */
const MAX_QUERY_TERMS = 32;
/** Candidates ranked per hit asked for: room for duplicates and merges to fall out. */
const CANDIDATES_PER_HIT = 4;
const MIN_CANDIDATES = 20;
const chunkIdPattern = /^[0-9a-f]{24}$/;

/**
 * A long-running searcher: holds one snapshot of the index in memory, notices a newer
 * snapshot before a call (or every `freshnessMs`) and swaps it in without a restart; searches
 * already running finish on the snapshot they started with.
 *
 * A Bosun process gets one from `openLakeSearcher` (the lake's latest snapshot, default
 * versions from PostgreSQL, the access log); an exported server opens one over its Parquet
 * files with `Searcher.open({ source: parquetIndexSource(files) })`.
 *
 * @example
 * ```ts
 * import { openLakeSearcher } from './index.js';
 *
 * const searcher = await openLakeSearcher({ pool, lake, client: 'cli' });
 * try {
 *   const { hits } = await searcher.search({ query: 'partition pruning', libraries: ['ducklake'], limit: 5 });
 *   const page = await searcher.read({ library: 'ducklake', pathOrChunkId: hits[0]!.chunk_id });
 *   const tree = await searcher.outline({ library: 'ducklake', depth: 2 });
 * } finally {
 *   await searcher.close();
 * }
 * ```
 */
export class Searcher {
  private readonly swap: SnapshotSwap;
  private readonly logger: Logger;
  private readonly ranking: Ranking;

  private constructor(
    private readonly options: SearcherOptions,
    index: MemoryIndex,
    policies: Map<string, LibraryPolicy>,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.ranking = options.ranking ?? defaultRanking;
    const ranking = this.ranking;
    this.swap = new SnapshotSwap(
      {
        latestSnapshotId: () => options.source.latestSnapshotId(),
        loadIndex: (snapshot) => loadIndex(options, ranking, snapshot),
        catalog: options.catalog ?? staticVersionCatalog(),
        ...(options.freshnessMs !== undefined ? { freshnessMs: options.freshnessMs } : {}),
        ...(options.catalogRefreshMs !== undefined ? { catalogRefreshMs: options.catalogRefreshMs } : {}),
        logger: this.logger,
      },
      index,
      policies,
    );
  }

  /** Loads the latest snapshot (the cold start) and returns a ready searcher. */
  static async open(options: SearcherOptions): Promise<Searcher> {
    const ranking = parseWith(rankingSchema, options.ranking ?? defaultRanking, 'ranking parameters', 'INVALID_CONFIG');
    const catalog = options.catalog ?? staticVersionCatalog();
    const snapshot = await options.source.latestSnapshotId();
    const [index, policies] = await Promise.all([loadIndex(options, ranking, snapshot), catalog.policies()]);
    const searcher = new Searcher({ ...options, ranking }, index, policies);
    options.snapshots?.onSnapshot(() => searcher.swap.announced());
    return searcher;
  }

  get snapshotId(): number {
    return this.swap.index.snapshotId;
  }

  /** Bytes the in-memory index of the current snapshot holds. */
  memoryBytes(): Promise<number> {
    return this.swap.index.memoryBytes();
  }

  /** The library versions held, with their chunk counts. */
  get versions(): readonly LibraryVersion[] {
    return this.swap.index.versions;
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    return this.operation(searchRequestSchema, request, 'search request', async (req, index, tookMs) => {
      const targets = resolveTargets(req, index.versions, this.swap.policies);
      const notes = [...targets.notes];
      const lvs = targets.versions.map((v) => v.lv);
      const pathPrefix = normalizePath(req.pathPrefix);
      let terms = queryTerms(req.query, this.options.tokenize);
      if (terms.length === 0)
        notes.push(
          'the query has no searchable words (only stop words or punctuation); ask with the words the documentation would use',
        );
      if (terms.length > MAX_QUERY_TERMS) {
        terms = await rarestTerms(index, terms, lvs);
        notes.push(`the query was long: searched its ${terms.length} most specific terms`);
      }
      const candidates = Math.max(MIN_CANDIDATES, req.limit * CANDIDATES_PER_HIT);
      const weighted =
        this.ranking.synonyms > 0
          ? expandWithSynonyms(terms, this.ranking.synonyms)
          : terms.map((term) => ({ term, weight: 1 }));
      const { ranked, records, retrieval } = await this.rank(
        index,
        req.query,
        weighted,
        lvs,
        pathPrefix,
        candidates,
        notes,
      );
      for (const c of await index.chunks(ranked.filter((r) => !records.has(r.doc)).map((r) => r.doc)))
        records.set(c.doc, c);
      const retrieved: RankedChunk[] = ranked.flatMap((r) => {
        const chunk = records.get(r.doc);
        return chunk ? [{ chunk, score: r.score }] : [];
      });
      const boosted = boostTitleMatches(retrieved, weighted, this.ranking.titleMatch, this.options.tokenize);
      let hits = groupHits(boosted, req.limit).map((g, i) => toHit(g, i + 1, index.snapshotId));
      let omitted = 0;
      let tokens = hits.reduce((sum, h) => sum + h.tokens + citationTokens(h), 0);
      if (req.maxTokens !== undefined) {
        const fitted = fitToBudget(hits, req.maxTokens, citationTokens);
        hits = fitted.kept.map((h, i) => ({ ...h, rank: i + 1, tokens: countTokens(h.text) }));
        omitted = fitted.omitted;
        tokens = fitted.tokens;
      }
      const response: SearchResponse = {
        query: req.query,
        terms,
        searched: targets.versions.map((v) => ({ library: v.library, version: v.version })),
        hits,
        tokens,
        omitted,
        retrieval,
        notes,
        snapshot_id: index.snapshotId,
        took_ms: tookMs(),
      };
      this.record({
        kind: 'search',
        libraries: [...new Set(targets.versions.map((v) => v.library))],
        versions: targets.versions.map((v) => v.version),
        query: req.query,
        target: pathPrefix ?? null,
        hits: hits.length,
        chunk_ids: hits.map((h) => h.chunk_id),
        paths: hits.map((h) => h.path),
        took_ms: response.took_ms,
      });
      return response;
    });
  }

  async read(request: ReadRequest): Promise<ReadResponse> {
    return this.operation(readRequestSchema, request, 'read request', async (req, index, tookMs) => {
      const [{ page, sectionHint }, { chunkPieces, pageSections, readPieces, selectSection }] = await Promise.all([
        this.findPage(index, req.library, req.pathOrChunkId, req.version),
        import('./read.js'),
      ]);
      const first = page[0]!;
      const sectionName = req.section ?? sectionHint;
      let pieces = chunkPieces(page);
      let section: string[] | null = null;
      let source = pageSourceOf(first.source);
      if (sectionName !== undefined) {
        const found = selectSection(page, sectionName);
        if (!found) {
          const headings = pageSections(page).map((s) => s.heading);
          throw new BosunError('NOT_FOUND', `${first.path} has no section '${sectionName}'`, {
            hint: headings.length
              ? `sections: ${headings.slice(0, 30).join(' | ')}`
              : 'the page has no headings: read it without a section',
          });
        }
        pieces = found.pieces;
        section = found.headingPath;
        source = sectionSourceOf(source, found.anchor);
      }
      const part = readPieces(pieces, req.offset, req.maxTokens);
      if (req.offset > 0 && req.offset >= pieces.length) {
        throw new BosunError('INVALID_INPUT', `offset ${req.offset} is past the end (${pieces.length} parts)`, {
          hint: 'start again at offset 0',
        });
      }
      const response: ReadResponse = {
        library: first.library,
        version: first.version,
        path: first.path,
        ...(first.url ? { url: first.url } : {}),
        source,
        title: first.title,
        section,
        text: part.text,
        tokens: part.tokens,
        truncated: part.truncated,
        chunk_ids: part.chunkIds,
        offset: req.offset,
        next_offset: part.nextOffset,
        parts_read: (part.nextOffset ?? pieces.length) - req.offset,
        total_chunks: pieces.length,
        sections: pageSections(page),
        snapshot_id: index.snapshotId,
      };
      this.record({
        kind: 'read',
        libraries: [first.library],
        versions: [first.version],
        query: null,
        target: sectionName !== undefined ? `${first.path}#${sectionName.replace(/^#/, '')}` : first.path,
        hits: part.chunkIds.length,
        chunk_ids: response.chunk_ids,
        paths: [first.path],
        took_ms: tookMs(),
      });
      return response;
    });
  }

  async outline(request: OutlineRequest): Promise<OutlineResponse> {
    return this.operation(outlineRequestSchema, request, 'outline request', async (req, index, tookMs) => {
      const target = this.oneVersion(index, req.library, req.version);
      const prefix = normalizePath(req.pathPrefix);
      const entries = await index.outlineEntries(target.lv, prefix);
      const pages = new Set(entries.map((e) => e.path)).size;
      if (prefix !== undefined && pages === 0) {
        throw new BosunError('NOT_FOUND', `no page of ${target.library}@${target.version} starts with '${prefix}'`, {
          hint: 'run the outline without --path-prefix to see the folders',
        });
      }
      this.record({
        kind: 'outline',
        libraries: [target.library],
        versions: [target.version],
        query: null,
        target: prefix ?? null,
        hits: pages,
        chunk_ids: [],
        paths: [],
        took_ms: tookMs(),
      });
      return {
        library: target.library,
        version: target.version,
        path_prefix: prefix ?? null,
        pages,
        tree: buildOutline(entries, req.depth),
        snapshot_id: index.snapshotId,
      };
    });
  }

  /** Checks for a newer snapshot and re-reads default versions now (whatever the intervals say); true when a snapshot was loaded. */
  refresh(): Promise<boolean> {
    return this.swap.refresh();
  }

  async close(): Promise<void> {
    if (!(await this.swap.close(() => this.options.snapshots?.close()))) return;
    await this.options.accessLog?.flush();
  }

  /**
   * The opening every operation shares: parse the request, take the current index (loading a
   * newer snapshot first if there is one) and lease it for the call, which gets the time taken
   * so far as `took_ms` gives it.
   */
  private async operation<S extends z.ZodTypeAny, Res>(
    schema: S,
    request: unknown,
    what: string,
    run: (req: z.output<S>, index: MemoryIndex, tookMs: () => number) => Promise<Res>,
  ): Promise<Res> {
    const started = performance.now();
    const req = parseWith(schema, request, what);
    const index = await this.swap.current();
    return index.lease(() => run(req, index, () => roundMs(performance.now() - started)));
  }

  private async rank(
    index: MemoryIndex,
    query: string,
    weighted: QueryTerm[],
    lvs: number[],
    pathPrefix: string | undefined,
    candidates: number,
    notes: string[],
  ) {
    const lexical = await index.match(weighted, lvs, pathPrefix, candidates);
    // The lexical matches come with their rows; only chunks found by dense retrieval alone are read after.
    const records = new Map(lexical.map((m) => [m.doc, m.chunk]));
    const embedder = this.options.embedder;
    if (!embedder || !index.dense || index.dense.model !== embedder.model || query.trim() === '') {
      return { ranked: lexical, records, retrieval: 'bm25' as const };
    }
    let vector: number[] | undefined;
    try {
      [vector] = await embedder.embed([query], 'query');
    } catch (err) {
      // The embeddings server being down must not take search down with it.
      this.logger.warn({ err }, 'query embedding failed; searching lexically');
      notes.push(`dense retrieval unavailable (${(err as Error).message}); lexical results only`);
      return { ranked: lexical, records, retrieval: 'bm25' as const };
    }
    const dense = await index.nearest(vector!, lvs, pathPrefix, candidates);
    return {
      ranked: reciprocalRankFusion([lexical, dense]).slice(0, candidates),
      records,
      retrieval: 'hybrid' as const,
    };
  }

  /** A page by path, URL or chunk id (a chunk id also names the section to read). */
  private async findPage(
    index: MemoryIndex,
    library: string,
    pathOrChunkId: string,
    version: string | undefined,
  ): Promise<{ page: ChunkRecord[]; sectionHint?: string }> {
    if (chunkIdPattern.test(pathOrChunkId)) {
      const chunk = await index.chunkById(pathOrChunkId);
      if (chunk && chunk.library === library) {
        return {
          page: await index.pageChunks(chunk.lv, chunk.path),
          ...(chunk.anchor ? { sectionHint: chunk.anchor } : {}),
        };
      }
    }
    const target = this.oneVersion(index, library, version);
    for (const candidate of pathVariants(pathOrChunkId)) {
      const page = await index.pageChunks(target.lv, candidate);
      if (page.length) return { page };
    }
    const nearest = await index.similarPaths(target.lv, normalizePath(pathOrChunkId) ?? pathOrChunkId, 5);
    throw new BosunError('NOT_FOUND', `${target.library}@${target.version} has no page or chunk '${pathOrChunkId}'`, {
      hint: nearest.length ? `nearest matches: ${nearest.join(', ')}` : 'the version has no pages',
      details: { nearest },
    });
  }

  private oneVersion(index: MemoryIndex, library: string, version: string | undefined): LibraryVersion {
    const targets = resolveTargets(
      { libraries: [library], ...(version !== undefined ? { version } : {}) },
      index.versions,
      this.swap.policies,
    );
    const target = targets.versions[0];
    if (!target)
      throw new BosunError('NOT_FOUND', `library '${library}' has nothing indexed yet`, {
        hint: `run \`bosun docs sync ${library}\``,
      });
    return target;
  }

  private record(entry: Omit<AccessRecord, 'client'>): void {
    this.options.accessLog?.record({ ...entry, client: this.options.client ?? null });
  }
}

/** The snapshot's index: opened from the cache when it holds it whole, else built from the source (and cached). */
async function loadIndex(options: SearcherOptions, ranking: Ranking, snapshot: number): Promise<MemoryIndex> {
  const denseModel = options.embedder?.model ?? null;
  const threads = options.threads ? { threads: options.threads } : {};
  const cache = options.cache;
  const key = SearchIndexCache.key({
    scope: options.cacheScope ?? null,
    ranking,
    denseModel,
    tokenize: options.tokenize ?? null,
  });
  const cached = cache?.find(snapshot, key);
  if (cached) {
    try {
      return await MemoryIndex.open(cached, snapshot, threads);
    } catch (err) {
      options.logger?.warn({ err, file: cached.file }, 'cannot open the cached search index; rebuilding it');
    }
  }
  const index = await MemoryIndex.load(await options.source.relations(snapshot), { ranking, denseModel, ...threads });
  if (cache) await cache.store(snapshot, key, index.state, (file) => index.saveTo(file));
  return index;
}

/** The query's terms that occur in the searched versions, rarest first, at most MAX_QUERY_TERMS. */
async function rarestTerms(index: MemoryIndex, terms: string[], lvs: number[]): Promise<string[]> {
  const df = await index.documentFrequencies(terms, lvs);
  return terms
    .filter((t) => df.has(t))
    .sort((a, b) => df.get(a)! - df.get(b)!)
    .slice(0, MAX_QUERY_TERMS);
}

/** Paths as hits show them: no leading `./` or `/`. */
function normalizePath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const p = path.trim().replace(/^\.?\/+/, '');
  return p === '' ? undefined : p;
}

/** What a person may type for a page: as given, without `./` or `/`, without its extension. */
function pathVariants(input: string): string[] {
  const p = normalizePath(input) ?? input;
  const variants = [input, p];
  if (!/\.[A-Za-z0-9]+$/.test(p)) variants.push(`${p}.md`, `${p}.mdx`, `${p}/index.md`, `${p}/index.mdx`);
  return [...new Set(variants)];
}
