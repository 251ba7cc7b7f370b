import { chunkDocument } from '../chunk/index.js';
import { parseDocument } from '../parse/index.js';
import type { DocFormat } from '../sources/index.js';
import { chunkIdsOf, pageIdOf, type ChunkRow, type PageRow } from '../store/index.js';
import type { PageLink } from './cross-references.js';

/** A fetched page, ready for the lake: its page row, its chunk rows and its links. */
export interface ProcessedPage {
  page: PageRow;
  chunks: ChunkRow[];
  links: PageLink[];
}

export interface PageContent {
  library: string;
  version: string;
  path: string;
  url: string | null;
  format: DocFormat;
  content: string;
  contentHash: string;
  fetchedAt: Date;
}

/** Parses and chunks one page. Throws only for content the parser cannot read (a per-page failure). */
export function processPage(input: PageContent): ProcessedPage {
  const { library, version, path, url } = input;
  const parsed = parseDocument({ content: input.content, format: input.format, path, ...(url ? { url } : {}) });
  const chunks = chunkDocument(parsed);
  const pageId = pageIdOf(library, version, path);
  const chunkIds = chunkIdsOf(
    library,
    version,
    path,
    chunks.map((c) => c.contentHash),
  );
  return {
    page: {
      library,
      version,
      page_id: pageId,
      path,
      url,
      title: parsed.title,
      description: parsed.description ?? null,
      markdown: parsed.markdown,
      content_hash: input.contentHash,
      fetched_at: input.fetchedAt,
    },
    chunks: chunks.map((c, i) => ({
      chunk_id: chunkIds[i] as string,
      page_id: pageId,
      library,
      version,
      path,
      url,
      title: c.title,
      heading_path: c.headingPath,
      anchor: c.anchor,
      ordinal: c.ordinal,
      text: c.text,
      tokens: c.tokens,
      content_hash: c.contentHash,
    })),
    links: parsed.links.map((l) => ({ href: l.href, text: l.text, sectionAnchor: l.sectionAnchor })),
  };
}
