import { stemmer } from 'stemmer';
import { stopWords } from './stopwords.js';

/**
 * The one tokenizer of search, for documents and queries alike (a term only matches a term
 * made the same way).
 *
 * Documentation mixes English with code, so a "word" is a run of letters, digits and `_`,
 * possibly joined by `.`, `/`, `:` or `-` (`ducklake_data_file`, `tools/call`, `0.3`,
 * `2025-11-25`, `notifications/tools/list_changed`). Each such compound gives:
 * - the whole, lower-cased and unstemmed, so an exact identifier matches exactly and, being
 *   rare, weighs a lot;
 * - its parts, split at the joiners, at `_`, at camelCase humps and between letters and digits,
 *   each stemmed, so "data file" finds `ducklake_data_file` and "input schema" `inputSchema`.
 * A compound of letters only (a word, or `DuckLake`) is stemmed whole, so that `DuckLake` and
 * "ducklake" meet. A number right after a lone `-` keeps its sign as well (`-32002`), because
 * JSON-RPC error codes are looked up that way.
 * English words are reduced by the Porter stemmer ("snapshots" → "snapshot"); stop words,
 * including the phrasing of questions ("how do I…"), are dropped.
 */

export type IdentifierMode =
  /** Wholes and their parts: what the index uses. */
  | 'whole-and-parts'
  /** Parts only, as a plain word tokenizer would see `ducklake_data_file`: a baseline for the bench. */
  | 'parts-only';

export interface TokenizeOptions {
  identifiers?: IdentifierMode;
}

/** Longer runs are hashes, base64 or minified code: no one searches for them. */
const MAX_TERM_LENGTH = 64;

const joiners = /[./:_-]+/;
/** camelCase humps, acronyms (`HTTPServer` → HTTP, Server), digit runs, and other scripts. */
const partPattern = /\p{Lu}+(?!\p{Ll})|\p{Lu}?\p{Ll}+|\p{N}+|[\p{L}\p{M}]+/gu;
const lettersOnly = /^\p{L}+$/u;
const lowerLettersOnly = /^[a-z]+$/;
const digitsOnly = /^\p{N}+$/u;
// eslint-disable-next-line no-control-regex -- the ASCII range, NUL included
const nonAscii = /[^\x00-\x7f]/;
const combiningMarks = /\p{M}+/gu;

/** `café` → `cafe`: people type queries without accents. Only non-ASCII runs pay for it. */
function foldAccents(word: string): string {
  return nonAscii.test(word) ? word.normalize('NFKD').replace(combiningMarks, '') : word;
}

export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  const keepWholes = (options.identifiers ?? 'whole-and-parts') === 'whole-and-parts';
  const terms: string[] = [];
  forEachCompound(text, (raw, at) => {
    const compound = foldAccents(raw);
    if (lowerLettersOnly.test(compound)) {
      pushWord(terms, compound);
      return;
    }
    if (lettersOnly.test(compound)) {
      // `DuckLake`, `inputSchema`, `Snapshots`: the word stemmed whole, plus its humps.
      const parts = splitParts(compound);
      pushWord(terms, compound.toLowerCase());
      if (parts.length > 1) for (const part of parts) pushWord(terms, part.toLowerCase());
      return;
    }
    const parts = compound.split(joiners).flatMap(splitParts);
    const negative = negativeSign(text, at);
    if (keepWholes && (parts.length > 1 || negative)) pushWhole(terms, compound.toLowerCase(), negative);
    for (const part of parts) pushPart(terms, part.toLowerCase());
  });
  return terms;
}

/** The distinct terms of a query, in order of first appearance. */
export function queryTerms(query: string, options: TokenizeOptions = {}): string[] {
  return [...new Set(tokenize(query, options))];
}

/**
 * Calls `fn` with every run of word characters (letters, digits, `_`) joined by single `.`,
 * `/`, `:` or `-`, and where it starts. A hand-written scan: the regular expression
 * `[\p{L}\p{N}_]+(?:[./:-][\p{L}\p{N}_]+)*` says the same but costs several times more,
 * and indexing tokenizes every chunk of every sync.
 */
function forEachCompound(text: string, fn: (compound: string, at: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isWordChar(text, i)) {
      i++;
      continue;
    }
    const start = i;
    while (i < n) {
      if (isWordChar(text, i)) i++;
      else if (isJoiner(text.charCodeAt(i)) && i + 1 < n && isWordChar(text, i + 1)) i += 2;
      else break;
    }
    fn(text.slice(start, i), start);
  }
}

const otherWordChar = /[\p{L}\p{N}\p{M}]/u;

function isWordChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
  return otherWordChar.test(text[i]!);
}

function isJoiner(c: number): boolean {
  return c === 46 || c === 47 || c === 58 || c === 45;
}

/** Humps, acronyms and digit runs of one segment; a hand-written scan for ASCII, which is nearly all of it. */
function splitParts(segment: string): string[] {
  if (nonAscii.test(segment)) return segment.match(partPattern) ?? [];
  const parts: string[] = [];
  let start = 0;
  for (let i = 1; i <= segment.length; i++) {
    if (i === segment.length || startsPart(segment, i)) {
      if (i > start) parts.push(segment.slice(start, i));
      start = i;
    }
  }
  return parts;
}

/** Whether a new part begins at `i`: `aB`, `ABc` (at the B), `a1`, `1a`. */
function startsPart(s: string, i: number): boolean {
  const prev = charClass(s.charCodeAt(i - 1));
  const cur = charClass(s.charCodeAt(i));
  if (prev === cur) return cur === UPPER && charClass(s.charCodeAt(i + 1)) === LOWER;
  return !(prev === UPPER && cur === LOWER);
}

const LOWER = 0;
const UPPER = 1;
const DIGIT = 2;
const OTHER = 3;

function charClass(c: number): number {
  if (c >= 97 && c <= 122) return LOWER;
  if (c >= 65 && c <= 90) return UPPER;
  if (c >= 48 && c <= 57) return DIGIT;
  return OTHER;
}

function pushWord(terms: string[], word: string): void {
  if (word.length < 2 || word.length > MAX_TERM_LENGTH || stopWords.has(word)) return;
  terms.push(stem(word));
}

function pushWhole(terms: string[], whole: string, negative: boolean): void {
  if (whole.length < MAX_TERM_LENGTH) terms.push(negative ? `-${whole}` : whole);
}

function pushPart(terms: string[], part: string): void {
  if (digitsOnly.test(part)) {
    // Single digits (list markers, `0.3`'s pieces) are noise; the whole keeps them.
    if (part.length >= 2 && part.length <= MAX_TERM_LENGTH) terms.push(part);
    return;
  }
  pushWord(terms, part);
}

/** `-32002`: a lone minus sign right before a number (not a hyphen inside a word). */
function negativeSign(text: string, at: number): boolean {
  if (at < 1 || text[at - 1] !== '-' || !isDigit(text.charCodeAt(at))) return false;
  const before = at >= 2 ? text[at - 2]! : ' ';
  return !/[\p{L}\p{N}_-]/u.test(before);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Porter stems, memoised: a corpus repeats a few thousand words millions of times. The memo
 * is dropped when it grows past a bound, so a stream of unique junk cannot grow it for ever.
 */
const stems = new Map<string, string>();
const MAX_MEMO = 200_000;

function stem(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    if (stems.size >= MAX_MEMO) stems.clear();
    s = stemmer(word);
    stems.set(word, s);
  }
  return s;
}
