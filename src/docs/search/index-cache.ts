import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { sha256, silentLogger, type Logger } from '../../core/index.js';

/**
 * The searcher's ready state, persisted per lake snapshot so that a new process opens it
 * instead of rebuilding it from the lake (docs/search.md, "The index cache"):
 *
 *   <dir>/<snapshot id>/<key>.duckdb   every table of the built index (chunk, term_list, vec…)
 *                                      with its indexes: a DuckDB database, opened read-only
 *   <dir>/<snapshot id>/<key>.json     the manifest: format, snapshot, key, the database's
 *                                      size in bytes, and what the index knows of itself
 *
 * The key is a digest of what shapes the index besides the snapshot (the libraries loaded,
 * the ranking, the embedding model, the format). Both files are written under temporary
 * names and renamed into place, the database first: a reader sees a whole file or none,
 * readers that opened an older file keep reading it, and two writers of one key both write
 * whole files (the last rename wins). A manifest whose size does not match its database (a
 * truncated or half-replaced file), of another format or key, or one that does not parse,
 * counts as missing: the caller rebuilds and writes it again.
 *
 * Adding a table or an array to the index is a change of format: bump INDEX_CACHE_FORMAT, and
 * files of the older format are ignored, then removed with their snapshot's folder.
 */
export const INDEX_CACHE_FORMAT = 2;

/** Snapshot folders kept besides the one just written (a server may still read an older one). */
const KEEP_SNAPSHOTS = 2;
/** A temporary file older than this was left by a writer that died. */
const STALE_TEMP_MS = 10 * 60_000;

const libraryVersion = z.object({
  lv: z.number().int(),
  library: z.string(),
  version: z.string(),
  chunks: z.number().int(),
  indexedChunks: z.number().int(),
});

/** What a loaded index knows of itself beyond its tables (MemoryIndex's constructor arguments). */
export const indexStateSchema = z.object({
  versions: z.array(libraryVersion),
  unindexedChunks: z.number().int().min(0),
  dense: z.object({ model: z.string(), dim: z.number().int(), vectors: z.number().int() }).nullable(),
});
export type IndexState = z.infer<typeof indexStateSchema>;

const manifestSchema = indexStateSchema.extend({
  format: z.literal(INDEX_CACHE_FORMAT),
  snapshotId: z.number().int(),
  key: z.string(),
  bytes: z.number().int().positive(),
  writtenAt: z.string(),
});
type Manifest = z.infer<typeof manifestSchema>;

/** A cached index found whole: its database file and its state. */
export interface CachedIndex {
  file: string;
  state: IndexState;
}

export class SearchIndexCache {
  constructor(
    readonly dir: string,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** The key of an index built with these settings (any JSON value). */
  static key(settings: unknown): string {
    return sha256(JSON.stringify({ format: INDEX_CACHE_FORMAT, settings })).slice(0, 20);
  }

  /** The snapshot's cached index of this key, or null when it is missing, of another format, or damaged. */
  find(snapshotId: number, key: string): CachedIndex | null {
    const { file, manifest } = this.files(snapshotId, key);
    let parsed: Manifest;
    try {
      parsed = manifestSchema.parse(JSON.parse(fs.readFileSync(manifest, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.logger.warn({ err, manifest }, 'unreadable search index manifest; rebuilding the index');
      return null;
    }
    const bytes = fileSize(file);
    if (parsed.snapshotId !== snapshotId || parsed.key !== key || bytes !== parsed.bytes) {
      this.logger.warn({ file, bytes, expected: parsed.bytes }, 'search index cache file does not match its manifest');
      return null;
    }
    const { versions, unindexedChunks, dense } = parsed;
    return { file, state: { versions, unindexedChunks, dense } };
  }

  /**
   * Persists an index: `writeDatabase` writes the database to the temporary path it is given
   * (which must not exist yet); then both files are renamed into place. Failures are logged
   * and swallowed: the index in memory serves this process either way.
   */
  async store(
    snapshotId: number,
    key: string,
    state: IndexState,
    writeDatabase: (tempFile: string) => Promise<void>,
  ): Promise<boolean> {
    const { folder, file, manifest } = this.files(snapshotId, key);
    const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      fs.mkdirSync(folder, { recursive: true });
      await writeDatabase(temp);
      const body: Manifest = {
        format: INDEX_CACHE_FORMAT,
        snapshotId,
        key,
        bytes: fs.statSync(temp).size,
        writtenAt: new Date().toISOString(),
        ...state,
      };
      fs.writeFileSync(`${temp}.json`, JSON.stringify(body) + '\n');
      fs.renameSync(temp, file);
      fs.renameSync(`${temp}.json`, manifest);
      this.removeStale(snapshotId);
      return true;
    } catch (err) {
      this.logger.warn({ err, file }, 'could not write the search index cache; the next process rebuilds it');
      for (const leftover of [temp, `${temp}.wal`, `${temp}.json`]) fs.rmSync(leftover, { force: true });
      return false;
    }
  }

  private files(snapshotId: number, key: string) {
    const folder = path.join(this.dir, String(snapshotId));
    return {
      folder,
      file: path.join(folder, `${key}.duckdb`),
      manifest: path.join(folder, `${key}.json`),
    };
  }

  /** Older snapshots' folders beyond the few kept, and temporary files of writers that died. */
  private removeStale(current: number): void {
    const snapshots = fs
      .readdirSync(this.dir)
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => b - a);
    const older = snapshots.filter((s) => s < current);
    for (const s of older.slice(KEEP_SNAPSHOTS))
      fs.rmSync(path.join(this.dir, String(s)), { recursive: true, force: true });
    for (const s of snapshots) {
      const folder = path.join(this.dir, String(s));
      for (const name of safeList(folder)) {
        const p = path.join(folder, name);
        if (name.includes('.tmp-') && Date.now() - (fileMtime(p) ?? Date.now()) > STALE_TEMP_MS)
          fs.rmSync(p, { force: true });
      }
    }
  }
}

function fileSize(file: string): number | null {
  try {
    return fs.statSync(file).size;
  } catch {
    return null;
  }
}

function fileMtime(file: string): number | null {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

function safeList(folder: string): string[] {
  try {
    return fs.readdirSync(folder);
  } catch {
    return [];
  }
}
