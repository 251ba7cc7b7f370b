/**
 * bench:ingest — documentation ingestion end to end (sources → parse → chunk → lake → PostgreSQL):
 * both shared corpora synced together with --versions-from folders (files, pages, chunks, wall
 * time, peak RSS, no-change re-sync time), then a generated 1,000-page site crawled over HTTP
 * on loopback (pages/s). Prints a table with the targets of issue 4.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addLibrary, syncLibrary, type SyncProgress, type SyncSummary } from '../src/docs/index.js';
import { openLake } from '../src/lake/index.js';
import { benchDatabase, peakRssMb, printTable, startSiteProcess, timed } from './support.js';

const CORPORA = path.resolve(process.env.BOSUN_CORPORA ?? '/work/shared/corpora');
const corpora = [
  { name: 'ducklake', root: path.join(CORPORA, 'ducklake-docs', 'docs') },
  { name: 'mcp', root: path.join(CORPORA, 'mcp-docs', 'docs') },
];
const SITE_PAGES = 1000;

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !entry.name.startsWith('.')) n += await countFiles(path.join(dir, entry.name));
    else if (entry.isFile() && /\.(md|markdown|mdx|html?|txt)$/i.test(entry.name)) n += 1;
  }
  return n;
}

/**
 * Peak RSS per phase of the first sync ("<library> fetch": read, parse, chunk; "<library>
 * commit": index and lake writes), sampled every 20 ms and at each progress event.
 */
const phasePeaks = new Map<string, number>();
let phase = 'setup';
const sample = () => phasePeaks.set(phase, Math.max(phasePeaks.get(phase) ?? 0, process.memoryUsage().rss / 2 ** 20));
const sampler = setInterval(sample, 20);
sampler.unref();
const phaseOf = (library: string) => (e: SyncProgress) => {
  sample();
  phase = `${library} ${e.phase}`;
  sample();
};
const quick = process.argv.includes('--quick');

const db = await benchDatabase();
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-bench-ingest-'));
try {
  const lake = await openLake({ pool: db.pool, dataPath: path.join(dir, 'lake') });
  const deps = { pool: db.pool, lake };
  let files = 0;
  for (const c of corpora) {
    files += await countFiles(c.root);
    await addLibrary(db.pool, { name: c.name, input: c.root, source: { versionsFrom: 'folders' } });
  }

  const first = await timed(async () => {
    const out: SyncSummary[] = [];
    for (const c of corpora) out.push(await syncLibrary(deps, c.name, { onProgress: phaseOf(c.name) }));
    return out;
  });
  const peak = peakRssMb();
  phase = 'no-change re-sync';
  const again = await timed(async () => Promise.all(corpora.map((c) => syncLibrary(deps, c.name))));
  const pages = first.value.reduce((n, s) => n + s.pages.added, 0);
  const chunks = first.value.reduce((n, s) => n + s.chunks.total, 0);
  const failed = first.value.reduce((n, s) => n + s.pages.failed, 0);
  const unchangedAgain = again.value.every(
    (s) => s.snapshotId === null && s.pages.unchanged === s.pages.added + s.pages.unchanged,
  );

  printTable(
    'bench:ingest — peak RSS per phase of the first sync (sampled every 20 ms)',
    [...phasePeaks].map(([name, mb]) => ({ phase: name, 'peak RSS (MB)': Math.round(mb) })),
  );

  // --quick: the corpora only, no crawl.
  let crawl: { value: SyncSummary; ms: number } | null = null;
  if (!quick) {
    const site = await startSiteProcess<{ start: string }>(new URL('./ingest-site.ts', import.meta.url), [
      String(SITE_PAGES),
    ]);
    try {
      await addLibrary(db.pool, { name: 'site', input: site.start, source: { concurrency: 16 } });
      crawl = await timed(() => syncLibrary(deps, 'site'));
    } finally {
      await site.close();
    }
  }
  const crawled = crawl?.value.pages.added ?? 0;
  const rate = crawl ? crawled / (crawl.ms / 1000) : 0;

  printTable('bench:ingest — both shared corpora (--versions-from folders), then a local site', [
    { metric: 'files on disk', value: files, target: '', ok: '' },
    { metric: 'pages', value: pages, target: '', ok: failed === 0 ? 'yes' : `${failed} failed` },
    { metric: 'chunks', value: chunks, target: '', ok: '' },
    {
      metric: 'first sync, wall (s)',
      value: first.ms / 1000,
      target: '<= 15',
      ok: first.ms / 1000 <= 15 ? 'yes' : 'NO',
    },
    { metric: 'peak RSS (MB)', value: peak, target: '<= 280', ok: peak <= 280 ? 'yes' : 'NO' },
    {
      metric: 'no-change re-sync (s)',
      value: again.ms / 1000,
      target: '<= 2',
      ok: again.ms / 1000 <= 2 && unchangedAgain ? 'yes' : 'NO',
    },
    ...(crawl
      ? [
          {
            metric: `crawl of a ${SITE_PAGES}-page site: pages`,
            value: crawled,
            target: `>= ${SITE_PAGES}`,
            ok: crawled >= SITE_PAGES ? 'yes' : 'NO',
          },
          { metric: 'crawl rate (pages/s)', value: rate, target: '>= 50', ok: rate >= 50 ? 'yes' : 'NO' },
        ]
      : []),
  ]);
  console.log(
    `\nload average (1, 5, 15 min): ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(', ')}`,
  );
} finally {
  await db.close();
  await fs.rm(dir, { recursive: true, force: true });
}
