import { isNearDuplicate } from '../postings/simhash.js';
import type { ChunkRecord } from './memory-index.js';

export interface RankedChunk {
  chunk: ChunkRecord;
  score: number;
}

/** One hit in the making: a run of adjacent chunks of one page, and the copies it stands for. */
export interface HitGroup {
  /** The best-ranked chunk, whose id the hit carries. */
  best: ChunkRecord;
  score: number;
  /** In page order. */
  chunks: ChunkRecord[];
  /** Near-duplicates found elsewhere (other versions or pages), best first. */
  duplicates: ChunkRecord[];
}

/**
 * Turns a ranked list of chunks into at most `limit` hits, in rank order:
 * - a chunk that nearly duplicates one already taken (same section in another version or
 *   page) becomes a note on that hit instead of a hit of its own;
 * - a chunk next to a taken chunk of the same page joins its hit, so a section cut in two by
 *   the chunker comes back whole, once;
 * - one hit per page first, so ten hits are ten places to look; further hits from pages
 *   already shown fill what is left (a search inside one page still returns its sections).
 */
export function groupHits(ranked: readonly RankedChunk[], limit: number): HitGroup[] {
  const groups: HitGroup[] = [];
  const later: RankedChunk[] = [];
  for (const candidate of ranked) {
    if (absorbed(groups, candidate.chunk)) continue;
    if (groups.length === limit) break;
    if (groups.some((g) => samePage(g.best, candidate.chunk))) later.push(candidate);
    else groups.push(newGroup(candidate));
  }
  for (const candidate of later) {
    if (groups.length === limit) break;
    if (!absorbed(groups, candidate.chunk)) groups.push(newGroup(candidate));
  }
  return groups;
}

/** Adds the chunk to the hit it duplicates or continues; false when it is a hit of its own. */
function absorbed(groups: HitGroup[], chunk: ChunkRecord): boolean {
  const original = groups.find((g) => g.chunks.some((c) => sameContent(c, chunk)));
  if (original) {
    original.duplicates.push(chunk);
    return true;
  }
  const neighbour = groups.find((g) => adjacent(g, chunk));
  if (neighbour) {
    neighbour.chunks = [...neighbour.chunks, chunk].sort((a, b) => a.ordinal - b.ordinal);
    return true;
  }
  return false;
}

function newGroup({ chunk, score }: RankedChunk): HitGroup {
  return { best: chunk, score, chunks: [chunk], duplicates: [] };
}

function samePage(a: ChunkRecord, b: ChunkRecord): boolean {
  return a.lv === b.lv && a.path === b.path;
}

function sameContent(a: ChunkRecord, b: ChunkRecord): boolean {
  if (a.simhash !== null && b.simhash !== null) return isNearDuplicate(a.simhash, b.simhash);
  return a.text === b.text;
}

function adjacent(group: HitGroup, chunk: ChunkRecord): boolean {
  const first = group.chunks[0]!;
  const last = group.chunks.at(-1)!;
  return samePage(first, chunk) && (chunk.ordinal === first.ordinal - 1 || chunk.ordinal === last.ordinal + 1);
}
