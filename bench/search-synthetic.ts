/**
 * A synthetic index of N chunks for bench:search: one library version, 20 chunks per page,
 * ~60 terms per chunk drawn log-uniformly from a 200,000-word vocabulary (so a few words are
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
  chunks: string;
  chunkTerms: string;
  postings: number;
}

export async function writeSyntheticIndex(dir: string, chunks: number): Promise<SyntheticFiles> {
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const conn = await db.connect();
  const files = { chunks: path.join(dir, 'chunks.parquet'), chunkTerms: path.join(dir, 'chunk_terms.parquet') };
  try {
    await conn.run(
      `CREATE TEMP TABLE drawn AS
       SELECT i, 'w' || CAST(floor(pow($vocabulary, random())) AS INTEGER) AS term, count(*) AS tf
         FROM range($chunks) r(i), range($terms) t(k)
        GROUP BY ALL`,
      { vocabulary: VOCABULARY, chunks, terms: TERMS_PER_CHUNK },
    );
    // The first term of each chunk is also in its heading, the second in its page title.
    await conn.run(
      `COPY (
         SELECT printf('%024x', i) AS chunk_id, list(term ORDER BY term) AS terms,
                list(CASE WHEN term = first_term THEN 1 ELSE 0 END ORDER BY term) AS tf_title,
                list(CASE WHEN term = second_term THEN 1 ELSE 0 END ORDER BY term) AS tf_heading,
                list(CAST(tf AS INTEGER) ORDER BY term) AS tf_body,
                1 AS title_len, 1 AS heading_len, CAST(sum(tf) AS INTEGER) AS body_len,
                CAST(hash(i) AS BIGINT) AS simhash
           FROM (SELECT d.*, min(term) OVER (PARTITION BY i) AS first_term, max(term) OVER (PARTITION BY i) AS second_term FROM drawn d)
          GROUP BY i
       ) TO '${files.chunkTerms}' (FORMAT parquet)`,
    );
    await conn.run(
      `COPY (
         SELECT printf('%024x', i) AS chunk_id, printf('%016x', i // ${CHUNKS_PER_PAGE}) AS page_id,
                'synthetic' AS library, '1.0' AS version,
                printf('section-%d/page-%d.md', i // 10000, i // ${CHUNKS_PER_PAGE}) AS path, NULL::VARCHAR AS url,
                printf('Page %d', i // ${CHUNKS_PER_PAGE}) AS title, [printf('Page %d', i // ${CHUNKS_PER_PAGE}), printf('Section %d', i)] AS heading_path,
                printf('section-%d', i) AS anchor, CAST(i % ${CHUNKS_PER_PAGE} AS INTEGER) AS ordinal,
                text, CAST(len(text) // 6 AS INTEGER) AS tokens, '' AS content_hash
           FROM (SELECT i, string_agg(term, ' ' ORDER BY term) AS text FROM drawn GROUP BY i)
       ) TO '${files.chunks}' (FORMAT parquet)`,
    );
    const postings = Number((await conn.runAndReadAll('SELECT count(*) AS n FROM drawn')).getRowObjectsJS()[0]?.n);
    return { ...files, postings };
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
