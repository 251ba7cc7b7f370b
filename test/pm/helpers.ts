import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResultEnvelope } from '../../src/agents/index.js';
import { bosunPaths, sha256, silentLogger, type BosunPaths } from '../../src/core/index.js';
import { loadTemplateSet, type PmContext, type TemplateSet } from '../../src/pm/index.js';
import type { TestDatabase } from '../support/db.js';

/** A throw-away Bosun home (for user templates, archives, workspaces). */
export function tempHome(): { paths: BosunPaths; remove(): void } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-pm-'));
  return { paths: bosunPaths(home), remove: () => fs.rmSync(home, { recursive: true, force: true }) };
}

export function pmContext(db: TestDatabase, actor = 'test'): PmContext {
  return { pool: db.pool, logger: silentLogger, actor };
}

let shipped: TemplateSet | undefined;
/** The shipped templates, with no user templates. */
export function shippedTemplateSet(): TemplateSet {
  shipped ??= loadTemplateSet(bosunPaths(path.join(os.tmpdir(), 'bosun-pm-no-home')));
  return shipped;
}

let counter = 0;
/** A slug no other test in the file uses. */
export function uniqueSlug(prefix: string): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}`;
}

/** A completed result envelope. */
export function done(
  summary: string,
  outputs: Record<string, unknown> = {},
  more: Partial<ResultEnvelope> = {},
): ResultEnvelope {
  return { status: 'completed', summary, outputs, artifacts: [], metrics: {}, handoffs: [], ...more };
}

/** An artifact carried inline, with its true hash and size. */
export function inlineArtifact(name: string, mediaType: string, text: string): ResultEnvelope['artifacts'][number] {
  return { name, mediaType, inline: text, sha256: sha256(text), bytes: Buffer.byteLength(text) };
}

/**
 * Installs the test agent (fixtures/steward.mjs, a real command-line agent) in a home: it offers
 * data.synthetic and data.quality at the task tier, so it wins those skills over the assistants.
 */
export function installStewardAgent(paths: BosunPaths): void {
  const script = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'steward.mjs');
  const skill = (id: string) => `
  - id: ${id}
    name: ${id}
    description: make sample data and check the sample (${id})
    tags: [sample, data, check]
    cacheable: false
    outputSchema: { type: object, required: [rows] }`;
  fs.mkdirSync(paths.agents, { recursive: true });
  fs.writeFileSync(
    path.join(paths.agents, 'steward.yaml'),
    `id: steward
name: Steward
tier: task
version: 1.2.3
description: a test agent that writes a CSV
executor: { kind: command, argv: [${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}] }
maxConcurrency: 8
defaultTimeoutSeconds: 60
skills:${skill('data.synthetic')}${skill('data.quality')}
`,
  );
}

/**
 * Installs a person's agent (assistant executor) offering docs.write and research.web at the
 * task tier, so those skills route to it over the built-in research agent: for tests of the
 * claim flow, which needs work that waits for a person.
 */
export function installScribeAgent(paths: BosunPaths): void {
  fs.mkdirSync(paths.agents, { recursive: true });
  fs.writeFileSync(
    path.join(paths.agents, 'scribe.yaml'),
    `id: scribe
name: Scribe
tier: task
version: 1.0.0
description: a person who writes and researches by hand
executor: { kind: assistant }
skills:
  - { id: docs.write, name: Write, description: writes documents by hand }
  - { id: research.web, name: Research, description: researches by hand }
`,
  );
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A task done by hand: claimed by `me` (the project must be in execution) and completed with `envelope`. */
export async function doneByHand(
  pm: PmContext,
  ref: string,
  envelope: ResultEnvelope,
  artifactsDir: string,
): Promise<void> {
  const { claimTask, completeTask } = await import('../../src/pm/index.js');
  await claimTask(pm, ref, 'me');
  await completeTask(pm, ref, envelope, { artifactsDir });
}
