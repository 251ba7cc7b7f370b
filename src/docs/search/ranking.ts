import { z } from 'zod';

/**
 * BM25F parameters. Each field's term frequency is normalised by that field's length against
 * its average (`b` says how much), weighted, and summed before BM25's saturation (`k1`), so a
 * term in a short title counts for more than the same term once in a long body, and a term
 * repeated in the body saturates instead of growing without bound.
 *
 * The defaults were chosen on the development half of bench/questions (see docs/search.md);
 * the test half was only ever scored with them.
 */
const field = z.object({ weight: z.number().min(0).max(100), b: z.number().min(0).max(1) }).strict();

export const rankingSchema = z
  .object({
    k1: z.number().min(0).max(10),
    title: field,
    heading: field,
    body: field,
    /** Weight of a query term's synonyms (docs/index/synonyms.ts) against the term's own 1; 0 turns them off. */
    synonyms: z.number().min(0).max(1),
    /** Boost of a chunk whose page title the query names, as a share of the best score (see title-match.ts); 0 turns it off. */
    titleMatch: z.number().min(0).max(1),
  })
  .strict();
export type Ranking = z.infer<typeof rankingSchema>;

export const defaultRanking: Ranking = {
  k1: 1.2,
  title: { weight: 3, b: 0.5 },
  heading: { weight: 2, b: 0.5 },
  body: { weight: 1, b: 0.75 },
  synonyms: 0.3,
  titleMatch: 0.1,
};

/** Plain BM25 over the three fields as one: the baseline the field weights are measured against. */
export const unweightedRanking: Ranking = {
  k1: 1.2,
  title: { weight: 1, b: 0.75 },
  heading: { weight: 1, b: 0.75 },
  body: { weight: 1, b: 0.75 },
  synonyms: 0,
  titleMatch: 0,
};
