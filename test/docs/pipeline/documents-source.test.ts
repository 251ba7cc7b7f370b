import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLibrary, libraryPages, syncLibrary } from '../../../src/docs/index.js';
import { openLakeSearcher } from '../../../src/docs/search/index.js';
import { paragraphPage, scannedPdf, textPdf } from '../../documents/generate.js';
import { openPipeline, type Pipeline } from './support.js';

/** `bosun docs add <name> <folder> --documents`: scanned PDFs become searchable pages, one per document page. */
describe('a documents source', () => {
  let p: Pipeline;
  let root: string;

  beforeAll(async () => {
    p = await openPipeline();
    root = path.join(p.dir, 'contracts');
    fs.mkdirSync(path.join(root, 'signed'), { recursive: true });
    const original = path.join(p.dir, 'lease.pdf');
    await textPdf(original, [
      paragraphPage(['The tenant rents the warehouse on Harbour Road.'], { heading: 'Lease' }),
      paragraphPage(['Termination requires six months written notice.'], { heading: 'Termination' }),
    ]);
    await scannedPdf(original, path.join(root, 'signed', 'lease.pdf'), 200);
    await textPdf(path.join(root, 'terms.pdf'), [paragraphPage(['Invoices are payable within thirty days.'])]);
    fs.writeFileSync(path.join(root, 'notes.txt'), 'not a document: ignored by this source');
    await addLibrary(p.db.pool, { name: 'contracts', input: root, source: { documents: true } });
  }, 60_000);
  afterAll(() => p?.close());

  it('indexes each page at file.pdf#page=N, OCR where it is a scan, and skips unchanged files', async () => {
    const first = await syncLibrary(p.deps, 'contracts');
    expect(first.pages).toMatchObject({ added: 3, failed: 0 });
    const pages = await libraryPages(p.db.pool, 'contracts');
    expect(pages.map((pg) => pg.path).sort()).toEqual([
      'signed/lease.pdf#page=1',
      'signed/lease.pdf#page=2',
      'terms.pdf#page=1',
    ]);
    expect(pages.find((pg) => pg.path === 'signed/lease.pdf#page=2')?.title).toBe('lease.pdf, page 2');

    const searcher = await openLakeSearcher({ pool: p.db.pool, lake: p.lake, accessLog: false });
    try {
      const hits = (await searcher.search({ query: 'termination notice months', libraries: ['contracts'] })).hits;
      expect(hits[0]).toMatchObject({
        path: 'signed/lease.pdf#page=2',
        text: expect.stringContaining('six months written notice'),
      });
    } finally {
      await searcher.close();
    }

    const started = Date.now();
    const again = await syncLibrary(p.deps, 'contracts');
    expect(again.pages).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: 3 });
    // No OCR the second time: the scanned file's hash matched.
    expect(Date.now() - started).toBeLessThan(10_000);

    await textPdf(path.join(root, 'terms.pdf'), [paragraphPage(['Invoices are payable within fourteen days.'])]);
    const changed = await syncLibrary(p.deps, 'contracts');
    expect(changed.pages).toMatchObject({ added: 0, changed: 1, unchanged: 2 });
  }, 120_000);
});
