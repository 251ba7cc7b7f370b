import { readPath } from './expressions.js';
import type { AcceptanceCheck } from './tasks.js';

/**
 * Evaluates a task's machine-checkable acceptance criteria against a result's outputs; returns
 * what failed, in words. Criteria written as plain text are for the person or assistant doing
 * the task and are not evaluated.
 */
export function failedAcceptance(
  checks: readonly AcceptanceCheck[] | undefined,
  outputs: Record<string, unknown>,
): string[] {
  const failures: string[] = [];
  for (const check of checks ?? []) {
    if (typeof check === 'string') continue;
    const actual = readPath(outputs, check.output);
    const expected = check.value;
    const ok = (() => {
      switch (check.op) {
        case 'exists':
          return actual !== undefined && actual !== null;
        case 'eq':
          return actual === expected;
        case 'gt':
          return typeof actual === 'number' && typeof expected === 'number' && actual > expected;
        case 'gte':
          return typeof actual === 'number' && typeof expected === 'number' && actual >= expected;
        case 'lt':
          return typeof actual === 'number' && typeof expected === 'number' && actual < expected;
        case 'lte':
          return typeof actual === 'number' && typeof expected === 'number' && actual <= expected;
      }
    })();
    if (!ok) {
      const wanted = check.op === 'exists' ? 'to exist' : `${check.op} ${JSON.stringify(expected)}`;
      failures.push(
        `${check.description ?? `outputs.${check.output}`}: expected outputs.${check.output} ${wanted}, got ${JSON.stringify(actual ?? null)}`,
      );
    }
  }
  return failures;
}
