import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResultEnvelope } from '../../src/agents/index.js';
import { bosunPaths, sha256, silentLogger, type BosunPaths } from '../../src/core/index.js';
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

/** A completed result envelope. */
export function done(summary: string, outputs: Record<string, unknown> = {}, more: Partial<ResultEnvelope> = {}): ResultEnvelope {
  return { status: 'completed', summary, outputs, artifacts: [], metrics: {}, handoffs: [], ...more };
}

/** An artifact carried inline, with its true hash and size. */
export function inlineArtifact(name: string, mediaType: string, text: string): ResultEnvelope['artifacts'][number] {
  return { name, mediaType, inline: text, sha256: sha256(text), bytes: Buffer.byteLength(text) };
}
