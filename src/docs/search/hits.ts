import { countTokens } from '../chunk/tokens.js';
import type { HitGroup } from './collapse.js';

/** Where else a collapsed near-duplicate appears. */
export interface HitCopy {
  library: string;
  version: string;
  path: string;
  chunk_id: string;
}

/** One search result: a chunk (or a run of adjacent chunks of one page) with its citation. */
export interface Hit {
  rank: number;
  /** The best-matching chunk: `bosun docs read <library> <chunk_id>` expands it. */
  chunk_id: string;
  /** Every chunk merged into this hit, in page order. */
  chunk_ids: string[];
  library: string;
  version: string;
  /** The page's path relative to its source root (or its URL path for web sources). */
  path: string;
  /** The page's URL with the section's anchor, when the page came from the web. */
  url?: string;
  /**
   * Where to open it: the URL with the section's anchor (web, llms.txt, OpenAPI), or the file's
   * path relative to the source root as found there (with its version folder).
   */
  source: string;
  title: string;
  heading_path: string[];
  anchor: string;
  score: number;
  /** The chunk's markdown, or the part that fits the token budget. */
  text: string;
  tokens: number;
  /** Cut to fit the budget. */
  truncated: boolean;
  snapshot_id: number;
  /** Near-duplicates collapsed into this hit (the same section in other versions or pages). */
  also_in: HitCopy[];
}

export function toHit(group: HitGroup, rank: number, snapshotId: number): Hit {
  const first = group.chunks[0]!;
  const text = group.chunks.map((c) => c.text).join('\n\n');
  const url = first.url ? (first.anchor ? `${first.url.replace(/#.*$/, '')}#${first.anchor}` : first.url) : undefined;
  return {
    rank,
    chunk_id: group.best.chunk_id,
    chunk_ids: group.chunks.map((c) => c.chunk_id),
    library: first.library,
    version: first.version,
    path: first.path,
    ...(url ? { url } : {}),
    source: first.source,
    title: first.title,
    heading_path: first.heading_path,
    anchor: first.anchor,
    score: Math.round(group.score * 10_000) / 10_000,
    text,
    tokens: countTokens(text),
    truncated: false,
    snapshot_id: snapshotId,
    also_in: group.duplicates.map((d) => ({
      library: d.library,
      version: d.version,
      path: d.path,
      chunk_id: d.chunk_id,
    })),
  };
}

/** `library@version path › heading › subheading`: how a hit is cited. */
export function citation(hit: Pick<Hit, 'library' | 'version' | 'path' | 'heading_path'>): string {
  return [`${hit.library}@${hit.version} ${hit.path}`, ...hit.heading_path].join(' › ');
}

/** What a hit costs beyond its text: its citation and the fields around it. */
export function citationTokens(hit: Pick<Hit, 'library' | 'version' | 'path' | 'heading_path'>): number {
  return countTokens(citation(hit)) + CITATION_FRAME_TOKENS;
}

/** Rank, chunk id and punctuation of a rendered hit. */
const CITATION_FRAME_TOKENS = 8;
