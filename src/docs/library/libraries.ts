import type pg from 'pg';
import { BosunError, assertSlug, parseWith } from '../../core/index.js';
// The spec alone, not sources/index (the crawlers and parsers): `bosun docs list` loads this module.
import { sourceSpecSchema, type SourceSpec } from '../sources/spec.js';

/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

export interface LibrarySource {
  /** 0 for the first source; a lower position wins a page that several sources provide. */
  position: number;
  /** The `<source>` argument as the user gave it. */
  input: string;
  spec: SourceSpec;
  addedAt: Date;
}

export interface Library {
  name: string;
  description: string | null;
  /** The version default search uses; null while the library has no (non-deprecated) version. */
  defaultVersion: string | null;
  /** The user's `--default-version`, which wins while it exists and is not deprecated. */
  pinnedVersion: string | null;
  createdAt: Date;
  sources: LibrarySource[];
}

export interface NewSource {
  input: string;
  spec: SourceSpec;
}

interface LibraryRow {
  name: string;
  description: string | null;
  default_version: string | null;
  pinned_version: string | null;
  created_at: Date;
}

interface SourceRow {
  position: number;
  input: string;
  spec: unknown;
  added_at: Date;
}

export async function createLibrary(
  client: pg.PoolClient,
  options: { name: string; description?: string; pinnedVersion?: string; source: NewSource },
): Promise<void> {
  const name = assertSlug(options.name, 'library name');
  const inserted = await client.query(
    `INSERT INTO bosun.doc_library (name, description, pinned_version) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO NOTHING`,
    [name, options.description ?? null, options.pinnedVersion ?? null],
  );
  if (inserted.rowCount === 0) {
    throw new BosunError('CONFLICT', `library '${name}' already exists`, {
      hint: `add another source to it with \`bosun docs add ${name} <source> --append\`, or remove it first`,
    });
  }
  await insertSource(client, name, 0, options.source);
}

/** Adds a source after the library's existing ones (it loses pages they also provide). */
export async function appendSource(client: pg.PoolClient, name: string, source: NewSource): Promise<number> {
  const library = await getLibrary(client, name, { forUpdate: true });
  const same = library.sources.find((s) => JSON.stringify(s.spec) === JSON.stringify(source.spec));
  if (same) {
    throw new BosunError(
      'CONFLICT',
      `library '${name}' already has this source (position ${same.position}: ${same.input})`,
    );
  }
  const position = (library.sources.at(-1)?.position ?? -1) + 1;
  await insertSource(client, name, position, source);
  return position;
}

async function insertSource(
  client: pg.PoolClient,
  library: string,
  position: number,
  source: NewSource,
): Promise<void> {
  await client.query(`INSERT INTO bosun.doc_source (library, position, input, spec) VALUES ($1, $2, $3, $4)`, [
    library,
    position,
    source.input,
    JSON.stringify(source.spec),
  ]);
}

export async function libraryNames(q: Queryable): Promise<string[]> {
  const res = await q.query<{ name: string }>(`SELECT name FROM bosun.doc_library ORDER BY name`);
  return res.rows.map((r) => r.name);
}

/** The library with its sources; NOT_FOUND (listing the known ones) when there is none. */
export async function getLibrary(q: Queryable, name: string, options: { forUpdate?: boolean } = {}): Promise<Library> {
  const res = await q.query<LibraryRow>(
    `SELECT name, description, default_version, pinned_version, created_at
       FROM bosun.doc_library WHERE name = $1 ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [name],
  );
  const row = res.rows[0];
  if (!row) throw await unknownLibrary(q, name);
  const sources = await q.query<SourceRow>(
    `SELECT position, input, spec, added_at FROM bosun.doc_source WHERE library = $1 ORDER BY position`,
    [name],
  );
  return {
    name: row.name,
    description: row.description,
    defaultVersion: row.default_version,
    pinnedVersion: row.pinned_version,
    createdAt: row.created_at,
    sources: sources.rows.map((s) => ({
      position: s.position,
      input: s.input,
      spec: parseWith(sourceSpecSchema, s.spec, `stored source ${s.position} of library '${name}'`, 'INTERNAL'),
      addedAt: s.added_at,
    })),
  };
}

export async function unknownLibrary(q: Queryable, name: string): Promise<BosunError> {
  const known = await libraryNames(q);
  return new BosunError('NOT_FOUND', `no library named '${name}'`, {
    hint: known.length ? `known libraries: ${known.join(', ')}` : 'add one with `bosun docs add <name> <source>`',
  });
}

/** Deletes the library and, by cascade, its sources, versions, pages, links, sync runs and schedules. */
export async function deleteLibrary(client: pg.PoolClient, name: string): Promise<void> {
  await client.query(`DELETE FROM bosun.doc_library WHERE name = $1`, [name]);
}
