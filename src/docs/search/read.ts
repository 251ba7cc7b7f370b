import { countTokens } from '../chunk/index.js';
import { parseDocument, scanBlocks, type Section } from '../parse/index.js';
import { trimToTokens } from './budget.js';
import type { ChunkRecord } from './memory-index.js';

/**
 * Reading a page, or one section of it, a token budget at a time. A page is read chunk by
 * chunk (chunks never cut a code block or a table); a section, block by block. `next_offset`
 * always resumes at such a boundary.
 *
 * Sections come from the page itself, not from chunks: the chunker merges small neighbouring
 * sections into one chunk, so a chunk's heading path can be coarser than the page's headings.
 * A page's chunks joined are its markdown, which parses back into its sections.
 */

export interface PageSection {
  heading: string;
  anchor: string;
  /** 1 for the page's top headings. */
  depth: number;
}

/** A unit of pagination, what separates it from the next one, and the chunks its text comes from. */
export interface Piece {
  text: string;
  separator: string;
  chunkIds: string[];
}

export interface SelectedSection {
  headingPath: string[];
  anchor: string;
  pieces: Piece[];
}

export function pageSections(chunks: readonly ChunkRecord[]): PageSection[] {
  const title = chunks[0]?.title;
  return parsedSections(chunks)
    .filter((s) => s.level > 0)
    .map((s) => {
      const path = s.headingPath[0] === title ? s.headingPath.slice(1) : s.headingPath;
      return { heading: s.headingPath.at(-1) ?? '', anchor: s.anchor, depth: path.length };
    })
    .filter((s) => s.depth > 0);
}

/**
 * One section and its subsections. `section` is a heading's text (any case) or its anchor
 * (with or without `#`). Null when the page has no such heading.
 */
export function selectSection(chunks: readonly ChunkRecord[], section: string): SelectedSection | null {
  const wanted = section.replace(/^#/, '').trim().toLowerCase();
  const sections = parsedSections(chunks);
  const start = sections.findIndex(
    (s) => s.level > 0 && (s.anchor === wanted || (s.headingPath.at(-1) ?? '').trim().toLowerCase() === wanted),
  );
  if (start < 0) return null;
  const head = sections[start]!;
  const within = (s: Section) =>
    s.headingPath.length >= head.headingPath.length && head.headingPath.every((h, i) => s.headingPath[i] === h);
  let end = start + 1;
  while (end < sections.length && within(sections[end]!)) end++;
  const chunkIds = chunks.filter((c) => overlaps(c, head)).map((c) => c.chunk_id);
  const markdown = sections
    .slice(start, end)
    .map((s) => s.markdown)
    .join('\n\n');
  return { headingPath: head.headingPath, anchor: head.anchor, pieces: blockPieces(markdown, chunkIds) };
}

/** A whole page, chunk by chunk. */
export function chunkPieces(chunks: readonly ChunkRecord[]): Piece[] {
  return chunks.map((c) => ({ text: c.text, separator: '\n\n', chunkIds: [c.chunk_id] }));
}

export interface ReadPage {
  chunkIds: string[];
  text: string;
  tokens: number;
  truncated: boolean;
  /** Pieces read so far; null when this read reached the end. */
  nextOffset: number | null;
}

/**
 * Pieces from `offset` while they fit `maxTokens` (all of them without a budget). At least one
 * piece is returned; if even that one does not fit, it is cut and marked truncated.
 */
export function readPieces(pieces: readonly Piece[], offset: number, maxTokens: number | undefined): ReadPage {
  const taken: Piece[] = [];
  let tokens = 0;
  for (const piece of pieces.slice(offset)) {
    const cost = countTokens(piece.text);
    if (maxTokens !== undefined && taken.length > 0 && tokens + cost > maxTokens) break;
    taken.push(piece);
    tokens += cost;
  }
  let text = taken.map((p, i) => (i < taken.length - 1 ? p.text + p.separator : p.text)).join('');
  let truncated = false;
  if (maxTokens !== undefined && tokens > maxTokens) ({ text, tokens, truncated } = trimToTokens(text, maxTokens));
  const end = offset + taken.length;
  return {
    chunkIds: [...new Set(taken.flatMap((p) => p.chunkIds))],
    text,
    tokens,
    truncated,
    nextOffset: end < pieces.length ? end : null,
  };
}

function parsedSections(chunks: readonly ChunkRecord[]): Section[] {
  const first = chunks[0];
  if (!first) return [];
  return parseDocument({ content: chunks.map((c) => c.text).join('\n\n'), format: 'markdown', path: first.path })
    .sections;
}

/** Whether a chunk holds text of the section: it lies inside it, or it is a merged chunk that contains its heading. */
function overlaps(chunk: ChunkRecord, section: Section): boolean {
  const path = chunk.heading_path;
  const inside = path.length >= section.headingPath.length && section.headingPath.every((h, i) => path[i] === h);
  const around =
    path.every((h, i) => section.headingPath[i] === h) && chunk.text.includes(section.headingPath.at(-1) ?? '');
  return inside || around;
}

/**
 * A section's markdown as blocks, each with the blank lines that followed it, so that pieces
 * read in order give back the markdown exactly. A heading travels with the block after it, so
 * no read ends on a bare heading.
 */
function blockPieces(markdown: string, chunkIds: string[]): Piece[] {
  const lines = markdown.split('\n');
  const blocks = scanBlocks(lines);
  const pieces: Piece[] = [];
  let pending = '';
  blocks.forEach((block, i) => {
    const next = blocks[i + 1];
    const text = pending + lines.slice(block.start, block.end).join('\n');
    const separator = next ? '\n'.repeat(next.start - block.end + 1) : '';
    if (block.kind === 'heading' && next) {
      pending = text + separator;
      return;
    }
    pieces.push({ text, separator, chunkIds });
    pending = '';
  });
  return pieces;
}
