import { z } from 'zod';
import { parseWith, sha256 } from '../../core/index.js';
import type { ParsedDocument } from '../parse/index.js';
import { mergeSmall, type Piece } from './merge.js';
import { splitMarkdown } from './split.js';
import { countTokens } from './tokens.js';

/**
 * A chunk is a section, a part of a long section, or a few tiny neighbouring sections.
 * Its text is the sections' own markdown (no added context line); the heading path and page
 * title travel beside it.
 */
export interface Chunk {
  /** Position in the page, from 0. */
  ordinal: number;
  headingPath: string[];
  anchor: string;
  /** The page title. */
  title: string;
  text: string;
  tokens: number;
  /** sha256 of the heading path and text: the basis for chunk ids that survive re-syncs. */
  contentHash: string;
}

export const chunkOptionsSchema = z
  .object({
    maxTokens: z.number().int().min(32).default(400),
    minTokens: z.number().int().min(0).default(40),
  })
  .refine((o) => o.minTokens < o.maxTokens, { message: 'minTokens must be below maxTokens', path: ['minTokens'] });
export type ChunkOptions = z.input<typeof chunkOptionsSchema>;

/** How far past maxTokens one code block or table may go before it is cut at line boundaries. */
const oversizeFactor = 4;

export function chunkDocument(doc: ParsedDocument, options: ChunkOptions = {}): Chunk[] {
  const { maxTokens, minTokens } = parseWith(chunkOptionsSchema, options, 'chunk options');
  const limits = { maxTokens, hardLimit: maxTokens * oversizeFactor };
  const pieces: Piece[] = [];
  for (const section of doc.sections) {
    const { headingPath, anchor } = section;
    const tokens = countTokens(section.markdown);
    if (tokens <= maxTokens) {
      pieces.push({ headingPath, anchor, text: section.markdown, tokens });
      continue;
    }
    for (const part of splitMarkdown(section.markdown, limits)) pieces.push({ headingPath, anchor, ...part });
  }
  return mergeSmall(pieces, minTokens, maxTokens).map((piece, ordinal) => ({
    ordinal,
    headingPath: piece.headingPath,
    anchor: piece.anchor,
    title: doc.title,
    text: piece.text,
    tokens: piece.tokens,
    // Control characters separate the parts: they never occur in headings or markdown text.
    contentHash: sha256(`${piece.headingPath.join('\u001f')}\u001e${piece.text}`),
  }));
}
