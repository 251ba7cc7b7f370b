/**
 * A fast token estimate shared by chunking, search budgets and the MCP servers, close to
 * BPE tokenizers (cl100k-like) on prose and code without a vocabulary:
 * - a run of letters, digits and `_` is one token per started 8 characters
 *   (`the` 1, `ducklake_snapshot` 3);
 * - a run of one repeated punctuation character is one token per started 4 (`(` 1, `---` 1);
 * - each CJK character is one token; whitespace is free.
 * It is additive over whitespace: countTokens(a + '\n\n' + b) === countTokens(a) + countTokens(b).
 */
const SPACE = 0;
const WORD = 1;
const PUNCT = 2;
const WIDE = 3;

/** Character classes of ASCII, looked up rather than tested: this loop runs over every chunk. */
const ascii = new Uint8Array(128).fill(PUNCT);
for (let c = 0; c < 128; c++) {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) ascii[c] = WORD;
  else if (c <= 32 || c === 127) ascii[c] = SPACE;
}

function classOf(c: number): number {
  if (c < 128) return ascii[c] as number;
  if (c === 0xa0 || (c >= 0x2000 && c <= 0x200b) || c === 0x3000) return SPACE;
  if ((c >= 0x2e80 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af)) return WIDE;
  if ((c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xffef)) return WIDE;
  if (c >= 0xc0 && c < 0x2000 && c !== 0xd7 && c !== 0xf7) return WORD;
  return PUNCT;
}

export function countTokens(text: string): number {
  let tokens = 0;
  let word = 0;
  let run = 0;
  let runChar = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const kind = classOf(c);
    if (kind === WORD) {
      if (run > 0) {
        tokens += ((run - 1) >> 2) + 1;
        run = 0;
        runChar = -1;
      }
      word++;
      continue;
    }
    if (word > 0) {
      tokens += ((word - 1) >> 3) + 1;
      word = 0;
    }
    if (kind === PUNCT && c === runChar) {
      run++;
      continue;
    }
    if (run > 0) {
      tokens += ((run - 1) >> 2) + 1;
      run = 0;
    }
    if (kind === PUNCT) {
      runChar = c;
      run = 1;
    } else {
      runChar = -1;
      if (kind === WIDE) tokens++;
    }
  }
  if (word > 0) tokens += ((word - 1) >> 3) + 1;
  if (run > 0) tokens += ((run - 1) >> 2) + 1;
  return tokens;
}
