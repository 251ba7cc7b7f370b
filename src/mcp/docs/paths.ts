import { BosunError } from '../../core/index.js';

/**
 * Page paths as callers give them. Pages live in the index, not on a file system, so nothing
 * can be reached outside a library; still, a path that climbs (`../`) is a mistake or a probe,
 * and the caller hears so plainly instead of getting "nearest matches" for it.
 */
export function checkedPagePath(input: string): string {
  if (input.includes('\0')) throw new BosunError('INVALID_INPUT', 'a page path must not contain NUL bytes');
  const segments = input.split(/[\\/]/).map(decodeSegment);
  if (segments.some((s) => s === '..')) {
    throw new BosunError(
      'INVALID_INPUT',
      `'${input}' climbs out of the library with '..': page paths are relative to the library's root`,
      {
        hint: 'use a path as search_docs or get_outline give it, e.g. guide/install.md',
      },
    );
  }
  return input;
}

/** A segment as it reads once percent-decoded (`%2e%2e` is `..` too); undecodable ones as given. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
