import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openLake, type Lake } from '../../src/lake/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

export interface TestLake {
  db: TestDatabase;
  lake: Lake;
  dataPath: string;
  close(): Promise<void>;
}

/** A fresh migrated database and an empty data folder, opened as a lake. */
export async function createTestLake(): Promise<TestLake> {
  const db = await createTestDatabase();
  const dataPath = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-lake-'));
  const lake = await openLake({ pool: db.pool, dataPath });
  return {
    db,
    lake,
    dataPath,
    async close() {
      await db.drop();
      fs.rmSync(dataPath, { recursive: true, force: true });
    },
  };
}

/** Runs a query against the lake as of a snapshot and returns JSON-friendly rows. */
export async function query(
  lake: Lake,
  sql: string,
  at: { snapshot?: number } = {},
): Promise<Record<string, unknown>[]> {
  return lake.withReader(
    at,
    async (conn) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[],
  );
}

/** Every file under a folder, relative to it, sorted. */
export function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}
