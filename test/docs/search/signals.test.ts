import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildSearchSignals, syncLibrary } from '../../../src/docs/index.js';
import { learnTermAssociations, PAGE_ANCHORS_TABLE, tokenize } from '../../../src/docs/postings/index.js';
import { expandWithAssociations } from '../../../src/docs/search/expansion.js';
import { openLakeSearcher } from '../../../src/docs/search/open.js';
import { defaultRanking, type Ranking } from '../../../src/docs/search/ranking.js';
import { addAndSync, openPipeline, writeDocs, type Pipeline } from './support.js';

/**
 * Issue 16's signals through the real pipeline: a sync writes the anchor text of resolved
 * links and the term associations to the lake, and the searcher ranks with them.
 */
const docs: Record<string, string> = {
  'usage/time_travel.md':
    '# Time Travel\n\nEvery query may name a version: `SELECT * FROM tbl AT (VERSION => 3)` reads snapshot 3.\n',
  'guide.md':
    "# Guide\n\nTo look at yesterday's rows before the bad batch, see [rewind the lake](usage/time_travel.md).\n",
  'usage/loading.md': '# Loading\n\nCopy CSV files into a table with one statement.\n',
};

const withoutAnchors: Ranking = { ...defaultRanking, anchorText: { ...defaultRanking.anchorText, weight: 0 } };

describe('search signals: anchor text and term associations', () => {
  let p: Pipeline;
  let root: string;

  beforeAll(async () => {
    p = await openPipeline();
    root = path.join(p.dir, 'lakedocs');
    await writeDocs(root, docs);
    await addAndSync(p, 'lakedocs', root);
  });
  afterAll(async () => {
    await p?.close();
  });

  const paths = async (query: string, ranking: Ranking) => {
    const searcher = await openLakeSearcher({ pool: p.db.pool, lake: p.lake, accessLog: false, ranking });
    try {
      return (await searcher.search({ query, libraries: ['lakedocs'] })).hits.map((h) => h.path);
    } finally {
      await searcher.close();
    }
  };

  const anchorRows = () =>
    p.lake.withReader({}, async (conn) =>
      (
        await conn.runAndReadAll(`SELECT path, terms, tf, tf_context, sources FROM ${PAGE_ANCHORS_TABLE} ORDER BY path`)
      ).getRowObjectsJS(),
    );

  it('stores the words of the links to a page, and of the sentence around them, as that page’s anchors', async () => {
    const rows = await anchorRows();
    expect(rows.map((r) => r.path)).toEqual(['usage/time_travel.md']);
    const terms = rows[0]!.terms as string[];
    const tf = rows[0]!.tf as number[];
    const context = rows[0]!.tf_context as number[];
    const [rewind, batch] = [tokenize('rewind')[0]!, tokenize('batch')[0]!];
    expect(tf[terms.indexOf(rewind)]).toBe(1);
    expect(context[terms.indexOf(rewind)]).toBe(0);
    expect(tf[terms.indexOf(batch)]).toBe(0);
    expect(context[terms.indexOf(batch)]).toBe(1);
    expect(rows[0]!.sources).toBe(1);
  });

  it('rebuilds the same signals from the stored links (bosun docs reindex)', async () => {
    const before = await anchorRows();
    const snapshot = await p.lake.latestSnapshotId();
    const rebuilt = await rebuildSearchSignals(p.db.pool, p.lake);
    expect(rebuilt.map((r) => [r.library, r.anchors])).toEqual([['lakedocs', 1]]);
    expect(rebuilt[0]!.snapshotId).toBeGreaterThan(snapshot);
    expect(await anchorRows()).toEqual(before);
  });

  it('finds a page by the words other pages link to it with', async () => {
    expect(await paths('rewind', withoutAnchors)).not.toContain('usage/time_travel.md');
    expect(await paths('rewind', defaultRanking)).toContain('usage/time_travel.md');
  });

  it('replaces the anchors when a sync changes the links', async () => {
    await fs.writeFile(path.join(root, 'guide.md'), '# Guide\n\nNothing links anywhere now.\n');
    await syncLibrary(p.deps, 'lakedocs');
    expect(await anchorRows()).toEqual([]);
    expect(await paths('rewind', defaultRanking)).not.toContain('usage/time_travel.md');
  });

  it('learns which terms the sections use together', async () => {
    const associations = await p.lake.withReader({}, (conn) =>
      learnTermAssociations(conn, 'lakedocs', {
        minDf: 1,
        maxDfShare: 1,
        minCooccurrence: 1,
        perTerm: 50,
        minScore: 0.5,
      }),
    );
    const of = (term: string) => associations.filter((a) => a.term === term).map((a) => a.related);
    expect(of('csv')).toContain('copi');
    expect(of('csv')).not.toContain('snapshot');
    expect(associations.every((a) => a.score >= 0.5 && a.score <= 1.0001)).toBe(true);
  });
});

describe('query expansion with associations', () => {
  const associations = new Map([
    [
      'lake',
      new Map([
        [
          'retain',
          [
            { term: 'expir', score: 0.8 },
            { term: 'histori', score: 0.6 },
            { term: 'old', score: 0.5 },
          ],
        ],
        ['forev', [{ term: 'expir', score: 0.5 }]],
      ]),
    ],
  ]);
  const terms = [
    { term: 'retain', weight: 1 },
    { term: 'forev', weight: 1 },
  ];

  it('adds the associates of the query’s terms at the weight times their summed score, capped at the weight', () => {
    const expanded = expandWithAssociations(terms, ['retain', 'forev'], associations, ['lake'], {
      weight: 0.2,
      perTerm: 2,
    });
    expect(expanded).toEqual([...terms, { term: 'expir', weight: 0.2 }, { term: 'histori', weight: 0.2 * 0.6 }]);
  });

  it('adds nothing for libraries not searched or with weight 0', () => {
    expect(expandWithAssociations(terms, ['retain'], associations, ['other'], { weight: 0.2, perTerm: 3 })).toEqual(
      terms,
    );
    expect(expandWithAssociations(terms, ['retain'], associations, ['lake'], { weight: 0, perTerm: 3 })).toEqual(terms);
  });
});
