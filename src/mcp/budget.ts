import { BosunError } from '../core/index.js';

/**
 * Every answer of Bosun's MCP servers fits a token budget: a list that does not fit is cut and
 * continued by a cursor; long text that does not fit is shortened, saying so. Each server says
 * how it counts tokens (the PM server estimates; the docs server counts as its search does).
 */

export type TokenCounter = (text: string) => number;

/** ceil(characters / 4), the usual rule of thumb for English and JSON. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface Answer<S> {
  structured: S;
  text: string;
}

export function answerTokens(answer: Answer<unknown>, count: TokenCounter = estimateTokens): number {
  return count(JSON.stringify(answer.structured)) + count(answer.text);
}

/** A cursor is the offset of the next item, tied to the query it continues. */
interface CursorState {
  offset: number;
  query: string;
}

export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

/** The offset a cursor continues from (0 without one); a cursor of another query is an error. */
export function cursorOffset(cursor: string | undefined, query: string): number {
  if (!cursor) return 0;
  let state: CursorState;
  try {
    state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorState;
  } catch {
    throw new BosunError('INVALID_INPUT', 'the cursor is not one this server gave out', {
      hint: 'call again without a cursor to start from the beginning',
    });
  }
  if (state.query !== query || !Number.isInteger(state.offset) || state.offset < 0) {
    throw new BosunError('INVALID_INPUT', 'the cursor belongs to another query', {
      hint: 'pass the cursor only with the same arguments it came with, or drop it',
    });
  }
  return state.offset;
}

/** Shortens every string longer than `max`, noting how much was left out. */
function shortenStrings(value: unknown, max: number): unknown {
  if (typeof value === 'string')
    return value.length > max ? `${value.slice(0, max)}…[${value.length - max} more characters]` : value;
  if (Array.isArray(value)) return value.map((v) => shortenStrings(v, max));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, shortenStrings(v, max)]),
    );
  }
  return value;
}

/**
 * The longest prefix of `items` (from `offset`) whose answer fits `budget` tokens, with a
 * cursor when items are left. When even one item does not fit, its long strings (and the
 * rest of the answer's) are shortened until it does.
 */
export function fitList<T, S extends object>(
  items: readonly T[],
  options: { offset: number; query: string; budget: number; more?: boolean; count?: TokenCounter },
  build: (shown: readonly T[], nextCursor: string | null) => Answer<S>,
): Answer<S> {
  return fitPrefix(
    items,
    options.budget,
    (shown) => {
      const left = shown.length < items.length || options.more === true;
      return build(shown, left ? encodeCursor({ offset: options.offset + shown.length, query: options.query }) : null);
    },
    options.count,
  );
}

/**
 * The answer for the longest prefix of `items` that fits `budget` tokens (at least one item,
 * its long strings shortened if even it does not fit).
 */
export function fitPrefix<T, S>(
  items: readonly T[],
  budget: number,
  build: (shown: readonly T[]) => Answer<S>,
  count: TokenCounter = estimateTokens,
): Answer<S> {
  const answerFor = (n: number) => build(items.slice(0, n));
  // Usually everything fits (search already fitted its hits): one count instead of a search.
  const whole = answerFor(items.length);
  if (answerTokens(whole, count) <= budget) return whole;
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (answerTokens(answerFor(mid), count) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return fitAnswer(answerFor(Math.max(lo, Math.min(1, items.length))), budget, count);
}

/** Shortens an answer's strings until it fits the budget. */
export function fitAnswer<S>(answer: Answer<S>, budget: number, count: TokenCounter = estimateTokens): Answer<S> {
  let current = answer;
  for (let max = 4000; answerTokens(current, count) > budget && max >= 16; max = Math.floor(max / 2)) {
    current = {
      structured: shortenStrings(answer.structured, max) as S,
      text: shortenStrings(answer.text, max * 2) as string,
    };
  }
  if (answerTokens(current, count) > budget) {
    throw new BosunError('INTERNAL', `the answer does not fit the token budget of ${budget}`, {
      hint: 'pass a larger max_tokens where the tool takes one, or raise mcp.tokenBudget (bosun config set mcp.tokenBudget 8000)',
    });
  }
  return current;
}
