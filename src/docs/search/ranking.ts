import { z } from 'zod';

/**
 * BM25F parameters. Each field's term frequency is normalised by that field's length against
 * its average (`b` says how much), weighted, and summed before BM25's saturation (`k1`), so a
 * term repeated in the body saturates instead of growing without bound.
 *
 * The page title (with the file name and folders) is scored apart, by `titleTerms`: inside
 * the saturated sum, a title word adds next to nothing to a section that already uses the
 * word a few times, so a page *about* a subject ranked no higher than a long page that
 * mentions it often. Outside the sum, every query term in the title adds its idf × the
 * weight, normalised by the title's length (a short title names its subject more surely).
 *
 * The defaults were chosen on bench/questions' dev.jsonl and holdout.jsonl (see
 * docs/search.md); test.jsonl was only ever scored with them. Anchor text, associations and
 * page evidence (issue 16) were chosen on paraphrase-dev.jsonl with dev and dev2;
 * paraphrase-test.jsonl was only scored. Page evidence did not help there and is off.
 * The opening-section prior was chosen the same way.
 */
const field = z.object({ weight: z.number().min(0).max(100), b: z.number().min(0).max(1) }).strict();

export const rankingSchema = z
  .object({
    k1: z.number().min(0).max(10),
    /** The title field inside the saturated sum; the default leaves it to `titleTerms` (weight 0 here). */
    title: field,
    heading: field,
    body: field,
    /** A query term found in the title field: its idf × `weight`, length-normalised by `b`, outside the saturation; weight 0 turns it off. */
    titleTerms: field,
    /** Weight of a query term's synonyms (docs/postings/synonyms.ts) against the term's own 1; 0 turns them off. */
    synonyms: z.number().min(0).max(1),
    /** Boost of a chunk whose page title the query names, as a share of the best score (see title-match.ts); 0 turns it off. */
    titleMatch: z.number().min(0).max(1),
    /** The words of links pointing at a page, as a field of its chunks (anchor-postings.ts); weight 0 turns it off. */
    anchorText: z
      .object({
        weight: z.number().min(0).max(100),
        k: z.number().min(0.01).max(100),
        context: z.number().min(0).max(1),
      })
      .strict(),
    /** Query expansion with learned term associations (expansion.ts); weight 0 turns it off. */
    associations: z.object({ weight: z.number().min(0).max(1), perTerm: z.number().int().min(0).max(50) }).strict(),
    /** Share of the other matching chunks of a page added to a chunk's score (page-evidence.ts); 0 turns it off. */
    pageEvidence: z.number().min(0).max(1),
    /** Boost of a page's opening section, as a share of the best score (page-evidence.ts); 0 turns it off. */
    openingSection: z.number().min(0).max(1),
  })
  .strict();
export type Ranking = z.infer<typeof rankingSchema>;

export const defaultRanking: Ranking = {
  k1: 1.2,
  title: { weight: 0, b: 0.5 },
  heading: { weight: 2, b: 0.5 },
  body: { weight: 1, b: 0.75 },
  titleTerms: { weight: 1, b: 0.8 },
  synonyms: 0.3,
  titleMatch: 0.1,
  anchorText: { weight: 0.3, k: 1, context: 1 },
  associations: { weight: 0.1, perTerm: 3 },
  pageEvidence: 0,
  openingSection: 0.1,
};

/** Plain BM25 over the three fields as one: the baseline the field weights are measured against. */
export const unweightedRanking: Ranking = {
  k1: 1.2,
  title: { weight: 1, b: 0.75 },
  heading: { weight: 1, b: 0.75 },
  body: { weight: 1, b: 0.75 },
  titleTerms: { weight: 0, b: 0 },
  synonyms: 0,
  titleMatch: 0,
  anchorText: { weight: 0, k: 1, context: 0 },
  associations: { weight: 0, perTerm: 0 },
  pageEvidence: 0,
  openingSection: 0,
};
