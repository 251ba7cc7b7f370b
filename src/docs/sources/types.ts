import type { Logger } from 'pino';

export type DocFormat = 'markdown' | 'mdx' | 'html' | 'text';

/** One raw page as a source delivers it; parsing and chunking happen downstream. */
export interface SourceDocument {
  /** Posix path relative to the source root without the version folder; for the web, the URL path relative to the scope. */
  path: string;
  /** Absolute URL when the page came from the web. */
  url?: string;
  /** The path as found in the source, when `path` dropped its version folder (`versionsFrom: 'folders'`). */
  sourcePath?: string;
  /** From the version folder, git tag or branch, or the `version` option; null = unversioned. */
  version: string | null;
  format: DocFormat;
  /** UTF-8 text; absent when notModified or failed. */
  content?: string;
  /** sha256 of content. */
  contentHash?: string;
  etag?: string;
  lastModified?: string;
  /** A conditional request was answered 304: the caller keeps its previous copy. */
  notModified?: boolean;
  /** Why this page could not be read (binary file, HTTP 404, redirect loop, outside root…). */
  error?: string;
}

export interface PreviousPageState {
  etag?: string;
  lastModified?: string;
  contentHash?: string;
  /** Where the page was fetched; lets a re-crawl revisit pages reachable only through pages that answered 304. */
  url?: string;
}

export interface ProgressEvent {
  done: number;
  total?: number;
  current?: string;
}

export interface AcquireContext {
  /** What the last sync saw, keyed by `previousKey(version, path)`. */
  previous: Map<string, PreviousPageState>;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  logger?: Logger;
  /** Where git checkouts go (a temporary folder under it is removed afterwards); default os.tmpdir(). */
  workDir?: string;
}

/** The key of `AcquireContext.previous`. */
export function previousKey(version: string | null, path: string): string {
  return `${version ?? ''}\u0000${path}`;
}
