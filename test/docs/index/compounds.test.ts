import { describe, expect, it } from 'vitest';
import { compoundTerms } from '../../../src/docs/index/compounds.js';
import { tokenize } from '../../../src/docs/index/tokenize.js';

describe('words a question splits that documentation writes as one', () => {
  it('joins adjacent words into the term the tokenizer makes of the one word', () => {
    expect(compoundTerms('how should the client shut down a stdio server?')).toEqual(expect.arrayContaining(['shutdown']));
    expect(compoundTerms('back up the catalog')).toEqual(['backup']);
    // The joined word is tokenized like a document's: `toolCall` in a page is `toolcal` (stemmed whole) there too.
    expect(compoundTerms('tool call')).toEqual(tokenize('toolCall').slice(0, 1));
  });

  it('skips stop words, one-letter words and words apart by more than white space', () => {
    expect(compoundTerms('what is the way to a cursor')).toEqual([]);
    expect(compoundTerms('shut, down')).toEqual([]);
    // A hyphenated word is already one term of the tokenizer's (`read-only`); it is not joined again.
    expect(compoundTerms('set-up')).toEqual([]);
    expect(compoundTerms('')).toEqual([]);
  });
});
