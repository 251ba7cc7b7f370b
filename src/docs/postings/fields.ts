import { simhash } from './simhash.js';
import { tokenize, type TokenizeOptions } from './tokenize.js';

/** What indexing needs of a chunk (a `docs.chunks` row has all of it). */
export interface IndexableChunk {
  chunk_id: string;
  path: string;
  title: string;
  heading_path: readonly string[];
  text: string;
}

/**
 * A chunk's terms, stored chunk by chunk in `docs.chunk_terms` (the postings of the index):
 * `terms[i]` occurs `tf_title[i]` times in the page title, `tf_heading[i]` times in the
 * heading path and `tf_body[i]` times in the text. The lengths are the fields' term counts,
 * which BM25 normalises by.
 */
export interface ChunkTermsRow {
  chunk_id: string;
  terms: string[];
  tf_title: number[];
  tf_heading: number[];
  tf_body: number[];
  title_len: number;
  heading_len: number;
  body_len: number;
  /** SimHash of the body terms (see simhash.ts). */
  simhash: bigint;
}

const TITLE = 0;
const HEADING = 1;
const BODY = 2;

export function chunkTerms(chunk: IndexableChunk, options: TokenizeOptions = {}): ChunkTermsRow {
  const counts = new Map<string, [number, number, number]>();
  const lengths = [0, 0, 0];
  const add = (field: number, terms: string[]) => {
    lengths[field]! += terms.length;
    for (const term of terms) {
      let tf = counts.get(term);
      if (!tf) counts.set(term, (tf = [0, 0, 0]));
      tf[field]!++;
    }
  };
  add(TITLE, tokenize(titleText(chunk), options));
  add(HEADING, tokenize(headingText(chunk), options));
  const body = tokenize(bodyText(chunk.text), options);
  add(BODY, body);

  const row: ChunkTermsRow = {
    chunk_id: chunk.chunk_id,
    terms: [],
    tf_title: [],
    tf_heading: [],
    tf_body: [],
    title_len: lengths[TITLE]!,
    heading_len: lengths[HEADING]!,
    body_len: lengths[BODY]!,
    simhash: simhash(bodyCounts(body)),
  };
  for (const [term, tf] of counts) {
    row.terms.push(term);
    row.tf_title.push(tf[TITLE]);
    row.tf_heading.push(tf[HEADING]);
    row.tf_body.push(tf[BODY]);
  }
  return row;
}

/**
 * The page title, the file name and its folders: the path names the page as well as the title
 * does (`ducklake_snapshot_changes.md`, `maintenance/expire_snapshots.md`), sometimes better.
 */
function titleText(chunk: IndexableChunk): string {
  const segments = chunk.path.split('/');
  const stem = (segments.pop() ?? '').replace(/\.[A-Za-z0-9]+$/, '');
  return [chunk.title, ...(stem === chunk.title || stem === 'index' ? [] : [stem]), ...segments].join('\n');
}

/** The headings above the chunk; the first is left out when it only repeats the page title. */
function headingText(chunk: IndexableChunk): string {
  const path = chunk.heading_path[0] === chunk.title ? chunk.heading_path.slice(1) : chunk.heading_path;
  return path.join('\n');
}

/** Markdown without link destinations and image sources: URLs and relative paths are not what a section is about. */
function bodyText(markdown: string): string {
  return markdown.replace(/\]\([^)\s]*(?:\s+"[^"]*")?\)/g, ']').replace(/<(?:https?|mailto):[^>\s]*>/g, ' ');
}

function bodyCounts(terms: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}
