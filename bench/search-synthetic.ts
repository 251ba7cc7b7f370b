/**
 * A synthetic index of N chunks for bench:search: one library version, 20 chunks per page,
 * 60 draws of a term per chunk drawn log-uniformly from a 200,000-word vocabulary (so a few words are
 * in most chunks and most words in few, as in real text). Written as Parquet files with the
 * columns of docs.chunks and docs.chunk_terms, generated in DuckDB so a million chunks take
 * seconds, not a JavaScript loop.
 */
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export const VOCABULARY = 200_000;
const TERMS_PER_CHUNK = 60;
const CHUNKS_PER_PAGE = 20;

export interface SyntheticFiles {
  chunks: string[];
  chunkTerms: string[];
  postings: number;
}

/** Chunks generated per pair of files, so that memory stays bounded at any size. */
const BATCH = 100_000;

export async function writeSyntheticIndex(dir: string, chunks: number): Promise<SyntheticFiles> {
  const db = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    preserve_insertion_order: 'false',
  });
  const conn = await db.connect();
  const files: SyntheticFiles = { chunks: [], chunkTerms: [], postings: 0 };
  try {
    for (let from = 0; from < chunks; from += BATCH) {
      const to = Math.min(chunks, from + BATCH);
      const suffix = String(from / BATCH).padStart(3, '0');
      const termsFile = path.join(dir, `chunk_terms_${suffix}.parquet`);
      const chunksFile = path.join(dir, `chunks_${suffix}.parquet`);
      await conn.run(
        `CREATE OR REPLACE TEMP TABLE drawn AS
         SELECT i, term, count(*) AS tf
           FROM (SELECT i, 'w' || CAST(floor(pow($vocabulary, random())) AS INTEGER) AS term FROM range($from, $to) r(i), range($terms) t(k))
          GROUP BY i, term`,
        { vocabulary: VOCABULARY, from, to, terms: TERMS_PER_CHUNK },
      );
      // About one term in twenty is also in the chunk's page title, and as many in its headings.
      await conn.run(
        `COPY (
           SELECT printf('%024x', i) AS chunk_id, list(term) AS terms, list(in_title) AS tf_title, list(in_heading) AS tf_heading,
                  list(CAST(tf AS INTEGER)) AS tf_body, CAST(sum(in_title) AS INTEGER) AS title_len,
                  CAST(sum(in_heading) AS INTEGER) AS heading_len, CAST(sum(tf) AS INTEGER) AS body_len,
                  CAST(hash(i) >> 1 AS BIGINT) AS simhash
             FROM (SELECT *, CAST(hash(i, term) % 20 = 0 AS INTEGER) AS in_title, CAST(hash(term, i) % 20 = 0 AS INTEGER) AS in_heading FROM drawn)
            GROUP BY i
         ) TO '${termsFile}' (FORMAT parquet)`,
      );
      await conn.run(
        `COPY (
           SELECT printf('%024x', i) AS chunk_id, printf('%016x', i // ${CHUNKS_PER_PAGE}) AS page_id,
                  'synthetic' AS library, '1.0' AS version,
                  printf('section-%d/page-%d.md', i // 10000, i // ${CHUNKS_PER_PAGE}) AS path, NULL::VARCHAR AS url,
                  printf('Page %d', i // ${CHUNKS_PER_PAGE}) AS title, [printf('Page %d', i // ${CHUNKS_PER_PAGE}), printf('Section %d', i)] AS heading_path,
                  printf('section-%d', i) AS anchor, CAST(i % ${CHUNKS_PER_PAGE} AS INTEGER) AS ordinal,
                  text, CAST(len(text) // 6 AS INTEGER) AS tokens, '' AS content_hash
             FROM (SELECT i, string_agg(term, ' ') AS text FROM drawn GROUP BY i)
         ) TO '${chunksFile}' (FORMAT parquet)`,
      );
      files.postings += Number((await conn.runAndReadAll('SELECT count(*) AS n FROM drawn')).getRowObjectsJS()[0]?.n);
      files.chunkTerms.push(termsFile);
      files.chunks.push(chunksFile);
    }
    return files;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/**
 * Queries of 2-5 words drawn like the corpus, without the 20 commonest words (which a real
 * query loses to the stop list), deterministic for a given seed.
 */
export function syntheticQueries(count: number, seed = 42): string[] {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return Array.from({ length: count }, () => {
    const words = 2 + Math.floor(random() * 4);
    return Array.from({ length: words }, () => {
      let id = 0;
      while (id < 20) id = Math.floor(VOCABULARY ** random());
      return `w${id}`;
    }).join(' ');
  });
}
