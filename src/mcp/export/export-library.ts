import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError, type Logger } from '../../core/index.js';
import type { Pool } from '../../db/index.js';
import { getLibrary } from '../../docs/index.js';
import type { Lake } from '../../lake/index.js';
import { pgLibraryDirectory } from '../docs/pg-library-directory.js';
import { bosunVersion } from '../version.js';
import { bundleServer, DUCKDB_PACKAGE, installedDuckdb } from './bundle.js';
import { MANIFEST_FILE, type Manifest } from './manifest.js';
import { packageJson, readme } from './package-files.js';
import { DATA_FILES, writeLibraryData } from './write-data.js';

export interface ExportOptions {
  library: string;
  /** Only this version (default: every version with pages). */
  version?: string;
  /** The package folder: created, or replaced when it holds an earlier export. */
  outDir: string;
  /** Tokens per answer of the exported server. */
  tokenBudget: number;
}

export interface ExportResult {
  dir: string;
  manifest: Manifest;
}

/**
 * Generates a standalone MCP server package for one library: its data as Parquet files, a
 * manifest, a package.json and one bundled server.js. Built in a folder beside the target and
 * moved into place at the end, so a failed export leaves no half package behind.
 */
export async function exportLibrary(
  deps: { pool: Pool; lake: Lake; logger: Logger },
  options: ExportOptions,
): Promise<ExportResult> {
  const dir = path.resolve(options.outDir);
  await getLibrary(deps.pool, options.library);
  const info = (await pgLibraryDirectory(deps.pool).libraries()).find((l) => l.name === options.library)!;
  const withPages = info.versions.filter((v) => v.pages > 0);
  const versions = options.version === undefined ? withPages : withPages.filter((v) => v.version === options.version);
  if (versions.length === 0) {
    throw new BosunError(
      'NOT_FOUND',
      options.version === undefined
        ? `${options.library} has no pages yet`
        : `${options.library} has no version '${options.version}' with pages`,
      {
        hint: withPages.length
          ? `versions: ${withPages.map((v) => v.version).join(', ')}`
          : `sync it first: bosun docs sync ${options.library}`,
      },
    );
  }
  await checkTarget(dir);

  const staging = `${dir}.export-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  try {
    const names = versions.map((v) => v.version);
    const data = await writeLibraryData(deps, options.library, names, staging);
    const duckdb = installedDuckdb();
    const manifest: Manifest = {
      format: 1,
      library: info.name,
      description: info.description,
      versions,
      default_version: info.defaultVersion && names.includes(info.defaultVersion) ? info.defaultVersion : names[0]!,
      snapshot_id: data.snapshotId,
      last_sync: info.lastSync,
      exported_at: new Date().toISOString(),
      bosun_version: bosunVersion(),
      token_budget: options.tokenBudget,
      counts: data.counts,
      files: DATA_FILES,
      duckdb: { package: DUCKDB_PACKAGE, version: duckdb.version, fallback: duckdb.file },
    };
    await fs.writeFile(path.join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    await fs.writeFile(path.join(staging, 'package.json'), JSON.stringify(packageJson(manifest), null, 2) + '\n');
    await fs.writeFile(path.join(staging, 'README.md'), readme(manifest));
    await bundleServer(staging);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(staging, dir);
    deps.logger.info({ library: info.name, dir, snapshot: data.snapshotId }, 'docs server exported');
    return { dir, manifest };
  } catch (err) {
    await fs.rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/** The target may be missing, empty, or an earlier export (replaced); anything else is left alone. */
async function checkTarget(dir: string): Promise<void> {
  const entries: string[] = await fs.readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    if (err.code === 'ENOTDIR') throw new BosunError('INVALID_INPUT', `${dir} is a file, not a folder`);
    throw err;
  });
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    throw new BosunError('CONFLICT', `${dir} is not empty and holds no earlier export`, {
      hint: 'choose an empty or new folder with --out',
    });
  }
}
