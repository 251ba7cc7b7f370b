import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bosunPaths, silentLogger, type BosunPaths } from '../../src/core/index.js';
import { loadCatalog, type PmContext, type TemplateCatalog } from '../../src/pm/index.js';
import type { TestDatabase } from '../support/db.js';

/** A throw-away Bosun home (for user templates, archives, workspaces). */
export function tempHome(): { paths: BosunPaths; remove(): void } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-pm-'));
  return { paths: bosunPaths(home), remove: () => fs.rmSync(home, { recursive: true, force: true }) };
}

export function pmContext(db: TestDatabase, actor = 'test'): PmContext {
  return { pool: db.pool, logger: silentLogger, actor };
}

let shipped: TemplateCatalog | undefined;
/** The shipped templates, with no user templates. */
export function shippedCatalog(): TemplateCatalog {
  shipped ??= loadCatalog(bosunPaths(path.join(os.tmpdir(), 'bosun-pm-no-home')));
  return shipped;
}

let counter = 0;
/** A slug no other test in the file uses. */
export function uniqueSlug(prefix: string): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}`;
}
