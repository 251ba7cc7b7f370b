import { countTokens } from '../chunk/index.js';
import { trimToTokens } from './budget.js';
import type { ChunkRecord } from './memory-index.js';

/**
 * Reading a page, or one section of it, in pages of a token budget. The unit of pagination is
 * the chunk (a section or a part of one, never cutting a code block), so `next_offset` always
 * resumes at a clean boundary.
 */

export interface PageSection {
  heading: string;
  anchor: string;
  /** 1 for the page's top headings. */
  depth: number;
}

/** The page's sections in order (the first heading is skipped when it repeats the page title). */
export function pageSections(chunks: readonly ChunkRecord[]): PageSection[] {
  const seen = new Set<string>();
  const sections: PageSection[] = [];
  for (const c of chunks) {
    const path = c.heading_path[0] === c.title ? c.heading_path.slice(1) : c.heading_path;
    const heading = path.at(-1);
    if (heading === undefined || seen.has(c.anchor)) continue;
    seen.add(c.anchor);
    sections.push({ heading, anchor: c.anchor, depth: path.length });
  }
  return sections;
}

/**
 * The chunks of one section and its subsections. `section` is a heading's text (any case) or
 * its anchor (with or without `#`). Null when the page has no such heading.
 */
export function sectionChunks(chunks: readonly ChunkRecord[], section: string): ChunkRecord[] | null {
  const wanted = section.replace(/^#/, '').trim().toLowerCase();
  const byHeading = (c: ChunkRecord) => c.heading_path.findIndex((h) => h.trim().toLowerCase() === wanted);
  let prefix: string[] | null = null;
  for (const c of chunks) {
    if (c.anchor === wanted) prefix = c.heading_path;
    else if (byHeading(c) >= 0) prefix = c.heading_path.slice(0, byHeading(c) + 1);
    if (prefix) break;
  }
  if (!prefix) return null;
  const within = prefix;
  return chunks.filter((c) => within.every((h, i) => c.heading_path[i] === h));
}

export interface ReadPage {
  chunks: ChunkRecord[];
  text: string;
  tokens: number;
  truncated: boolean;
  /** Where the next read starts; null when this one reached the end. */
  nextOffset: number | null;
}

/**
 * Chunks from `offset` while they fit `maxTokens` (all of them without a budget). At least
 * one chunk is returned; if even that does not fit, it is cut and marked truncated.
 */
export function readChunks(chunks: readonly ChunkRecord[], offset: number, maxTokens: number | undefined): ReadPage {
  const rest = chunks.slice(offset);
  const taken: ChunkRecord[] = [];
  let tokens = 0;
  for (const chunk of rest) {
    const cost = countTokens(chunk.text);
    if (maxTokens !== undefined && taken.length > 0 && tokens + cost > maxTokens) break;
    taken.push(chunk);
    tokens += cost;
  }
  let text = taken.map((c) => c.text).join('\n\n');
  let truncated = false;
  if (maxTokens !== undefined && tokens > maxTokens) {
    const cut = trimToTokens(text, maxTokens);
    ({ text, tokens, truncated } = cut);
  }
  const end = offset + taken.length;
  return { chunks: taken, text, tokens, truncated, nextOffset: end < chunks.length ? end : null };
}
