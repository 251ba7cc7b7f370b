import { stopWords } from './stopwords.js';
import { tokenize, type TokenizeOptions } from './tokenize.js';

/**
 * Words a question splits that documentation writes as one: "shut down" for `Shutdown`, "set
 * up" for `setup`, "back up" for `backup`, "time out" for `timeout`, "file name" for
 * `filename`, "tool call" for `toolCall`. Each pair of adjacent words (letters only, apart
 * by white space, neither a stop word) gives the term their concatenation makes, which a
 * search adds at a lower weight (Ranking.compounds): a pair that is no word of the corpus
 * matches nothing and costs nothing.
 */
export function compoundTerms(query: string, options: TokenizeOptions = {}): string[] {
  const terms = new Set<string>();
  const words = [...query.matchAll(/\p{L}+/gu)];
  for (let i = 1; i < words.length; i++) {
    const [first, second] = [words[i - 1]!, words[i]!];
    const between = query.slice(first.index + first[0].length, second.index);
    if (!/^\s+$/.test(between) || !joinable(first[0]) || !joinable(second[0])) continue;
    for (const term of tokenize((first[0] + second[0]).toLowerCase(), options)) terms.add(term);
  }
  return [...terms];
}

function joinable(word: string): boolean {
  return word.length >= 2 && !stopWords.has(word.toLowerCase());
}
