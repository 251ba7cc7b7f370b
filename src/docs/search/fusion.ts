import type { Scored } from './memory-index.js';

/**
 * Reciprocal rank fusion (Cormack et al., 2009): each list gives a document 1 / (k + rank);
 * the sums rank the fused list. It needs no calibration between BM25 scores and cosine
 * similarities, which live on unrelated scales; k = 60 is the paper's constant, which damps
 * the difference between the first few ranks of any one list.
 */
export function reciprocalRankFusion(lists: readonly (readonly Scored[])[], k = 60): Scored[] {
  const fused = new Map<number, number>();
  for (const list of lists) {
    list.forEach((item, rank) => fused.set(item.doc, (fused.get(item.doc) ?? 0) + 1 / (k + rank + 1)));
  }
  return [...fused].map(([doc, score]) => ({ doc, score })).sort((a, b) => b.score - a.score || a.doc - b.doc);
}
