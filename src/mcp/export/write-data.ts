import fs from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from '../../db/index.js';
import { writeLibraryParquet } from '../../docs/index.js';
import type { Lake } from '../../lake/index.js';
import type { Manifest } from './manifest.js';

/** Where the data files go in the package (also recorded in the manifest). */
export const DATA_FILES: Manifest['files'] = {
  chunks: 'data/chunks.parquet',
  chunk_terms: 'data/chunk_terms.parquet',
  pages: 'data/pages.parquet',
  links: 'data/links.parquet',
};

export interface WrittenData {
  snapshotId: number;
  counts: Manifest['counts'];
}

/**
 * Writes one library's data, as of one lake snapshot, as the Parquet files a standalone
 * server reads: chunks and their index terms (what the searcher loads), the pages list (for
 * resources) and the cross-references (for find_related). The docs layer reads its tables
 * (`writeLibraryParquet`); this names the files in the package.
 */
export async function writeLibraryData(
  deps: { pool: Pool; lake: Lake },
  library: string,
  versions: readonly string[],
  dir: string,
): Promise<WrittenData> {
  const inPackage = (name: keyof Manifest['files']) => path.join(dir, DATA_FILES[name]);
  const files = {
    chunks: inPackage('chunks'),
    chunk_terms: inPackage('chunk_terms'),
    pages: inPackage('pages'),
    links: inPackage('links'),
  };
  await fs.mkdir(path.join(dir, 'data'), { recursive: true });
  return writeLibraryParquet(deps, library, versions, files);
}
