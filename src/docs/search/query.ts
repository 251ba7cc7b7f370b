import { compoundTerms } from '../index/compounds.js';
import { expandWithSynonyms } from '../index/synonyms.js';
import type { TokenizeOptions } from '../index/tokenize.js';
import type { QueryTerm } from './memory-index.js';
import type { Ranking } from './ranking.js';

/**
 * What a search looks for: the query's terms at weight 1, their synonyms and the words that
 * adjacent query words make together at the lower weights the ranking gives them. Compounds
 * come from `compoundsOf`, the query's text (empty when a long query was cut to its rarest
 * terms: a pasted log's word pairs are not what anyone asks about).
 */
export function weightedTerms(terms: readonly string[], ranking: Ranking, compoundsOf: string, options: TokenizeOptions = {}): QueryTerm[] {
  const weighted = ranking.synonyms > 0 ? expandWithSynonyms(terms, ranking.synonyms) : terms.map((term) => ({ term, weight: 1 }));
  if (ranking.compounds > 0) {
    const seen = new Set(weighted.map((t) => t.term));
    for (const term of compoundTerms(compoundsOf, options)) {
      if (!seen.has(term)) weighted.push({ term, weight: ranking.compounds });
      seen.add(term);
    }
  }
  return weighted;
}
