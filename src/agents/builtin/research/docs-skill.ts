import path from 'node:path';
import { z } from 'zod';
import { parseWith } from '../../../core/index.js';
import type { Hit, Searcher } from '../../../docs/search/index.js';
import type { ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { decompose, type SubQuery } from './decompose.js';
import { gather, type Answered, type Passage } from './passages.js';
import { writeReport } from './report.js';

/**
 * research.docs: the question's sub-queries searched in Bosun's documentation libraries with
 * the searcher `bosun docs search` uses (the lake's latest snapshot, default versions, the
 * embedder the configuration names), the passages gathered and de-duplicated, and a report
 * citing `library@version path › heading` and the chunk id of every passage it uses.
 */
export const researchDocsInput = z
  .object({
    question: z.string().trim().min(3).max(4000),
    libraries: z.array(z.string().min(1)).min(1).optional(),
    /** A version per library (others: their default version). */
    versions: z.record(z.string().min(1)).default({}),
    max_sources: z.number().int().min(1).max(50).default(10),
  })
  .strict();

/** Hits per search: enough for round-robin to pick from, few enough to stay on topic. */
const HITS_PER_SEARCH = 5;

function passageOf(hit: Hit, cite: (hit: Hit) => string): Passage {
  return {
    id: hit.chunk_id,
    citation: cite(hit),
    text: hit.text,
    score: hit.score,
    source: hit.source,
    alsoIn: [...hit.chunk_ids, ...hit.also_in.map((c) => c.chunk_id)],
    location: {
      library: hit.library,
      version: hit.version,
      path: hit.path,
      heading_path: hit.heading_path,
      ...(hit.url ? { url: hit.url } : {}),
      chunk_ids: hit.chunk_ids,
    },
  };
}

interface DocsSearch {
  searcher: Searcher;
  citation: (hit: Hit) => string;
}

/** One search per version pin (the searcher takes one version per request), merged by score. */
async function searchOne(
  docs: DocsSearch,
  sq: SubQuery,
  libraries: string[] | undefined,
  versions: Record<string, string>,
): Promise<Passage[]> {
  const wanted = sq.libraries ?? libraries;
  const pinned = Object.keys(versions).filter((l) => !wanted || wanted.includes(l));
  const unpinned = wanted?.filter((l) => !(l in versions));
  const requests = [
    ...(!wanted || unpinned!.length ? [{ libraries: unpinned }] : []),
    ...pinned.map((l) => ({ libraries: [l], version: versions[l]! })),
  ];
  const responses = await Promise.all(
    requests.map((r) =>
      docs.searcher.search({
        query: sq.query,
        limit: HITS_PER_SEARCH,
        ...(r.libraries ? { libraries: r.libraries } : {}),
        ...('version' in r ? { version: r.version } : {}),
      }),
    ),
  );
  return responses
    .flatMap((r) => r.hits.map((h) => passageOf(h, docs.citation)))
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
    .slice(0, HITS_PER_SEARCH);
}

export async function researchDocs(ctx: AgentContext): Promise<ResultEnvelope> {
  const input = parseWith(researchDocsInput, ctx.input, 'research.docs input');
  const [{ openLakeSearcher, citation }, { embedderFromConfig }] = await Promise.all([
    import('../../../docs/search/index.js'),
    import('../../../docs/index.js'),
  ]);
  const searcher = await openLakeSearcher({
    pool: ctx.pool,
    lake: await ctx.lake(),
    client: `agent:${ctx.agentId}`,
    logger: ctx.logger,
    embedder: await embedderFromConfig(ctx.config),
    cacheDir: path.join(ctx.paths.cache, 'search'),
  });
  try {
    const known = [...new Set(searcher.versions.map((v) => v.library))];
    const subQueries = decompose(input.question, input.libraries ?? known);
    ctx.progress({
      message: `${subQueries.length} sub-queries over ${input.libraries?.join(', ') ?? 'every library'}`,
    });
    const answers: Answered[] = [];
    for (const sq of subQueries)
      answers.push({
        subQuery: sq,
        passages: await searchOne({ searcher, citation }, sq, input.libraries, input.versions),
      });
    const gathered = gather(answers, input.max_sources);
    return await writeReport(ctx, {
      question: input.question,
      gathered,
      scope: `Searched ${input.libraries?.join(', ') ?? `every library (${known.join(', ') || 'none'})`} at snapshot ${searcher.snapshotId}.`,
      outputs: { libraries: input.libraries ?? known, snapshotId: searcher.snapshotId },
      metrics: { searches: answers.length },
    });
  } finally {
    await searcher.close();
  }
}
