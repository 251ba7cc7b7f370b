import type { DuckDBConnection } from '@duckdb/node-api';

export interface TermAssociationRow {
  library: string;
  term: string;
  related: string;
  score: number;
}

export interface AssociationOptions {
  /** A term must occur in at least this many sections to be associated (rarer ones are noise). */
  minDf: number;
  /** Terms in more than this share of the sections say nothing about a subject. */
  maxDfShare: number;
  /** Sections two terms must share. */
  minCooccurrence: number;
  /** Associations kept per term, strongest first. */
  perTerm: number;
  /** Weakest normalised PMI kept. */
  minScore: number;
}

export const defaultAssociationOptions: AssociationOptions = {
  minDf: 3,
  maxDfShare: 0.05,
  minCooccurrence: 3,
  perTerm: 8,
  minScore: 0.35,
};

/**
 * Terms the library's own sections use together, by normalised pointwise mutual information
 * (Bouma 2009) over sections: npmi(a, b) = ln(p(a,b) / (p(a) p(b))) / −ln p(a,b), 1 when two
 * terms only ever occur together, 0 when independent. A question in the user's words shares
 * some words with its answer ("retained", "forever", "history") that are not the page's name;
 * their associates ("expire", "older_than") are, and a query expands with them at a low weight
 * (docs/search/expansion.ts).
 *
 * A section copied into several versions counts once (one row per SimHash), so that five
 * versions of a page do not make its words look five times as associated. Runs in the DuckDB
 * of a lake reader, over docs.chunks and docs.chunk_terms.
 */
export async function learnTermAssociations(
  conn: DuckDBConnection,
  library: string,
  options: AssociationOptions = defaultAssociationOptions,
): Promise<TermAssociationRow[]> {
  const reader = await conn.runAndReadAll(associationsSql, {
    library,
    min_df: options.minDf,
    max_df_share: options.maxDfShare,
    min_co: options.minCooccurrence,
    per_term: options.perTerm,
    min_score: options.minScore,
    word_pattern: WORD,
  });
  return reader.getRowObjectsJS().map((r) => ({
    library,
    term: String(r.term),
    related: String(r.related),
    score: Number(r.score),
  }));
}

/** Words and identifiers, not numbers, versions, paths or URLs: those associate with whatever page they are on. */
const WORD = '[a-z][a-z_]*[a-z]';

const associationsSql = `
  WITH sections AS (
    SELECT any_value(t.terms) AS terms
      FROM docs.chunks c JOIN docs.chunk_terms t USING (chunk_id)
     WHERE c.library = $library
     GROUP BY t.simhash
  ),
  numbered AS (SELECT row_number() OVER () AS id, terms FROM sections),
  occurrences AS (
    SELECT DISTINCT id, term FROM (SELECT id, unnest(terms) AS term FROM numbered)
     WHERE regexp_full_match(term, $word_pattern)
  ),
  total AS (SELECT count(*)::DOUBLE AS n FROM numbered),
  vocabulary AS (
    SELECT term, count(*) AS df FROM occurrences GROUP BY term
    HAVING count(*) >= $min_df AND count(*) <= $max_df_share * (SELECT n FROM total)
  ),
  kept AS (SELECT o.id, o.term FROM occurrences o JOIN vocabulary v USING (term)),
  pairs AS (
    SELECT a.term AS term, b.term AS related, count(*) AS co
      FROM kept a JOIN kept b ON a.id = b.id AND a.term <> b.term
     GROUP BY a.term, b.term
    HAVING count(*) >= $min_co
  ),
  scored AS (
    SELECT p.term, p.related,
           ln(p.co * t.n / (va.df * vb.df)) / -ln(p.co / t.n) AS score
      FROM pairs p
      JOIN vocabulary va ON va.term = p.term
      JOIN vocabulary vb ON vb.term = p.related
      CROSS JOIN total t
  )
  SELECT term, related, CAST(score AS FLOAT) AS score
    FROM scored
   WHERE score >= $min_score
   QUALIFY row_number() OVER (PARTITION BY term ORDER BY score DESC, related) <= $per_term
   ORDER BY term, score DESC`;
