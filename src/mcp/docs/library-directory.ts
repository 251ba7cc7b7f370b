import type { LinkRecord } from '../../docs/index.js';

/**
 * What a docs server knows besides the search index: the libraries with their versions and
 * freshness, the pages of each (for resources), and the links between pages. PostgreSQL holds
 * it in a Bosun installation (pg-library-directory.ts); an exported standalone server reads it from its
 * manifest and Parquet files (export/standalone-directory.ts).
 */

export interface VersionSummary {
  version: string;
  pages: number;
  chunks: number;
  deprecated: boolean;
}

export interface LibraryInfo {
  name: string;
  description: string | null;
  /** The version search uses when none is asked for; null when none is set (the newest is used). */
  defaultVersion: string | null;
  /** Newest first. */
  versions: VersionSummary[];
  lastSync: { status: string; at: string } | null;
  /** The newest lake snapshot a sync of this library committed. */
  snapshotId: number | null;
}

export interface PageInfo {
  version: string;
  path: string;
  title: string | null;
}

export interface PageLinks {
  /** Links out of the page, of every kind, in page order. */
  outgoing: LinkRecord[];
  /** Links from other pages to this one. */
  incoming: LinkRecord[];
}

export interface LibraryDirectory {
  libraries(): Promise<LibraryInfo[]>;
  /** The pages of a library with content, every version, by version then path. */
  pages(library: string): Promise<PageInfo[]>;
  links(library: string, version: string, path: string): Promise<PageLinks>;
}
