import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLakeSearcher } from '../../../src/docs/search/open.js';
import { defaultRanking, type Ranking } from '../../../src/docs/search/ranking.js';
import { addAndSync, openPipeline, writeDocs, type Pipeline } from './support.js';

/**
 * The title-terms rule chosen on bench:search, through the real pipeline: a page whose title
 * names the subject outranks a page that uses more of the question's words.
 */
const docs: Record<string, string> = {
  'utilities/cancellation.md': [
    '# Cancellation',
    'Either side may cancel a request it sent. The receiver of the cancel notification stops the request and sends no response.',
  ].join('\n\n'),
  'proposals/async-work.md': [
    '# Asynchronous work',
    '## Motivation',
    'Clients cancel a request by closing the connection, which cancels every request on it. A client should cancel one running request and keep the others.',
  ].join('\n\n'),
  // Pages about other things, so that a common word ("running") is common here too.
  'scaling.md':
    '# Scaling\n\nScale the server down at night and up in the morning; a server that is running idle costs money.',
  'monitoring.md': '# Monitoring\n\nDrill down from the dashboard to the running server and its slow requests.',
};

/** The default ranking without the title's terms (and without the title match, which also reads the title). */
const titleBlind: Ranking = { ...defaultRanking, titleTerms: { weight: 0, b: 0 }, titleMatch: 0 };

describe('ranking rules', () => {
  let p: Pipeline;

  beforeAll(async () => {
    p = await openPipeline();
    const root = path.join(p.dir, 'proto');
    await writeDocs(root, docs);
    await addAndSync(p, 'proto', root);
  });
  afterAll(async () => {
    await p?.close();
  });

  const firstPaths = async (query: string, ranking: Ranking) => {
    const searcher = await openLakeSearcher({ pool: p.db.pool, lake: p.lake, accessLog: false, ranking });
    try {
      return (await searcher.search({ query, libraries: ['proto'] })).hits.map((h) => h.path);
    } finally {
      await searcher.close();
    }
  };

  it("a page titled with the subject outranks a page that uses the question's words more", async () => {
    expect((await firstPaths('how do I cancel a running request?', defaultRanking))[0]).toBe(
      'utilities/cancellation.md',
    );
    expect((await firstPaths('how do I cancel a running request?', titleBlind))[0]).toBe('proposals/async-work.md');
  });
});
