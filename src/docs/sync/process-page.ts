import type { Chunk } from '../chunk/index.js';
import type { ParsedDocument } from '../parse/index.js';
import type { DocFormat } from '../sources/index.js';
import { chunkIdsOf, pageIdOf, sourceOf, type ChunkRow, type PageRow } from '../store/index.js';
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
  /** The path as found in the source (with its version folder). */
  sourcePath: string;
  format: DocFormat;
  content: string;
  contentHash: string;
  fetchedAt: Date;
}

interface Parsed {
  doc: ParsedDocument;
  chunks: Chunk[];
}

/** The parser and the chunker, imported when a sync first meets a changed page: a sync that finds nothing new never loads them. */
let parserModules: Promise<[typeof import('../parse/index.js'), typeof import('../chunk/index.js')]> | undefined;
const loadParser = () => (parserModules ??= Promise.all([import('../parse/index.js'), import('../chunk/index.js')]));

/**
 * Parses and chunks pages. Parsing is pure, so a page that several versions share (a file
 * outside the version folders, an unchanged page across tags) is parsed once per sync and its
 * result reused: only the version and the ids differ between the copies.
 */
export class PageProcessor {
  private readonly parsed = new Map<string, Parsed>();

  /** Throws only for content the parser cannot read (a per-page failure). */
  async process(input: PageContent): Promise<ProcessedPage> {
    const { library, version, path, url, sourcePath } = input;
    const { doc, chunks } = await this.parse(input);
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
        title: doc.title,
        description: doc.description ?? null,
        markdown: doc.markdown,
        content_hash: input.contentHash,
        fetched_at: input.fetchedAt,
        source: sourceOf({ url, sourcePath }),
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
        source: sourceOf({ url, sourcePath, anchor: c.anchor }),
      })),
      links: doc.links.map((l) => ({ href: l.href, text: l.text, sectionAnchor: l.sectionAnchor })),
    };
  }

  private async parse(input: PageContent): Promise<Parsed> {
    // What the parser sees: the same content at the same path and URL parses the same way.
    const key = `${input.format}\u0000${input.path}\u0000${input.url ?? ''}\u0000${input.contentHash}`;
    let parsed = this.parsed.get(key);
    if (!parsed) {
      const [{ parseDocument }, { chunkDocument }] = await loadParser();
      const doc = parseDocument({
        content: input.content,
        format: input.format,
        path: input.path,
        ...(input.url ? { url: input.url } : {}),
      });
      parsed = { doc, chunks: chunkDocument(doc) };
      this.parsed.set(key, parsed);
    }
    return parsed;
  }
}
