import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { z } from 'zod';
import { parseWith } from '../../core/index.js';
import type { LinkRecord } from '../../docs/index.js';
import type { LibraryDirectory, LibraryInfo, PageInfo } from '../docs/library-directory.js';
import type { Manifest } from './manifest.js';

const pageRow = z.object({ version: z.string(), path: z.string(), title: z.string().nullable() });
const linkRow = z.object({
  version: z.string(),
  from_path: z.string(),
  ordinal: z.number().int(),
  href: z.string(),
  text: z.string(),
  section_anchor: z.string(),
  kind: z.enum(['page', 'external', 'broken']),
  to_version: z.string().nullable(),
  to_path: z.string().nullable(),
  to_anchor: z.string().nullable(),
  reason: z.string().nullable(),
});

/**
 * The library directory of an exported server: the library as its manifest describes it, and the pages
 * and links of its Parquet files, read on first use (the data never changes) so that they do
 * not delay the server's start.
 */
export function standaloneLibraryDirectory(dir: string, manifest: Manifest): LibraryDirectory {
  let data: Promise<{ pages: PageInfo[]; links: LinkRecord[] }> | null = null;
  const load = () => (data ??= readData(dir, manifest));
  const library: LibraryInfo = {
    name: manifest.library,
    description: manifest.description,
    defaultVersion: manifest.default_version,
    versions: manifest.versions,
    lastSync: manifest.last_sync,
    snapshotId: manifest.snapshot_id,
  };
  return {
    libraries: async () => [library],
    pages: async (name) => (name === manifest.library ? (await load()).pages : []),
    // As docs/library's pageLinks does in SQL: links out of the page, and links to it from other pages.
    async links(name, version, pagePath) {
      const links = name === manifest.library ? (await load()).links : [];
      return {
        outgoing: links.filter((l) => l.version === version && l.fromPath === pagePath),
        incoming: links.filter(
          (l) =>
            l.kind === 'page' &&
            l.toVersion === version &&
            l.toPath === pagePath &&
            !(l.version === version && l.fromPath === pagePath),
        ),
      };
    },
  };
}

async function readData(dir: string, manifest: Manifest): Promise<{ pages: PageInfo[]; links: LinkRecord[] }> {
  const db = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await db.connect();
  const read = async <T extends z.ZodTypeAny>(file: string, schema: T): Promise<z.infer<T>[]> => {
    const rows = (await conn.runAndReadAll(`SELECT * FROM read_parquet($1)`, [path.join(dir, file)])).getRowObjectsJS();
    return rows.map((row) => parseWith(schema, row, `a row of ${file}`, 'INVALID_CONFIG'));
  };
  try {
    const pages = await read(manifest.files.pages, pageRow);
    const links = (await read(manifest.files.links, linkRow)).map((l) => ({
      version: l.version,
      fromPath: l.from_path,
      ordinal: l.ordinal,
      href: l.href,
      text: l.text,
      sectionAnchor: l.section_anchor,
      kind: l.kind,
      toVersion: l.to_version,
      toPath: l.to_path,
      toAnchor: l.to_anchor,
      reason: l.reason,
    }));
    return { pages, links };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
