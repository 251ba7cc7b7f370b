import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBosunError } from '../../../src/core/index.js';
import { withTransaction } from '../../../src/db/index.js';
import {
  addLibrary,
  compareVersionsNewestFirst,
  deprecateVersion,
  docsJobTypes,
  listLibraries,
  listSchedules,
  recentSyncRuns,
  scheduleSyncs,
  syncLibrary,
  unscheduleSyncs,
} from '../../../src/docs/index.js';
import { DOCS_SCHEDULE_TICK_JOB, enqueueDueSyncs } from '../../../src/docs/sync/index.js';
import { JobQueue, QueueWorker } from '../../../src/queue/index.js';
import { openPipeline, type Pipeline } from './support.js';

async function versionedDocs(root: string, versions: string[]): Promise<void> {
  for (const v of versions) {
    await fs.mkdir(path.join(root, v), { recursive: true });
    await fs.writeFile(path.join(root, v, 'index.md'), `# Release ${v}\n`);
  }
}

describe('versions: ordering, default, deprecation', () => {
  let p: Pipeline;
  const deprecate = (library: string, version: string) =>
    withTransaction(p.db.pool, (c) => deprecateVersion(c, library, version));
  const defaultOf = async (library: string) =>
    (await listLibraries(p.db.pool)).find((l) => l.name === library)?.defaultVersion;

  beforeAll(async () => {
    p = await openPipeline();
    await versionedDocs(path.join(p.dir, 'lib'), ['0.1', '0.2', '0.10', 'stable', 'draft']);
    await addLibrary(p.db.pool, { name: 'lib', input: path.join(p.dir, 'lib'), source: { versionsFrom: 'folders' } });
    await addLibrary(p.db.pool, {
      name: 'pinned',
      input: path.join(p.dir, 'lib'),
      source: { versionsFrom: 'folders' },
      defaultVersion: '0.2',
    });
    await addLibrary(p.db.pool, {
      name: 'pinned-missing',
      input: path.join(p.dir, 'lib'),
      source: { versionsFrom: 'folders' },
      defaultVersion: '9.9',
    });
    for (const name of ['lib', 'pinned', 'pinned-missing']) await syncLibrary(p.deps, name);
  });
  afterAll(() => p?.close());

  it('orders versions newest first: recommended channels, releases by value, other names, unreleased work', () => {
    expect(
      ['0.2', 'draft', '2024-11-05', 'v1.10', 'feature-x', 'stable', 'v1.9', '2.0.0-rc1', '2025-06-18'].sort(
        compareVersionsNewestFirst,
      ),
    ).toEqual(['stable', 'v1.10', 'v1.9', '2025-06-18', '2024-11-05', '0.2', 'feature-x', 'draft', '2.0.0-rc1']);
  });

  it('defaults to the newest version, or the pinned one; a missing pinned version is a warning', async () => {
    expect(await defaultOf('lib')).toBe('stable');
    expect(await defaultOf('pinned')).toBe('0.2');
    const summary = await syncLibrary(p.deps, 'pinned-missing');
    expect(summary.defaultVersion).toBe('stable');
    expect(summary.warnings).toContain(
      "the default version '9.9' was not found; versions: stable, 0.10, 0.2, 0.1, draft",
    );
  });

  it('deprecating the default moves the default to the newest non-deprecated version, and survives a sync', async () => {
    expect(await deprecate('lib', 'stable')).toEqual({ alreadyDeprecated: false, defaultVersion: '0.10' });
    expect(await deprecate('lib', 'stable')).toEqual({ alreadyDeprecated: true, defaultVersion: '0.10' });
    await syncLibrary(p.deps, 'lib');
    const lib = (await listLibraries(p.db.pool)).find((l) => l.name === 'lib');
    expect(lib).toMatchObject({ defaultVersion: '0.10', deprecatedVersions: ['stable'] });
    // A pinned default that is deprecated is unpinned.
    expect(await deprecate('pinned', '0.2')).toEqual({ alreadyDeprecated: false, defaultVersion: 'stable' });
  });

  it('refuses an unknown version with the list of known ones', async () => {
    const err = await deprecate('lib', '7.0').catch((e: unknown) => e);
    expect(isBosunError(err, 'NOT_FOUND')).toBe(true);
    expect((err as { hint?: string }).hint).toBe('versions: stable, 0.10, 0.2, 0.1, draft');
  });
});

describe('scheduled syncs through the queue', () => {
  let p: Pipeline;
  let queue: JobQueue;
  let home: string;

  beforeAll(async () => {
    p = await openPipeline();
    // A job runs on the worker's connections, with the lake of the home that scheduled it (its config file).
    home = path.join(p.dir, 'home');
    await fs.mkdir(home);
    await fs.writeFile(path.join(home, 'config.yaml'), `lake:\n  dataPath: ${path.join(p.dir, 'lake')}\n`);
    await versionedDocs(path.join(p.dir, 'docs'), ['1.0']);
    await addLibrary(p.db.pool, {
      name: 'nightly',
      input: path.join(p.dir, 'docs'),
      source: { versionsFrom: 'folders' },
    });
    queue = await JobQueue.open(p.db.pool);
    await queue.register(docsJobTypes);
  });
  afterAll(async () => {
    await queue?.close();
    await p?.close();
  });

  it('records the schedule and runs the minute tick as a queue cron job', async () => {
    const saved = await scheduleSyncs(p.db.pool, queue, 'nightly', '0 3 * * *', home);
    expect(saved).toMatchObject({ library: 'nightly', cron: '0 3 * * *', lastEnqueuedAt: null });
    expect(await queue.schedules()).toContainEqual(
      expect.objectContaining({ name: DOCS_SCHEDULE_TICK_JOB, cron: '* * * * *', data: { home } }),
    );
    await expect(scheduleSyncs(p.db.pool, queue, 'nightly', '0 25 * * *', home)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(scheduleSyncs(p.db.pool, queue, 'nope', '0 3 * * *', home)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('queues a sync when the cron expression fires, once, and a worker runs it', async () => {
    // The schedule's clock starts when it is saved: set it, so the test does not depend on the time of day.
    await p.db.pool.query(`UPDATE bosun.doc_schedule SET created_at = '2026-01-05T10:00:00Z'`);
    const next3am = new Date('2026-01-06T03:00:30Z');
    expect(await enqueueDueSyncs(p.db.pool, queue, new Date('2026-01-06T02:59:00Z'), home)).toEqual([]);
    expect(await enqueueDueSyncs(p.db.pool, queue, next3am, home)).toEqual(['nightly']);
    expect(await enqueueDueSyncs(p.db.pool, queue, next3am, home)).toEqual([]);
    const jobs = (await p.db.pool.query(`SELECT data FROM pgboss.job WHERE name = 'docs.sync'`)).rows;
    expect(jobs).toEqual([{ data: { library: 'nightly', home } }]);

    const worker = new QueueWorker(queue, { concurrency: 1, pollMs: 100 });
    await worker.start();
    try {
      const deadline = Date.now() + 30_000;
      while (worker.completed + worker.failed === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
    } finally {
      await worker.stop(5_000);
    }
    expect(worker.completed).toBe(1);
    const [run] = await recentSyncRuns(p.db.pool, 'nightly');
    expect(run).toMatchObject({ status: 'succeeded', summary: { pages: { added: 1 } } });
    expect(await p.query(`SELECT title FROM docs.pages WHERE library = 'nightly'`)).toEqual([{ title: 'Release 1.0' }]);
  }, 60_000);

  it('removes schedules, and the tick with the last one', async () => {
    await scheduleSyncs(p.db.pool, queue, null, '30 4 * * 1', home);
    await unscheduleSyncs(p.db.pool, queue, 'nightly');
    expect((await listSchedules(p.db.pool)).map((s) => [s.library, s.cron])).toEqual([[null, '30 4 * * 1']]);
    expect((await queue.schedules()).map((s) => s.name)).toContain(DOCS_SCHEDULE_TICK_JOB);
    await unscheduleSyncs(p.db.pool, queue, null);
    expect((await queue.schedules()).map((s) => s.name)).not.toContain(DOCS_SCHEDULE_TICK_JOB);
    await expect(unscheduleSyncs(p.db.pool, queue, null)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
