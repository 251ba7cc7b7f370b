import { tokenize } from '../text.js';

/**
 * Text match between a task and the skills: BM25 over each skill's name, description, tags and
 * examples. Bosun's documentation search has its own BM25 in docs/; this small scorer sits behind
 * `TextScorer` so routing can switch to that one without other changes.
 */
export interface TextMatch {
  score: number;
  /** The task's words that matched, as the task wrote them, in order of first use. */
  terms: string[];
}

export interface TextScorer {
  /** Scores every document for the query; documents without a matching term are absent. */
  score(query: string): Map<string, TextMatch>;
}

const K1 = 1.2;
const B = 0.75;

/** A BM25 index over short documents (one per skill), built once per registry. */
export function createTextScorer(documents: { key: string; text: string }[]): TextScorer {
  const docs = documents.map((d) => {
    const tf = new Map<string, number>();
    const tokens = tokenize(d.text);
    for (const t of tokens) tf.set(t.key, (tf.get(t.key) ?? 0) + 1);
    return { key: d.key, tf, length: tokens.length };
  });
  const avgLength = docs.reduce((sum, d) => sum + d.length, 0) / Math.max(1, docs.length);
  const df = new Map<string, number>();
  for (const d of docs) for (const term of d.tf.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const idf = (term: string) => {
    const n = df.get(term) ?? 0;
    return Math.log(1 + (docs.length - n + 0.5) / (n + 0.5));
  };

  return {
    score(query: string): Map<string, TextMatch> {
      const seen = new Map<string, string>();
      for (const t of tokenize(query)) if (!seen.has(t.key)) seen.set(t.key, t.word);
      const results = new Map<string, TextMatch>();
      for (const d of docs) {
        let score = 0;
        const terms: string[] = [];
        for (const [key, word] of seen) {
          const f = d.tf.get(key);
          if (!f) continue;
          score += idf(key) * ((f * (K1 + 1)) / (f + K1 * (1 - B + (B * d.length) / avgLength)));
          terms.push(word);
        }
        if (terms.length) results.set(d.key, { score, terms });
      }
      return results;
    },
  };
}
