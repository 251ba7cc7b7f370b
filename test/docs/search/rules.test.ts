import { describe, expect, it } from 'vitest';
import { countTokens } from '../../../src/docs/chunk/index.js';
import { fitToBudget, trimToTokens } from '../../../src/docs/search/budget.js';
import { boostTitleMatches } from '../../../src/docs/search/title-match.js';
import type { ChunkRecord, LibraryVersion } from '../../../src/docs/search/memory-index.js';
import { resolveTargets, type LibraryPolicy } from '../../../src/docs/search/versions.js';

const indexed = (library: string, ...versions: string[]): LibraryVersion[] =>
  versions.map((version, i) => ({ lv: i + 1, library, version, chunks: 10, indexedChunks: 10 }));
const policy = (defaultVersion: string | null, ...deprecated: string[]): LibraryPolicy => ({
  defaultVersion,
  deprecated: new Set(deprecated),
});

describe('which versions a search reads', () => {
  const versions = indexed('lib', 'draft', '1.0', '1.1', '2.0');

  it('the default version when the library has one', () => {
    expect(resolveTargets({}, versions, new Map([['lib', policy('1.0')]])).versions.map((v) => v.version)).toEqual([
      '1.0',
    ]);
  });

  it('no default: the newest version that is not deprecated (a draft is not newest)', () => {
    const targets = resolveTargets({ libraries: ['lib'] }, versions, new Map([['lib', policy(null, '2.0')]]));
    expect(targets.versions.map((v) => v.version)).toEqual(['1.1']);
    expect(targets.notes).toEqual([]);
  });

  it('a default with nothing indexed: the newest documented version', () => {
    expect(resolveTargets({}, versions, new Map([['lib', policy('3.0')]])).versions.map((v) => v.version)).toEqual([
      '2.0',
    ]);
  });

  it('a library the catalog does not know (an exported server) still has a default', () => {
    expect(resolveTargets({}, indexed('solo', '0.9', 'stable'), new Map()).versions.map((v) => v.version)).toEqual([
      'stable',
    ]);
  });

  it('an explicit deprecated version is searched, with a note; all versions on request', () => {
    const old = resolveTargets(
      { libraries: ['lib'], version: '1.0' },
      versions,
      new Map([['lib', policy('2.0', '1.0')]]),
    );
    expect(old.versions.map((v) => v.version)).toEqual(['1.0']);
    expect(old.notes).toEqual(['lib@1.0 is deprecated']);
    expect(resolveTargets({ allVersions: true }, versions, new Map()).versions).toHaveLength(4);
  });

  it('--version without --library searches the libraries that have it, and fails when none does', () => {
    const two = [...indexed('a', '1.0', '2.0'), ...indexed('b', '2.0').map((v) => ({ ...v, lv: 9 }))];
    expect(resolveTargets({ version: '1.0' }, two, new Map()).versions.map((v) => v.library)).toEqual(['a']);
    expect(() => resolveTargets({ version: '9.9' }, two, new Map())).toThrow(/no library has an indexed version '9.9'/);
  });
});

describe('token budgets', () => {
  it('keeps whole hits in order while they fit, and skips those that do not', () => {
    const hits = [{ text: 'alpha '.repeat(10) }, { text: 'beta '.repeat(50) }, { text: 'gamma '.repeat(5) }];
    const fitted = fitToBudget(hits, 20, () => 2);
    expect(fitted.kept.map((h) => h.text)).toEqual([hits[0]!.text, hits[2]!.text]);
    expect(fitted.kept.every((h) => !h.truncated)).toBe(true);
    expect(fitted.omitted).toBe(1);
    expect(fitted.tokens).toBe(2 + 10 + 2 + 5);
  });

  it('cuts a code block at a line and closes its fence', () => {
    const text = [
      'Intro line.',
      '```sql',
      ...Array.from({ length: 50 }, (_, i) => `SELECT ${i} FROM t;`),
      '```',
      'After.',
    ].join('\n');
    const cut = trimToTokens(text, 40);
    expect(cut.truncated).toBe(true);
    expect(cut.tokens).toBeLessThanOrEqual(40);
    expect(countTokens(cut.text)).toBe(cut.tokens);
    expect(cut.text.startsWith('Intro line.\n```sql\nSELECT 0 FROM t;')).toBe(true);
    expect(cut.text.endsWith('\n```')).toBe(true);
  });

  it('cuts one overlong line between words', () => {
    const cut = trimToTokens('word '.repeat(100).trim(), 7);
    expect(cut).toEqual({ text: 'word word word word word word word', tokens: 7, truncated: true });
  });
});

describe('title match', () => {
  const chunk = (doc: number, title: string): ChunkRecord => ({
    doc,
    lv: 1,
    chunk_id: String(doc).padStart(24, '0'),
    page_id: '',
    library: 'l',
    version: 'v',
    path: `${doc}.md`,
    source: `${doc}.md`,
    url: null,
    title,
    heading_path: [],
    anchor: '',
    ordinal: 0,
    text: '',
    tokens: 0,
    simhash: null,
  });

  it('lifts the page whose title the question names over a page that only uses its words more', () => {
    const ranked = [
      { chunk: chunk(1, 'Recommend Issuer Parameter in Auth Responses'), score: 10 },
      { chunk: chunk(2, 'Cancellation'), score: 9.5 },
    ];
    const boosted = boostTitleMatches(
      ranked,
      [
        { term: 'request', weight: 1 },
        { term: 'cancel', weight: 1 },
      ],
      0.1,
    );
    expect(boosted.map((c) => c.chunk.doc)).toEqual([2, 1]);
    expect(boosted[0]!.score).toBeCloseTo(9.5 + 0.1 * 10, 10);
    // A synonym counts for its weight; 0 turns the boost off.
    expect(boostTitleMatches(ranked, [{ term: 'cancel', weight: 0.3 }], 0.1)[0]!.score).toBeCloseTo(10, 10);
    expect(boostTitleMatches(ranked, [{ term: 'cancel', weight: 1 }], 0)).toEqual(ranked);
  });
});
