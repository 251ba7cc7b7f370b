import { promises as fs } from 'node:fs';
import path from 'node:path';
import { addLibrary, syncLibrary } from '../../../src/docs/index.js';
import { openPipeline, type Pipeline } from '../pipeline/support.js';

export { openPipeline, type Pipeline };

/** Writes `files` (path → markdown) under `root`. */
export async function writeDocs(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, body] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), body);
  }
}

/** Registers a folder as a library and syncs it through the real pipeline. */
export async function addAndSync(
  p: Pipeline,
  name: string,
  root: string,
  options: { versionsFrom?: 'folders' } = {},
): Promise<void> {
  await addLibrary(p.db.pool, {
    name,
    input: root,
    source: options.versionsFrom ? { versionsFrom: options.versionsFrom } : {},
  });
  await syncLibrary(p.deps, name);
}

/** Sentences about one subject, `n` of them: enough text to make a section several chunks long. */
export function paragraphs(subject: string, n: number): string {
  return Array.from(
    { length: n },
    (_, i) =>
      `Paragraph ${i + 1} about ${subject}: the ${subject} step rewrites small files into larger ones and keeps the old ones until they expire.`,
  ).join('\n\n');
}

/**
 * Library `alpha`, versions 1.0 and 2.0 (folders): the install guide is the same in both (a
 * duplicate across versions), `legacy_sync_mode` exists only in 1.0 and `alpha_stream_mode`
 * only in 2.0, 2.0 documents error -32099, and 2.0 has a long page whose compaction section
 * spans several chunks.
 */
export const alphaDocs: Record<string, string> = {
  '1.0/guide/install.md': install('Alpha'),
  '2.0/guide/install.md': install('Alpha'),
  '1.0/reference/legacy_sync.md':
    '# Legacy Sync\n\nSet `legacy_sync_mode` to `true` to mirror every write to the standby server synchronously.\n',
  '2.0/reference/stream_mode.md':
    '# Stream Mode\n\nSet `alpha_stream_mode` to `on` to push every write to subscribers as it commits.\n\n## Backpressure\n\nSubscribers that fall behind are paused.\n',
  '2.0/reference/errors.md': [
    '# Errors',
    '## Quota',
    `The server answers with error code -32099 when a tenant exceeds its storage quota. ${paragraphs('quota', 4)}`,
    '## Timeouts',
    `A request that runs longer than the deadline is aborted with error code -32098. ${paragraphs('timeout', 4)}`,
  ].join('\n\n'),
  '2.0/guide/maintenance.md': [
    '# Maintenance',
    'Routine care of an Alpha cluster.',
    '## Vacuum',
    'Vacuum reclaims the space of deleted rows. Run it weekly.',
    '## Compaction',
    paragraphs('compaction', 40),
    '## Backups',
    'Take a backup of the catalog every night and keep seven of them.',
  ].join('\n\n'),
};

/** Library `beta`, one version: it also has an install guide (cross-library search finds both). */
export const betaDocs: Record<string, string> = {
  'install.md':
    '# Installing Beta\n\nInstall the beta agent with the package manager, then run `beta init` to install the service.\n',
  'queues.md': '# Queues\n\nBeta moves jobs through durable queues with retries and dead letters.\n',
};

/** Library `delta`: versions draft, 1.0 and 1.1, each saying which it is. */
export const deltaDocs: Record<string, string> = Object.fromEntries(
  ['draft', '1.0', '1.1'].map((v) => [
    `${v}/overview.md`,
    `# Overview\n\nThe delta widget of release ${v} renders charts.\n`,
  ]),
);

function install(product: string): string {
  return `# Installing ${product}\n\nDownload the ${product} installer, run it, and answer the setup questions about the data directory and the port.\n\n## Upgrading\n\nStop the service, install the new release over the old one, and start the service again.\n`;
}
