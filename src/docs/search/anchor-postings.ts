/**
 * Anchor text in the in-memory index (see docs/postings/anchors.ts). The words of the links
 * pointing at a page are a field of every chunk of that page, scored outside BM25F's
 * saturation like title terms: `weight` × tf (k + 1) / (tf + k), where tf counts the links
 * using the word (in the sentence around the link text: `context` each), so a page linked a hundred times as "snapshots" does not drown the rest.
 * A term's df stays that of the chunks' own text: anchors say what a page is called by
 * others, not how common a word is.
 */

/** (doc, lv, term, tf) for every chunk of every linked-to page. Needs the `chunk` table. */
export const anchorPostingsSql = (relation: string) => `
  CREATE TEMP TABLE anchor_postings AS
  WITH anchors AS (
    SELECT CAST(library AS VARCHAR) AS library, CAST(version AS VARCHAR) AS version, CAST(path AS VARCHAR) AS path,
           unnest(CAST(terms AS VARCHAR[])) AS term,
           unnest(CAST(tf AS INTEGER[])) + $anchor_context * unnest(CAST(tf_context AS INTEGER[])) AS tf
      FROM (${relation})
  ),
  per_page AS (SELECT library, version, path, term, sum(tf) AS tf FROM anchors GROUP BY ALL)
  SELECT c.doc, c.lv, a.term, a.tf
    FROM per_page a
    JOIN chunk c ON c.library = a.library AND c.version = a.version AND c.path = a.path
   WHERE c.body_len IS NOT NULL`;

/**
 * The term_list rows when anchors are loaded: each chunk's own weight (`weighted`'s tf and
 * in_title, as in the plain statement) and its page's anchor weight as a second posting of
 * the same doc, which the query's sum per doc adds up (cheaper than merging them here).
 */
export const anchoredTermListTail = `,
  own AS (
    SELECT lv, term, doc, tf * ($k1 + 1) / ($k1 + tf) + in_title AS weight, true AS own
      FROM weighted
     WHERE tf > 0 OR in_title > 0
  ),
  anchored AS (
    SELECT lv, term, doc, $anchor_weight * tf * ($anchor_k + 1) / (tf + $anchor_k) AS weight, false AS own
      FROM anchor_postings
  ),
  with_anchors AS (SELECT * FROM own UNION ALL SELECT * FROM anchored)
  SELECT lv || ':' || term AS key, any_value(term) AS term,
         coalesce(nullif(count(*) FILTER (WHERE own), 0), count(*)) AS df,
         list(doc) AS docs, list(CAST(weight AS FLOAT)) AS weights
    FROM with_anchors
   GROUP BY lv, term`;
