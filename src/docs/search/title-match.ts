import { tokenize, type TokenizeOptions } from '../postings/tokenize.js';
import type { RankedChunk } from './collapse.js';
import type { QueryTerm } from './memory-index.js';

/**
 * Re-ranks the best chunks by how much of their page's title the question names: a page
 * titled "Cancellation" is about cancelling, and a question that names all of a title is
 * usually asking for that page, even when longer pages use the question's words more often.
 * A chunk gains `weight` × (share of its page title's terms in the query, a synonym counting
 * for its weight) × the best score,
 * so the boost is on the scale of this query's scores whatever their size.
 */
export function boostTitleMatches(
  candidates: readonly RankedChunk[],
  queryTerms: readonly QueryTerm[],
  weight: number,
  options: TokenizeOptions = {},
): RankedChunk[] {
  const top = candidates[0]?.score ?? 0;
  if (weight === 0 || top === 0) return [...candidates];
  const asked = new Map(queryTerms.map((t) => [t.term, t.weight]));
  const coverage = new Map<string, number>();
  const covered = (title: string) => {
    let share = coverage.get(title);
    if (share === undefined) {
      const terms = [...new Set(tokenize(title, options))];
      share = terms.length ? terms.reduce((sum, t) => sum + (asked.get(t) ?? 0), 0) / terms.length : 0;
      coverage.set(title, share);
    }
    return share;
  };
  return candidates
    .map((c) => ({ chunk: c.chunk, score: c.score + weight * covered(c.chunk.title) * top }))
    .sort((a, b) => b.score - a.score || a.chunk.doc - b.chunk.doc);
}
