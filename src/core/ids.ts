import crypto from 'node:crypto';
import { BosunError } from './errors.js';

export function newId(): string {
  return crypto.randomUUID();
}

export function sha256(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

const slugPattern = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Slugs name libraries, projects and agents: lowercase, digits, `.`, `_`, `-`. */
export function assertSlug(value: string, what: string): string {
  if (!slugPattern.test(value)) {
    throw new BosunError('INVALID_INPUT', `invalid ${what} '${value}'`, {
      hint: `use 1-63 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter or digit`,
    });
  }
  return value;
}
