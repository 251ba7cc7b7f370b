import os from 'node:os';
import {
  DOUBLE,
  DuckDBInstance,
  LIST,
  listValue,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { BosunError, firstLine } from '../../core/index.js';
import { sqlString } from '../postings/sql.js';
import type { CachedIndex, IndexState } from './index-cache.js';
import { sourceOf } from '../store/source.js';
import type { ChunkRow } from '../store/tables.js';
import type { OutlineEntry } from './outline.js';
import type { Ranking } from './ranking.js';
import { anchoredTermListTail, anchorPostingsSql } from './anchor-postings.js';
import { loadAssociations, noAssociations, type Associations } from './expansion.js';
import type { IndexRelations } from './source.js';
import { ConnectionPool } from './connection-pool.js';

/**
 * One snapshot of the index held in memory by a private in-memory DuckDB, built once when a
 * searcher loads the snapshot and queried for every search.
 *
 * BM25F in two halves. At load, everything that does not depend on the query: each posting's
 * field-weighted, length-normalised and saturated term frequency (its "weight"; average field
 * lengths are per library version, since versions are separate document sets). The postings
 * of one term in one version are one row of lists (`term_list`), keyed by
 * `"<version id>:<term>"`. At query time, in SQL: the idf of each query term over exactly the
 * versions searched (so scores from two libraries searched together are comparable, as if
 * they were one collection, and five copies of a page in five versions do not make its terms
 * look common), and the sums per chunk. A query reads only its own terms' postings, which is
 * what keeps a top-10 search in milliseconds.
 */

export interface LibraryVersion {
  /** Small id of the (library, version) pair inside this index. */
  lv: number;
  library: string;
  version: string;
  chunks: number;
  /** Chunks with index entries: the collection size idf counts against. */
  indexedChunks: number;
}

/** A docs.chunks row as held in memory: its dense ids, and its SimHash for duplicate collapsing. */
export interface ChunkRecord extends Omit<ChunkRow, 'content_hash'> {
  doc: number;
  lv: number;
  /** Null for a chunk that has no index entry (it cannot match a query). */
  simhash: bigint | null;
}

/** A query term and its weight in the query (1, or less for a synonym). */
export interface QueryTerm {
  term: string;
  weight: number;
}

export interface Scored {
  doc: number;
  score: number;
}

/** A lexical match comes with its chunk's row, read by the same statement. */
export interface ScoredChunk extends Scored {
  chunk: ChunkRecord;
}

export interface DenseModel {
  model: string;
  dim: number;
  vectors: number;
}

export interface LoadOptions {
  ranking: Ranking;
  /** Load the vectors of this embedding model (none: no dense retrieval). */
  denseModel?: string | null;
  /** DuckDB worker threads (default: the machine's cores, at most 4). */
  threads?: number;
}

const chunkColumns = `doc, lv, chunk_id, page_id, library, version, path, url, title, heading_path, anchor, ordinal, text, tokens, source, simhash`;

const emptyChunks = `SELECT NULL::VARCHAR AS chunk_id, NULL::VARCHAR AS page_id, NULL::VARCHAR AS library, NULL::VARCHAR AS version,
  NULL::VARCHAR AS path, NULL::VARCHAR AS url, NULL::VARCHAR AS title, NULL::VARCHAR[] AS heading_path, NULL::VARCHAR AS anchor,
  NULL::INTEGER AS ordinal, NULL::VARCHAR AS text, NULL::INTEGER AS tokens, NULL::VARCHAR AS source WHERE false`;
const emptyChunkTerms = `SELECT NULL::VARCHAR AS chunk_id, NULL::VARCHAR[] AS terms, NULL::INTEGER[] AS tf_title, NULL::INTEGER[] AS tf_heading,
  NULL::INTEGER[] AS tf_body, NULL::INTEGER AS title_len, NULL::INTEGER AS heading_len, NULL::INTEGER AS body_len, NULL::BIGINT AS simhash WHERE false`;

/**
 * The columns the index needs, cast to the types it relies on: a table that does not fit fails
 * the load here. `source` came later: a snapshot from before has none (toChunk stands in).
 */
const sourceChunksSql = (relation: string, hasSource: boolean) => `
  CREATE TEMP TABLE source_chunks AS
  SELECT CAST(chunk_id AS VARCHAR) AS chunk_id, CAST(page_id AS VARCHAR) AS page_id, CAST(library AS VARCHAR) AS library,
         CAST(version AS VARCHAR) AS version, CAST(path AS VARCHAR) AS path, CAST(url AS VARCHAR) AS url,
         CAST(title AS VARCHAR) AS title, CAST(heading_path AS VARCHAR[]) AS heading_path, CAST(anchor AS VARCHAR) AS anchor,
         CAST(ordinal AS INTEGER) AS ordinal, CAST(text AS VARCHAR) AS text, CAST(tokens AS INTEGER) AS tokens,
         ${hasSource ? 'CAST(source AS VARCHAR)' : 'NULL::VARCHAR'} AS source
    FROM (${relation})`;

/** The index entries of the chunks loaded (the source may hold other libraries' too). */
const sourceTermsSql = (relation: string) => `
  CREATE TEMP TABLE source_terms AS
  SELECT CAST(chunk_id AS VARCHAR) AS chunk_id, CAST(terms AS VARCHAR[]) AS terms,
         CAST(tf_title AS INTEGER[]) AS tf_title, CAST(tf_heading AS INTEGER[]) AS tf_heading, CAST(tf_body AS INTEGER[]) AS tf_body,
         CAST(title_len AS INTEGER) AS title_len, CAST(heading_len AS INTEGER) AS heading_len, CAST(body_len AS INTEGER) AS body_len,
         CAST(simhash AS BIGINT) AS simhash
    FROM (${relation})
   WHERE CAST(chunk_id AS VARCHAR) IN (SELECT chunk_id FROM source_chunks)`;

const chunkTableSql = `
  CREATE TABLE chunk AS
  WITH versions AS (
    SELECT library, version, CAST(row_number() OVER (ORDER BY library, version) AS INTEGER) AS lv
      FROM (SELECT DISTINCT library, version FROM source_chunks)
  )
  SELECT CAST(row_number() OVER (ORDER BY s.library, s.version, s.path, s.ordinal, s.chunk_id) - 1 AS INTEGER) AS doc,
         v.lv, s.*, t.title_len, t.heading_len, t.body_len, t.simhash
    FROM source_chunks s
    JOIN versions v USING (library, version)
    LEFT JOIN source_terms t USING (chunk_id)
   ORDER BY doc`;

/**
 * BM25F term weights per library version, as one row per (version, term): the chunks that
 * contain it and each one's weight — everything but the idf, which depends on the versions a
 * query searches. A weight is the saturated BM25F sum of the fields plus, when the term is
 * in the title field, the title-terms weight normalised by the title's length (outside the
 * saturation: see Ranking), and with anchors loaded, its page's anchor text (anchor-postings.ts).
 * Parameters: the Ranking.
 */
const termListSql = (anchored: boolean) => `
  CREATE TABLE term_list AS
  WITH stats AS (
    SELECT lv, avg(title_len) AS avg_title, avg(heading_len) AS avg_heading, avg(body_len) AS avg_body
      FROM chunk
     WHERE body_len IS NOT NULL
     GROUP BY lv
  ),
  postings AS (
    SELECT c.lv, c.doc, c.title_len, c.heading_len, c.body_len,
           unnest(t.terms) AS term, unnest(t.tf_title) AS tf_title, unnest(t.tf_heading) AS tf_heading, unnest(t.tf_body) AS tf_body
      FROM source_terms t
      JOIN chunk c USING (chunk_id)
  ),
  weighted AS (
    SELECT p.lv, p.term, p.doc,
           $title_weight * p.tf_title / (1 - $title_b + $title_b * p.title_len / greatest(s.avg_title, 1))
         + $heading_weight * p.tf_heading / (1 - $heading_b + $heading_b * p.heading_len / greatest(s.avg_heading, 1))
         + $body_weight * p.tf_body / (1 - $body_b + $body_b * p.body_len / greatest(s.avg_body, 1)) AS tf,
           CASE WHEN p.tf_title > 0 THEN $title_terms_weight / (1 - $title_terms_b + $title_terms_b * p.title_len / greatest(s.avg_title, 1)) ELSE 0 END AS in_title
      FROM postings p
      JOIN stats s USING (lv)
  )${anchored ? anchoredTermListTail : plainTermListTail}`;

const plainTermListTail = `
  SELECT lv || ':' || term AS key, any_value(term) AS term, count(*) AS df, list(doc) AS docs,
         list(CAST(tf * ($k1 + 1) / ($k1 + tf) + in_title AS FLOAT)) AS weights
    FROM weighted
   WHERE tf > 0 OR in_title > 0
   GROUP BY lv, term`;

const vectorTableSql = (relation: string, dim: number) => `
  CREATE TABLE vec AS
  SELECT c.doc, c.lv, CAST(e.vector AS FLOAT[${dim}]) AS vector
    FROM (${relation}) e
    JOIN chunk c ON c.chunk_id = CAST(e.chunk_id AS VARCHAR)
   WHERE e.model = $model AND e.dim = $dim AND len(e.vector) = $dim`;

/**
 * The query, in one statement: the idf of each term over the versions searched ($chunks is
 * their size), the sum of weight × idf × the term's weight in the query per chunk, the best
 * $limit chunks, and their rows (in no order: match() sorts them). Parameters: $keys (every
 * query term in every version searched) with $key_weights, $chunks, $limit.
 *
 * Written for speed, since it is most of a search's time: the query's keys are a joined
 * table, so that their weights are not looked up again for each posting; with one version
 * searched, a term's df is its row's; with several, it is summed over a small materialised
 * table of the rows found (a window over them costs more than the rest of the query).
 */
const matchSql = (filtered: boolean, versions: 'one' | 'several') => `
  WITH query AS (SELECT unnest($keys::VARCHAR[]) AS key, unnest($key_weights::DOUBLE[]) AS query_weight),
  ${
    versions === 'one'
      ? `lists AS (
    SELECT t.docs, t.weights, q.query_weight * ln(1 + ($chunks - t.df + 0.5) / (t.df + 0.5)) AS factor
      FROM term_list t JOIN query q USING (key)
  ),`
      : `found AS MATERIALIZED (
    SELECT t.term, t.df, t.docs, t.weights, q.query_weight FROM term_list t JOIN query q USING (key)
  ),
  df AS (SELECT term, sum(df) AS df FROM found GROUP BY term),
  lists AS (
    SELECT f.docs, f.weights, f.query_weight * ln(1 + ($chunks - d.df + 0.5) / (d.df + 0.5)) AS factor
      FROM found f JOIN df d USING (term)
  ),`
  }
  best AS (
    SELECT doc, sum(weight * factor) AS score
      FROM (SELECT unnest(docs) AS doc, unnest(weights) AS weight, factor FROM lists)
     ${filtered ? 'WHERE doc IN (SELECT doc FROM chunk WHERE lv IN (SELECT unnest($lvs::INTEGER[])) AND starts_with(path, $prefix))' : ''}
     GROUP BY doc
     ORDER BY score DESC, doc
     LIMIT $limit
  )
  SELECT b.score, ${chunkColumns
    .split(', ')
    .map((c) => `c.${c}`)
    .join(', ')}
    FROM best b JOIN chunk c USING (doc)`;

const nearestSql = (dim: number, filtered: boolean) => `
  SELECT doc, array_cosine_similarity(vector, $vector::FLOAT[${dim}]) AS score
    FROM vec
   WHERE lv IN (SELECT unnest($lvs::INTEGER[]))
     ${filtered ? 'AND doc IN (SELECT doc FROM chunk WHERE starts_with(path, $prefix))' : ''}
   ORDER BY score DESC, doc
   LIMIT $limit`;

/** The index's copy of the learned term associations it expands queries with. */
const ASSOCIATIONS_TABLE = 'term_association';

export class MemoryIndex {
  private closed = false;
  private retired = false;
  private leases = 0;

  private constructor(
    private readonly db: DuckDBInstance,
    private readonly pool: ConnectionPool,
    readonly snapshotId: number,
    readonly versions: readonly LibraryVersion[],
    /** Chunks without an index entry (written before the index existed): a reindex fixes them. */
    readonly unindexedChunks: number,
    readonly dense: DenseModel | null,
    /** Learned term associations of the libraries held (expansion.ts), for query expansion. */
    readonly associations: Associations,
  ) {}

  static async load(relations: IndexRelations, options: LoadOptions): Promise<MemoryIndex> {
    const threads = options.threads ?? defaultThreads();
    const db = await DuckDBInstance.create(':memory:', duckdbOptions(threads));
    try {
      const conn = await db.connect();
      try {
        await build(conn, relations, options);
        const versions = await readVersions(conn);
        const unindexed = Number(
          (await conn.runAndReadAll(`SELECT count(*) AS n FROM chunk WHERE body_len IS NULL`)).getRowObjectsJS()[0]
            ?.n ?? 0,
        );
        const dense =
          options.denseModel && relations.embeddings
            ? await loadVectors(conn, relations.embeddings, options.denseModel)
            : null;
        // Kept as a table of the index too, so an index opened from the cache (saveTo/open) has them.
        const associations =
          options.ranking.associations.weight > 0 && relations.termAssociations
            ? await conn
                .run(`CREATE TABLE ${ASSOCIATIONS_TABLE} AS SELECT * FROM (${relations.termAssociations})`)
                .then(() => loadAssociations(conn, `SELECT * FROM ${ASSOCIATIONS_TABLE}`))
            : noAssociations;
        const pool = await ConnectionPool.open(db, conn, threads);
        return new MemoryIndex(db, pool, relations.snapshotId, versions, unindexed, dense, associations);
      } catch (err) {
        conn.closeSync();
        throw err;
      }
    } catch (err) {
      db.closeSync();
      throw new BosunError(
        'LAKE_ERROR',
        `cannot load the search index of snapshot ${relations.snapshotId}: ${firstLine(err)}`,
        {
          cause: err,
          hint: 'if the index tables were written by an older Bosun, rebuild them: `bosun docs reindex`',
        },
      );
    }
  }

  /**
   * An index persisted by saveTo (index-cache.ts), opened read-only: DuckDB reads the blocks a
   * query needs, so a process that searches a few times holds little of it in memory.
   */
  static async open(cached: CachedIndex, snapshotId: number, options: { threads?: number } = {}): Promise<MemoryIndex> {
    const threads = options.threads ?? defaultThreads();
    const db = await DuckDBInstance.create(cached.file, { ...duckdbOptions(threads), access_mode: 'READ_ONLY' });
    try {
      const conn = await db.connect();
      try {
        // A file that opens but lacks a table fails here, not in the middle of a search.
        await conn.run(`SELECT count(*) FROM chunk, (SELECT count(*) FROM term_list)`);
        const saved = await conn.runAndReadAll(
          `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = '${ASSOCIATIONS_TABLE}'`,
        );
        const associations = Number(saved.getRowObjectsJS()[0]?.n ?? 0)
          ? await loadAssociations(conn, `SELECT * FROM ${ASSOCIATIONS_TABLE}`)
          : noAssociations;
        const pool = await ConnectionPool.open(db, conn, threads);
        const { versions, unindexedChunks, dense } = cached.state;
        return new MemoryIndex(db, pool, snapshotId, versions, unindexedChunks, dense, associations);
      } catch (err) {
        conn.closeSync();
        throw err;
      }
    } catch (err) {
      db.closeSync();
      throw err;
    }
  }

  /** What the index knows of itself beyond its tables: saved with them. */
  get state(): IndexState {
    return { versions: [...this.versions], unindexedChunks: this.unindexedChunks, dense: this.dense };
  }

  /** Writes every table of the index, with its indexes, to a new DuckDB database file. */
  async saveTo(file: string): Promise<void> {
    await this.pool.run(async (conn) => {
      await conn.run(`ATTACH ${sqlString(file)} AS saved`);
      try {
        await conn.run(`COPY FROM DATABASE memory TO saved`);
      } finally {
        await conn.run(`DETACH saved`);
      }
    });
  }

  /** The best chunks for the weighted query terms in the given library versions (and path prefix), best first. */
  async match(
    terms: readonly QueryTerm[],
    lvs: readonly number[],
    pathPrefix: string | undefined,
    limit: number,
  ): Promise<ScoredChunk[]> {
    if (!terms.length || !lvs.length) return [];
    const searched = this.versions.filter((v) => lvs.includes(v.lv));
    const pairs = lvs.flatMap((lv) => terms.map((t) => ({ key: termKey(lv, t.term), weight: t.weight })));
    const params = {
      keys: listValue(pairs.map((p) => p.key)),
      key_weights: listValue(pairs.map((p) => p.weight)),
      limit,
      chunks: searched.reduce((n, v) => n + v.indexedChunks, 0),
      ...(pathPrefix === undefined ? {} : { lvs: listValue([...lvs]), prefix: pathPrefix }),
    };
    // Weights like [1, 1, 0.5] must bind as doubles, whatever the first one looks like.
    const rows = await this.query(matchSql(pathPrefix !== undefined, lvs.length === 1 ? 'one' : 'several'), params, {
      key_weights: LIST(DOUBLE),
    });
    return rows
      .map((r) => ({ doc: Number(r.doc), score: Number(r.score), chunk: toChunk(r) }))
      .sort((a, b) => b.score - a.score || a.doc - b.doc);
  }

  /** In how many chunks of the given versions each term occurs (terms that occur nowhere are absent). */
  async documentFrequencies(terms: readonly string[], lvs: readonly number[]): Promise<Map<string, number>> {
    const keys = lvs.flatMap((lv) => terms.map((term) => termKey(lv, term)));
    const rows = await this.query(`SELECT key, df FROM term_list WHERE key IN (SELECT unnest($keys::VARCHAR[]))`, {
      keys: listValue(keys),
    });
    const df = new Map<string, number>();
    for (const r of rows) {
      const term = String(r.key).slice(String(r.key).indexOf(':') + 1);
      df.set(term, (df.get(term) ?? 0) + Number(r.df));
    }
    return df;
  }

  /** The chunks nearest to a query vector (cosine), when vectors are loaded. */
  async nearest(
    vector: readonly number[],
    lvs: readonly number[],
    pathPrefix: string | undefined,
    limit: number,
  ): Promise<Scored[]> {
    if (!this.dense || !lvs.length) return [];
    if (vector.length !== this.dense.dim) {
      throw new BosunError(
        'INVALID_INPUT',
        `the query vector has ${vector.length} dimensions; the index holds ${this.dense.dim}`,
      );
    }
    const params = {
      vector: listValue([...vector]),
      lvs: listValue([...lvs]),
      limit,
      ...(pathPrefix === undefined ? {} : { prefix: pathPrefix }),
    };
    const rows = await this.query(nearestSql(this.dense.dim, pathPrefix !== undefined), params);
    return rows.map((r) => ({ doc: Number(r.doc), score: Number(r.score) }));
  }

  async chunks(docs: readonly number[]): Promise<ChunkRecord[]> {
    if (!docs.length) return [];
    return (
      await this.query(`SELECT ${chunkColumns} FROM chunk WHERE doc IN (SELECT unnest($docs::INTEGER[]))`, {
        docs: listValue([...docs]),
      })
    ).map(toChunk);
  }

  async chunkById(chunkId: string): Promise<ChunkRecord | null> {
    const rows = await this.query(`SELECT ${chunkColumns} FROM chunk WHERE chunk_id = $id`, { id: chunkId });
    return rows[0] ? toChunk(rows[0]) : null;
  }

  /** A page's chunks in order; the page is named by its path or its URL. */
  async pageChunks(lv: number, pathOrUrl: string): Promise<ChunkRecord[]> {
    const rows = await this.query(
      `SELECT ${chunkColumns} FROM chunk WHERE lv = $lv AND (path = $page OR url = $page) ORDER BY ordinal`,
      {
        lv,
        page: pathOrUrl,
      },
    );
    return rows.map(toChunk);
  }

  /** Page paths of a version most like `path`, best first: for "did you mean" errors. */
  async similarPaths(lv: number, path: string, limit: number): Promise<string[]> {
    const rows = await this.query(
      `SELECT path FROM (SELECT DISTINCT path FROM chunk WHERE lv = $lv)
        ORDER BY jaro_winkler_similarity(lower(path), lower($path)) DESC, path
        LIMIT $limit`,
      { lv, path, limit },
    );
    return rows.map((r) => String(r.path));
  }

  /** Every chunk of a version under a path prefix, in page and document order: the outline's material. */
  async outlineEntries(lv: number, pathPrefix: string | undefined): Promise<OutlineEntry[]> {
    const rows = await this.query(
      `SELECT path, title, anchor, text FROM chunk
        WHERE lv = $lv AND starts_with(path, $prefix)
        ORDER BY path, ordinal`,
      { lv, prefix: pathPrefix ?? '' },
    );
    return rows.map((r) => ({
      path: String(r.path),
      title: String(r.title ?? ''),
      anchor: String(r.anchor ?? ''),
      text: String(r.text ?? ''),
    }));
  }

  /** Bytes DuckDB holds for this index. */
  async memoryBytes(): Promise<number> {
    const rows = await this.query(`SELECT sum(memory_usage_bytes) AS bytes FROM duckdb_memory()`, {});
    return Number(rows[0]?.bytes ?? 0);
  }

  /**
   * Runs `fn` while keeping the index open: a searcher that swaps in a newer snapshot retires
   * the old index, which closes once the searches already using it are done.
   */
  async lease<T>(fn: (index: MemoryIndex) => Promise<T>): Promise<T> {
    if (this.retired) throw new BosunError('INTERNAL', 'this search index was retired');
    this.leases++;
    try {
      return await fn(this);
    } finally {
      if (--this.leases === 0 && this.retired) this.close();
    }
  }

  /** Closes now, or when the last lease ends. */
  retire(): void {
    this.retired = true;
    if (this.leases === 0) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pool.close();
    this.db.closeSync();
  }

  private async query(
    sql: string,
    params: Record<string, DuckDBValue>,
    types?: Record<string, DuckDBType>,
  ): Promise<Record<string, unknown>[]> {
    return this.pool.use(async (prepared) => {
      const statement = await prepared(sql);
      statement.bind(params, types);
      return (await statement.runAndReadAll()).getRowObjectsJS();
    });
  }
}

function termKey(lv: number, term: string): string {
  return `${lv}:${term}`;
}

async function build(conn: DuckDBConnection, relations: IndexRelations, options: LoadOptions): Promise<void> {
  const { ranking } = options;
  const chunks = relations.chunks ?? emptyChunks;
  await conn.run(sourceChunksSql(chunks, (await columnsOf(conn, chunks)).includes('source')));
  await conn.run(sourceTermsSql(relations.chunkTerms ?? emptyChunkTerms));
  await conn.run(chunkTableSql);
  const parameters = {
    k1: ranking.k1,
    title_weight: ranking.title.weight,
    title_b: ranking.title.b,
    heading_weight: ranking.heading.weight,
    heading_b: ranking.heading.b,
    body_weight: ranking.body.weight,
    body_b: ranking.body.b,
    title_terms_weight: ranking.titleTerms.weight,
    title_terms_b: ranking.titleTerms.b,
  };
  const anchored = ranking.anchorText.weight > 0 && !!relations.pageAnchors;
  if (anchored)
    await conn.run(anchorPostingsSql(relations.pageAnchors!), { anchor_context: ranking.anchorText.context });
  await conn.run(termListSql(anchored), {
    ...parameters,
    ...(anchored ? { anchor_weight: ranking.anchorText.weight, anchor_k: ranking.anchorText.k } : {}),
  });
  if (anchored) await conn.run(`DROP TABLE anchor_postings`);
  await conn.run(`DROP TABLE source_terms`);
  await conn.run(`DROP TABLE source_chunks`);
  // Point lookups: a query's postings by key, its hits by doc, a read by chunk id (see duckdbOptions).
  await conn.run(`CREATE UNIQUE INDEX term_list_key ON term_list (key)`);
  await conn.run(`CREATE UNIQUE INDEX chunk_doc ON chunk (doc)`);
  await conn.run(`CREATE INDEX chunk_id ON chunk (chunk_id)`);
}

function defaultThreads(): number {
  return Math.min(4, os.availableParallelism());
}

/**
 * DuckDB only uses an index below a selectivity threshold, set high so that point lookups
 * (a query's postings by key, its hits by doc, a read by chunk id) always do here.
 */
function duckdbOptions(threads: number): Record<string, string> {
  return {
    threads: String(threads),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    index_scan_percentage: '1.0',
    index_scan_max_count: '1000000',
  };
}

async function columnsOf(conn: DuckDBConnection, relation: string): Promise<string[]> {
  const rows = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM (${relation})`)).getRowObjectsJS();
  return rows.map((r) => String(r.column_name));
}

async function readVersions(conn: DuckDBConnection): Promise<LibraryVersion[]> {
  const rows = (
    await conn.runAndReadAll(
      `SELECT lv, library, version, count(*) AS chunks,
              count(*) FILTER (WHERE body_len IS NOT NULL) AS indexed_chunks
         FROM chunk GROUP BY lv, library, version ORDER BY lv`,
    )
  ).getRowObjectsJS();
  return rows.map((r) => ({
    lv: Number(r.lv),
    library: String(r.library),
    version: String(r.version),
    chunks: Number(r.chunks),
    indexedChunks: Number(r.indexed_chunks),
  }));
}

/** The model's vectors (of its most common dimension: a model re-embedded at another size leaves stragglers until cleaned). */
async function loadVectors(conn: DuckDBConnection, relation: string, model: string): Promise<DenseModel | null> {
  const dims = (
    await conn.runAndReadAll(
      `SELECT dim, count(*) AS n FROM (${relation}) WHERE model = $model GROUP BY dim ORDER BY n DESC LIMIT 1`,
      { model },
    )
  ).getRowObjectsJS();
  const dim = Number(dims[0]?.dim ?? 0);
  if (!Number.isInteger(dim) || dim < 1 || dim > 65536) return null;
  await conn.run(vectorTableSql(relation, dim), { model, dim });
  const vectors = Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM vec`)).getRowObjectsJS()[0]?.n ?? 0);
  return vectors ? { model, dim, vectors } : null;
}

function toChunk(r: Record<string, unknown>): ChunkRecord {
  return {
    doc: Number(r.doc),
    lv: Number(r.lv),
    chunk_id: String(r.chunk_id),
    page_id: String(r.page_id),
    library: String(r.library),
    version: String(r.version),
    path: String(r.path),
    url: r.url === null ? null : String(r.url),
    title: String(r.title ?? ''),
    heading_path: (r.heading_path as string[] | null) ?? [],
    anchor: String(r.anchor ?? ''),
    ordinal: Number(r.ordinal),
    text: String(r.text ?? ''),
    tokens: Number(r.tokens ?? 0),
    // Rows written before sources were recorded: the URL, else the version-relative path.
    source:
      r.source === null || r.source === undefined
        ? sourceOf({
            url: r.url === null ? null : String(r.url),
            sourcePath: String(r.path),
            anchor: String(r.anchor ?? ''),
          })
        : String(r.source),
    simhash: typeof r.simhash === 'bigint' ? r.simhash : null,
  };
}
