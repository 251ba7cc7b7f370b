import {
  INTEGER,
  LIST,
  listValue,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { BosunError } from '../../core/index.js';
import type { Pool } from '../../db/index.js';
import type { Lake } from '../../lake/index.js';
import { CHUNK_TERMS_TABLE } from '../postings/tables.js';
import { sqlString } from '../postings/sql.js';
import { libraryLinks } from '../library/index.js';
import { CHUNKS_TABLE, PAGES_TABLE } from './tables.js';

/** The four Parquet files of a library's export, by what they hold. */
export interface LibraryParquetFiles {
  chunks: string;
  chunk_terms: string;
  pages: string;
  links: string;
}

export interface LibraryParquet {
  /** The lake snapshot the files were read at. */
  snapshotId: number;
  /** Rows written to each file. */
  counts: { pages: number; chunks: number; chunk_terms: number; links: number };
}

/**
 * Writes some versions of one library, as of one lake snapshot, as Parquet files: its chunks
 * and their index terms (docs.chunks, docs.chunk_terms), the pages list (docs.pages) and the
 * cross-references (from PostgreSQL). What `bosun docs export` packages for a standalone
 * server; embeddings stay behind. The files' folders must exist.
 */
export async function writeLibraryParquet(
  deps: { pool: Pool; lake: Lake },
  library: string,
  versions: readonly string[],
  files: LibraryParquetFiles,
): Promise<LibraryParquet> {
  const tables = new Set((await deps.lake.tables()).map((t) => t.name));
  for (const table of [PAGES_TABLE, CHUNKS_TABLE, CHUNK_TERMS_TABLE]) {
    if (!tables.has(table)) {
      throw new BosunError('NOT_FOUND', `the lake has no ${table} table: nothing to export`, {
        hint: `sync the library first: bosun docs sync ${library}`,
      });
    }
  }
  const file = (name: keyof LibraryParquetFiles) => sqlString(files[name]);
  const inLibrary = `library = $1 AND list_contains($2::VARCHAR[], version)`;
  const params = [library, listValue([...versions])];
  const links = (await libraryLinks(deps.pool, library)).filter((l) => versions.includes(l.version));

  return deps.lake.withReader({}, async (conn, snapshot) => {
    const chunks = await copy(
      conn,
      `SELECT * FROM ${CHUNKS_TABLE} WHERE ${inLibrary} ORDER BY version, path, ordinal`,
      file('chunks'),
      params,
    );
    const chunkTerms = await copy(
      conn,
      `SELECT * FROM ${CHUNK_TERMS_TABLE} WHERE chunk_id IN (SELECT chunk_id FROM ${CHUNKS_TABLE} WHERE ${inLibrary}) ORDER BY chunk_id`,
      file('chunk_terms'),
      params,
    );
    const pages = await copy(
      conn,
      `SELECT version, path, title FROM ${PAGES_TABLE} WHERE ${inLibrary} ORDER BY version, path`,
      file('pages'),
      params,
    );
    const column = <K extends keyof (typeof links)[number]>(key: K) =>
      listValue(links.map((l) => l[key] as DuckDBValue));
    // Typed explicitly: DuckDB infers a list's type from its first value, and a first null says nothing.
    const text = LIST(VARCHAR);
    const linkCount = await copy(
      conn,
      `SELECT unnest($1::VARCHAR[]) AS version, unnest($2::VARCHAR[]) AS from_path, unnest($3::INTEGER[]) AS ordinal, unnest($4::VARCHAR[]) AS href,
              unnest($5::VARCHAR[]) AS text, unnest($6::VARCHAR[]) AS section_anchor, unnest($7::VARCHAR[]) AS kind,
              unnest($8::VARCHAR[]) AS to_version, unnest($9::VARCHAR[]) AS to_path, unnest($10::VARCHAR[]) AS to_anchor, unnest($11::VARCHAR[]) AS reason`,
      file('links'),
      [
        column('version'),
        column('fromPath'),
        column('ordinal'),
        column('href'),
        column('text'),
        column('sectionAnchor'),
        column('kind'),
        column('toVersion'),
        column('toPath'),
        column('toAnchor'),
        column('reason'),
      ],
      [text, text, LIST(INTEGER), text, text, text, text, text, text, text, text],
    );
    if (chunks === 0)
      throw new BosunError('NOT_FOUND', `${library} has no chunks in the lake for ${versions.join(', ')}`, {
        hint: `sync it first: bosun docs sync ${library}`,
      });
    return { snapshotId: snapshot.id, counts: { pages, chunks, chunk_terms: chunkTerms, links: linkCount } };
  });
}

/** COPY … TO a Parquet file; the rows written. */
async function copy(
  conn: DuckDBConnection,
  select: string,
  file: string,
  params: DuckDBValue[],
  types?: DuckDBType[],
): Promise<number> {
  const rows = (
    await conn.runAndReadAll(`COPY (${select}) TO ${file} (FORMAT parquet)`, params, types)
  ).getRowObjectsJS();
  return Number(rows[0]?.Count ?? 0);
}
