import { sha256 } from '../../core/index.js';

/**
 * Stable ids, derived from what identifies a page or chunk rather than from when it was
 * written, so that an unchanged page keeps its ids across syncs and search results stay citable.
 */

/** First 16 hex digits of sha256(library \0 version \0 path). */
export function pageIdOf(library: string, version: string, path: string): string {
  return sha256(`${library}\u0000${version}\u0000${path}`).slice(0, 16);
}

/**
 * First 24 hex digits of sha256(library \0 version \0 path \0 chunk content hash \0 n), where n
 * counts earlier chunks of the page with the same content hash (repeated boilerplate sections
 * stay distinct). Chunk content hashes cover the heading path and text, so an edit elsewhere in
 * the page leaves this chunk's id alone.
 */
export function chunkIdsOf(library: string, version: string, path: string, contentHashes: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return contentHashes.map((hash) => {
    const n = seen.get(hash) ?? 0;
    seen.set(hash, n + 1);
    return sha256(`${library}\u0000${version}\u0000${path}\u0000${hash}\u0000${n}`).slice(0, 24);
  });
}
