import { stemmer } from 'stemmer';

/** Words for matching: routing's BM25 and the YouTube agent's extractive summary share them. */

const STOPWORDS = new Set(
  `a an and are as at be but by for from has have how i in into is it its me my of on or our please so that the their them
   then there these this to us was we what when where which who will with you your can could should would do does done get
   make run using use via about all any some new one two out up down over each per also just need needs want`.split(
    /\s+/,
  ),
);

export interface Token {
  key: string;
  word: string;
}

/**
 * Lowercase words, stop words dropped, then a deliberately coarse stem: Porter's stem with a
 * final "i" read as "y", cut to six letters, so that summary/summarise/summarize,
 * transcribe/transcript and deploy/deployment meet on one key.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    if (STOPWORDS.has(word) || (word.length < 2 && !/\d/.test(word))) continue;
    const stem = stemmer(word).replace(/i$/, 'y');
    tokens.push({ key: stem.slice(0, 6), word });
  }
  return tokens;
}
