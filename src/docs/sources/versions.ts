import { BosunError } from '../../core/index.js';
import type { SourceDocument } from './types.js';

const versionFolder = /^(v?\d+(\.\d+)*(\.x)?|\d{4}-\d{2}-\d{2}|stable|latest|current|draft|next|main|preview|nightly)$/;

/** The first folder of a path that names a version, and the path without it. */
export function splitVersionFolder(p: string): { version: string; path: string } | undefined {
  const segments = p.split('/');
  const at = segments.slice(0, -1).findIndex((s) => versionFolder.test(s));
  if (at < 0) return undefined;
  const version = segments[at] as string;
  segments.splice(at, 1);
  return { version, path: segments.join('/') };
}

/**
 * `versionsFrom: 'folders'` over any source: a page inside a version folder belongs to that
 * version (the folder leaves its path); a page outside every version folder belongs to every
 * version found, so it is held back until the end and then emitted once per version, except
 * where that version has its own page at the same path. `only` keeps one version.
 */
export async function* versionsFromFolders(
  docs: AsyncIterable<SourceDocument>,
  only: string | undefined,
): AsyncGenerator<SourceDocument> {
  const shared: SourceDocument[] = [];
  const seen = new Map<string, Set<string>>();
  for await (const doc of docs) {
    const split = splitVersionFolder(doc.path);
    if (!split) {
      shared.push(doc);
      continue;
    }
    let paths = seen.get(split.version);
    if (!paths) seen.set(split.version, (paths = new Set()));
    if (only !== undefined && split.version !== only) continue;
    paths.add(split.path);
    yield { ...doc, path: split.path, version: split.version, sourcePath: doc.sourcePath ?? doc.path };
  }
  if (only !== undefined && seen.size > 0 && !seen.has(only)) {
    throw new BosunError('NOT_FOUND', `version folder '${only}' not found`, {
      hint: `versions found: ${[...seen.keys()].sort().join(', ')}`,
    });
  }
  if (seen.size === 0) {
    // No version folders at all: the pages keep the version the source gave them.
    yield* shared.map((doc) => ({ ...doc, version: only ?? doc.version }));
    return;
  }
  for (const [version, paths] of [...seen].sort(([a], [b]) => a.localeCompare(b))) {
    if (only !== undefined && version !== only) continue;
    for (const doc of shared) if (!paths.has(doc.path)) yield { ...doc, version };
  }
}
