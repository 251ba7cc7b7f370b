import { z } from 'zod';
import { countTokens } from '../../docs/format.js';
import { fitList, fitPrefix, type Answer } from '../budget.js';

/**
 * Token budgets of the docs server's answers. Tokens are counted as search counts them
 * (docs/chunk's countTokens) over the whole answer: the structured content as JSON plus the
 * text part, which both carry the documentation text.
 */

/**
 * No call may ask for more than this: Claude Code cuts MCP tool results above 25,000 tokens
 * by default (MAX_MCP_OUTPUT_TOKENS), and other clients pay as dearly.
 */
export const TOKEN_CEILING = 25_000;
/** The least a call may ask for: less cannot hold a citation and some text. */
export const TOKEN_FLOOR = 200;

export class AnswerBudget {
  /** The most a call may ask for: the ceiling, or the configured default when that is higher. */
  readonly ceiling: number;

  constructor(readonly standard: number) {
    this.ceiling = Math.max(standard, TOKEN_CEILING);
  }

  /** The `max_tokens` parameter of every tool. */
  get parameter() {
    return z
      .number()
      .int()
      .min(TOKEN_FLOOR)
      .max(this.ceiling)
      .optional()
      .describe(`the most tokens the answer may take (default ${this.standard}, at most ${this.ceiling})`);
  }

  of(maxTokens: number | undefined): number {
    return maxTokens ?? this.standard;
  }
}

/** fitPrefix, counting tokens as the docs server does. */
export function fitDocsPrefix<T, S>(
  items: readonly T[],
  budget: number,
  build: (shown: readonly T[]) => Answer<S>,
): Answer<S> {
  return fitPrefix(items, budget, build, countTokens);
}

/** fitList, counting tokens as the docs server does. */
export function fitDocsList<T, S extends object>(
  items: readonly T[],
  options: { offset: number; query: string; budget: number },
  build: (shown: readonly T[], nextCursor: string | null) => Answer<S>,
): Answer<S> {
  return fitList(items, { ...options, count: countTokens }, build);
}
