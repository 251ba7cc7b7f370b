import { countTokens } from '../chunk/tokens.js';
import { closesFence, closingLine, openFence, type Fence } from '../parse/fence.js';

/**
 * Token budgets: assistants pay for every token, so an answer given a budget must fit it,
 * whole. A hit either fits entirely or is left out (later, smaller hits may still fit); only
 * when not even the best hit fits is it cut, at a line boundary, so the answer is never empty
 * for want of room.
 */

export interface Budgeted {
  text: string;
}

export interface BudgetResult<T> {
  kept: T[];
  /** Hits left out because they did not fit. */
  omitted: number;
  tokens: number;
}

/**
 * Keeps hits in order while they fit `maxTokens`, counting each hit's text and its citation
 * (`overhead`). Returns the hits (the first possibly cut, with `truncated: true`).
 */
export function fitToBudget<T extends Budgeted>(
  hits: readonly T[],
  maxTokens: number,
  overhead: (hit: T) => number,
): BudgetResult<T & { truncated: boolean }> {
  const kept: (T & { truncated: boolean })[] = [];
  let used = 0;
  for (const hit of hits) {
    const cost = overhead(hit) + countTokens(hit.text);
    if (used + cost <= maxTokens) {
      kept.push({ ...hit, truncated: false });
      used += cost;
    }
  }
  const first = hits[0];
  if (kept.length === 0 && first) {
    const room = maxTokens - overhead(first);
    const cut = trimToTokens(first.text, Math.max(room, 0));
    kept.push({ ...first, text: cut.text, truncated: true });
    used = overhead(first) + cut.tokens;
  }
  return { kept, omitted: hits.length - kept.length, tokens: used };
}

export interface Trimmed {
  text: string;
  tokens: number;
  truncated: boolean;
}

/**
 * The longest prefix of whole lines within `maxTokens` (a single overlong line is cut between
 * words). A cut inside a fenced code block closes the fence, so the markdown stays valid.
 */
export function trimToTokens(text: string, maxTokens: number): Trimmed {
  const total = countTokens(text);
  if (total <= maxTokens) return { text, tokens: total, truncated: false };
  const kept: string[] = [];
  let used = 0;
  let fence: Fence | null = null;
  for (const line of text.split('\n')) {
    const after: Fence | null = fence ? (closesFence(line, fence) ? null : fence) : openFence(line);
    // Room must remain to close a fence left open after this line.
    const closing = after ? countTokens(closingLine(after)) : 0;
    const cost = countTokens(line);
    if (used + cost + closing > maxTokens) {
      if (kept.length === 0) return cutWords(line, maxTokens);
      if (fence) kept.push(closingLine(fence));
      return { text: kept.join('\n'), tokens: used + (fence ? countTokens(closingLine(fence)) : 0), truncated: true };
    }
    kept.push(line);
    used += cost;
    fence = after;
  }
  return { text: kept.join('\n'), tokens: used, truncated: true };
}

function cutWords(line: string, maxTokens: number): Trimmed {
  const words = line.split(/(\s+)/);
  let text = '';
  for (const word of words) {
    if (countTokens(text + word) > maxTokens) break;
    text += word;
  }
  return { text: text.trimEnd(), tokens: countTokens(text), truncated: true };
}
