/**
 * The documentation corpus in the lake: one row per page (its full markdown) and one per chunk.
 * Search (docs/postings, docs/search) and the MCP servers read these columns by name; a change
 * here is a change of contract. Rows of one library version are replaced page by page on sync
 * (delete by page_id, append), so a page's rows always come from one fetch.
 */

export const DOCS_SCHEMA = 'docs';
export const PAGES_TABLE = 'docs.pages';
export const CHUNKS_TABLE = 'docs.chunks';

/** Column name → DuckDB type. */
export type ColumnDefinitions = readonly (readonly [name: string, type: string])[];

/** The lake's column definitions for a table of ours. */
export const toDefinitions = (columns: ColumnDefinitions) => columns.map(([name, type]) => ({ name, type }));

export const pageColumns: ColumnDefinitions = [
  ['library', 'VARCHAR'],
  ['version', 'VARCHAR'],
  /** First 16 hex of sha256(library \0 version \0 path). */
  ['page_id', 'VARCHAR'],
  /** Relative to the source root without the version folder; for the web, relative to the crawl scope. */
  ['path', 'VARCHAR'],
  /** The page's URL when it came from the web (null for files). */
  ['url', 'VARCHAR'],
  ['title', 'VARCHAR'],
  ['description', 'VARCHAR'],
  /** The whole page as normalised markdown. */
  ['markdown', 'VARCHAR'],
  /** sha256 of the raw content as fetched. */
  ['content_hash', 'VARCHAR'],
  /** When this content was fetched (a later sync that finds it unchanged does not rewrite it). */
  ['fetched_at', 'TIMESTAMPTZ'],
  /** Where it came from (store/source.ts): its URL, or its path in the source as found; null in rows written before. */
  ['source', 'VARCHAR'],
];

export const chunkColumns: ColumnDefinitions = [
  /** First 24 hex of sha256(library \0 version \0 path \0 content_hash \0 n): stable while the chunk is. */
  ['chunk_id', 'VARCHAR'],
  ['page_id', 'VARCHAR'],
  ['library', 'VARCHAR'],
  ['version', 'VARCHAR'],
  ['path', 'VARCHAR'],
  ['url', 'VARCHAR'],
  /** The page title. */
  ['title', 'VARCHAR'],
  /** Headings from the top of the page down to the chunk's section. */
  ['heading_path', 'VARCHAR[]'],
  /** The section's anchor (GitHub-style slug, '' before the first heading). */
  ['anchor', 'VARCHAR'],
  /** Position in the page, from 0. */
  ['ordinal', 'INTEGER'],
  ['text', 'VARCHAR'],
  ['tokens', 'INTEGER'],
  /** sha256 of heading path and text. */
  ['content_hash', 'VARCHAR'],
  /** The page's source, a URL with the section's anchor (store/source.ts); null in rows written before. */
  ['source', 'VARCHAR'],
];

/** A row of docs.pages. */
export type PageRow = {
  library: string;
  version: string;
  page_id: string;
  path: string;
  url: string | null;
  title: string;
  description: string | null;
  markdown: string;
  content_hash: string;
  fetched_at: Date;
  source: string;
};

/** A row of docs.chunks. */
export type ChunkRow = {
  chunk_id: string;
  page_id: string;
  library: string;
  version: string;
  path: string;
  url: string | null;
  title: string;
  heading_path: string[];
  anchor: string;
  ordinal: number;
  text: string;
  tokens: number;
  content_hash: string;
  source: string;
};
