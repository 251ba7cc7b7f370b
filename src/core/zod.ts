import type { z } from 'zod';
import { BosunError, type ErrorCode } from './errors.js';

/** Renders zod issues as `key.path: message` lines a person can act on. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.length ? issue.path.join('.') : '(root)';
      return `${key}: ${issue.message}`;
    })
    .join('; ');
}

/** Validates external input; a failure becomes a BosunError naming each bad key. */
export function parseWith<T extends z.ZodTypeAny>(
  schema: T,
  value: unknown,
  what: string,
  code: ErrorCode = 'INVALID_INPUT',
  hint?: string,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data as z.infer<T>;
  return failValidation(what, result.error, code, hint);
}

function failValidation(what: string, error: z.ZodError, code: ErrorCode, hint?: string): never {
  throw new BosunError(code, `invalid ${what}: ${formatZodIssues(error)}`, {
    hint,
    details: { issues: error.issues },
  });
}
