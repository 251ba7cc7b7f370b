import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncLibrary } from '../../../src/docs/index.js';
import {
  INDEX_CACHE_FORMAT,
  lakeIndexSource,
  SearchIndexCache,
  Searcher,
  type IndexSource,
} from '../../../src/docs/search/index.js';
import { addAndSync, alphaDocs, openPipeline, writeDocs, type Pipeline } from './support.js';

/** The persisted index (docs/search/index-cache.ts) over a library synced by the real pipeline. */
describe('the search index cache', () => {
  let p: Pipeline;
  let docs: string;
  let cacheDir: string;

  beforeAll(async () => {
    p = await openPipeline();
    docs = path.join(p.dir, 'alpha-docs');
    await writeDocs(docs, alphaDocs);
    await addAndSync(p, 'alpha', docs, { versionsFrom: 'folders' });
    cacheDir = path.join(p.dir, 'cache', 'search');
  }, 60_000);
  afterAll(async () => {
    await p?.close();
  });

  /** The lake as a source that counts its loads: a searcher that opens the cache loads nothing. */
  function countingSource(): IndexSource & { loads: number } {
    const lake = lakeIndexSource(p.lake);
    const source = {
      loads: 0,
      latestSnapshotId: () => lake.latestSnapshotId(),
      relations: (snapshot: number) => {
        source.loads++;
        return lake.relations(snapshot);
      },
    };
    return source;
  }

  async function searchWith(source: IndexSource, query = 'alpha_stream_mode subscribers') {
    const searcher = await Searcher.open({ source, cache: new SearchIndexCache(cacheDir), cacheScope: 'all' });
    try {
      const res = await searcher.search({ query, limit: 3 });
      return { snapshot: res.snapshot_id, hits: res.hits.map((h) => [h.chunk_id, h.score, h.source]) };
    } finally {
      await searcher.close();
    }
  }

  /** The snapshot folder's files, by kind. */
  function cacheFiles(snapshot: number) {
    const folder = path.join(cacheDir, String(snapshot));
    const names = fs.existsSync(folder) ? fs.readdirSync(folder) : [];
    const db = names.filter((n) => n.endsWith('.duckdb')).map((n) => path.join(folder, n));
    const manifests = names.filter((n) => n.endsWith('.json') && !n.includes('.tmp-')).map((n) => path.join(folder, n));
    return { folder, names, db, manifests };
  }

  it('is written by the first searcher and opened, not rebuilt, by the next, with the same answers', async () => {
    const first = countingSource();
    const built = await searchWith(first);
    expect(first.loads).toBe(1);
    expect(built.hits.length).toBeGreaterThan(0);
    const files = cacheFiles(built.snapshot);
    expect(files.db).toHaveLength(1);
    expect(files.manifests).toHaveLength(1);
    const manifest = JSON.parse(fs.readFileSync(files.manifests[0]!, 'utf8'));
    expect(manifest).toMatchObject({ format: INDEX_CACHE_FORMAT, snapshotId: built.snapshot });
    expect(manifest.bytes).toBe(fs.statSync(files.db[0]!).size);
    expect(manifest.versions.map((v: { version: string }) => v.version).sort()).toEqual(['1.0', '2.0']);

    const second = countingSource();
    expect(await searchWith(second)).toEqual(built);
    expect(second.loads).toBe(0);
  });

  it('rebuilds a truncated file, a damaged manifest and a file left without its manifest', async () => {
    const expected = await searchWith(countingSource());
    const { db, manifests } = cacheFiles(expected.snapshot);
    const file = db[0]!;
    const manifest = manifests[0]!;

    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    const afterTruncation = countingSource();
    expect(await searchWith(afterTruncation)).toEqual(expected);
    expect(afterTruncation.loads).toBe(1);
    expect(JSON.parse(fs.readFileSync(manifest, 'utf8')).bytes).toBe(fs.statSync(file).size);

    fs.writeFileSync(manifest, '{"format": 1, "snap');
    const afterBadManifest = countingSource();
    expect(await searchWith(afterBadManifest)).toEqual(expected);
    expect(afterBadManifest.loads).toBe(1);

    // A file truncated to its header only, under a whole manifest of the same size: DuckDB refuses it.
    const size = fs.statSync(file).size;
    fs.writeFileSync(file, Buffer.alloc(size));
    const afterZeroes = countingSource();
    expect(await searchWith(afterZeroes)).toEqual(expected);
    expect(afterZeroes.loads).toBe(1);
  });

  it('ignores what a writer killed mid-write leaves, and clears its old temporary files', async () => {
    const expected = await searchWith(countingSource());
    const { folder, db, manifests } = cacheFiles(expected.snapshot);
    const key = path.basename(db[0]!, '.duckdb');
    // Killed while writing the database (a partial temporary file), and killed between the two
    // renames (a new database whose manifest is still the old one, of another size).
    const temp = path.join(folder, `${key}.duckdb.tmp-99999-deadbeef`);
    fs.writeFileSync(temp, fs.readFileSync(db[0]!).subarray(0, 4096));
    fs.writeFileSync(`${temp}.json`, '{');
    const old = new Date(Date.now() - 60 * 60_000);
    fs.utimesSync(temp, old, old);
    fs.utimesSync(`${temp}.json`, old, old);
    fs.appendFileSync(db[0]!, Buffer.alloc(8192));

    const after = countingSource();
    expect(await searchWith(after)).toEqual(expected);
    expect(after.loads).toBe(1);
    expect(fs.existsSync(temp)).toBe(false);
    expect(fs.existsSync(`${temp}.json`)).toBe(false);
    expect(JSON.parse(fs.readFileSync(manifests[0]!, 'utf8')).bytes).toBe(fs.statSync(db[0]!).size);
  });

  it('serves concurrent readers while writers race on an empty cache', async () => {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    const runs = await Promise.all(Array.from({ length: 4 }, () => searchWith(countingSource())));
    for (const run of runs) expect(run).toEqual(runs[0]);
    const { db, manifests, names } = cacheFiles(runs[0]!.snapshot);
    expect(db).toHaveLength(1);
    expect(names.filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(JSON.parse(fs.readFileSync(manifests[0]!, 'utf8')).bytes).toBe(fs.statSync(db[0]!).size);
    const reader = countingSource();
    expect(await searchWith(reader)).toEqual(runs[0]);
    expect(reader.loads).toBe(0);
  });

  it("is invalidated by a new snapshot: the new sync's pages are found", async () => {
    const before = await searchWith(countingSource(), 'quokkaflux');
    expect(before.hits).toEqual([]);
    await writeDocs(docs, { '2.0/guide/quokkaflux.md': '# Quokkaflux\n\nThe quokkaflux setting tunes the flux.\n' });
    await syncLibrary(p.deps, 'alpha');
    const source = countingSource();
    const after = await searchWith(source, 'quokkaflux');
    expect(after.snapshot).toBeGreaterThan(before.snapshot);
    expect(source.loads).toBe(1);
    expect(after.hits[0]?.[2]).toBe('2.0/guide/quokkaflux.md');
    expect(cacheFiles(after.snapshot).db).toHaveLength(1);
  });
});
