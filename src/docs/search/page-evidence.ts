import type { RankedChunk } from './collapse.js';

/** Other chunks of a page that count: past a few, a long page would win by being long. */
const OTHER_CHUNKS = 3;

/**
 * Page-level evidence: a page several of whose sections match the question is likelier to be
 * about it than a page with one lucky section. Each chunk gains `weight` × the scores of the
 * best few other chunks of its page among the candidates, and the candidates are re-ranked.
 */
export function addPageEvidence(candidates: readonly RankedChunk[], weight: number): RankedChunk[] {
  if (weight === 0) return [...candidates];
  const pages = new Map<string, number[]>();
  for (const c of candidates) {
    const key = `${c.chunk.lv}:${c.chunk.path}`;
    pages.set(key, [...(pages.get(key) ?? []), c.score]);
  }
  return candidates
    .map((c) => {
      const scores = pages.get(`${c.chunk.lv}:${c.chunk.path}`)!;
      const others = [...scores];
      others.splice(others.indexOf(c.score), 1);
      const evidence = others
        .sort((a, b) => b - a)
        .slice(0, OTHER_CHUNKS)
        .reduce((sum, s) => sum + s, 0);
      return { chunk: c.chunk, score: c.score + weight * evidence };
    })
    .sort((a, b) => b.score - a.score || a.chunk.doc - b.chunk.doc);
}

/**
 * A section prior: a page's opening section (the text under its title, before the first
 * heading below it) says what the page is about, so it gains `weight` × the best candidate's
 * score — on the scale of this query's scores, like the title match. A question in the
 * user's words matches a page's overview more often than one of its details.
 */
export function boostPageOpenings(candidates: readonly RankedChunk[], weight: number): RankedChunk[] {
  const top = candidates[0]?.score ?? 0;
  if (weight === 0 || top === 0) return [...candidates];
  return candidates
    .map((c) => ({ chunk: c.chunk, score: c.score + (c.chunk.ordinal === 0 ? weight * top : 0) }))
    .sort((a, b) => b.score - a.score || a.chunk.doc - b.chunk.doc);
}
