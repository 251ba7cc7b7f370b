import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { openLake, type Lake } from '../../../src/lake/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import type { SyncDeps } from '../../../src/docs/index.js';

export const CORPORA = path.resolve('/work/shared/corpora');
export const DUCKLAKE_DOCS = path.join(CORPORA, 'ducklake-docs', 'docs');
export const MCP_DOCS = path.join(CORPORA, 'mcp-docs', 'docs');

/** A migrated database, a lake in a temporary folder, and the deps a sync needs. */
export interface Pipeline {
  db: TestDatabase;
  lake: Lake;
  deps: SyncDeps;
  dir: string;
  /** Rows of a lake query at the latest snapshot (or the given one). */
  query(sql: string, params?: DuckDBValue[], snapshot?: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function openPipeline(): Promise<Pipeline> {
  const db = await createTestDatabase();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-pipeline-'));
  const lake = await openLake({ pool: db.pool, dataPath: path.join(dir, 'lake') });
  return {
    db,
    lake,
    dir,
    deps: { pool: db.pool, lake, workDir: dir },
    query: (sql, params, snapshot) =>
      lake.withReader(
        snapshot === undefined ? {} : { snapshot },
        async (conn) => (await conn.runAndReadAll(sql, params)).getRowObjectsJS() as Record<string, unknown>[],
      ),
    async close() {
      await db.drop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

export { listValue };

const docFile = /\.(md|markdown|mdx|html?|txt)$/i;

/** Documentation files under a folder (relative posix paths), walked with plain fs: hidden folders skipped. */
export async function docFiles(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory() && !entry.name.startsWith('.')) out.push(...(await docFiles(root, child)));
    else if (entry.isFile() && docFile.test(entry.name)) out.push(child);
  }
  return out.sort();
}

/** Recursively copies a folder (tests edit copies, never the shared corpora). */
export async function copyTree(from: string, to: string): Promise<void> {
  await fs.cp(from, to, { recursive: true });
}
