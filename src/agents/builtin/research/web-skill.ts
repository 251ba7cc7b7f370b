import { z } from 'zod';
import { parseWith } from '../../../core/index.js';
import type { FetchedWebPage } from '../../../docs/index.js';
import { failedEnvelope, type ResultEnvelope } from '../../envelope.js';
import { createTextScorer } from '../../routing/text-match.js';
import type { AgentContext } from '../../runtime/types.js';
import { decompose } from './decompose.js';
import { gather, type Answered, type Passage } from './passages.js';
import { writeReport } from './report.js';

/**
 * research.web: the pages the task names, fetched with the docs crawler's fetcher (robots.txt,
 * rate, size cap, retries), split into their sections, each sub-query ranked over those sections
 * (BM25), and the same cited report as research.docs with `URL#section` ids. No search engine:
 * the pages are the ones given, so the answer is only as wide as they are, and says so.
 * `query_urls` are a site's own search pages (`https://docs.example.com/search?q={query}`),
 * filled with the question's sub-queries: still only the sites the task names.
 */
/** Pages read per task, given and searched together: the crawler's politeness is per page. */
const MAX_PAGES = 20;

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'an http(s) URL');

export const researchWebInput = z
  .object({
    question: z.string().trim().min(3).max(4000),
    urls: z.array(httpUrl).min(1).max(MAX_PAGES).optional(),
    query_urls: z
      .array(httpUrl.refine((u) => u.includes('{query}'), 'a URL with {query} where the search words go'))
      .min(1)
      .max(5)
      .optional(),
    max_sources: z.number().int().min(1).max(50).default(10),
    max_page_bytes: z.number().int().min(1024).max(50_000_000).default(5_000_000),
  })
  .strict()
  .refine((i) => i.urls || i.query_urls, 'give urls, query_urls or both');

const HITS_PER_QUERY = 5;
/** Sub-queries sent to each search page: the whole question and its first clauses. */
const QUERIES_PER_SEARCH_PAGE = 3;

/** The given URLs, then each search page filled with the first sub-queries; no duplicates, at most MAX_PAGES. */
function pagesToRead(input: z.infer<typeof researchWebInput>): string[] {
  const queries = decompose(input.question)
    .slice(0, QUERIES_PER_SEARCH_PAGE)
    .map((q) => q.query);
  const searched = (input.query_urls ?? []).flatMap((template) =>
    queries.map((q) => template.replaceAll('{query}', encodeURIComponent(q))),
  );
  return [...new Set([...(input.urls ?? []), ...searched])].slice(0, MAX_PAGES);
}

function sectionPassages(page: FetchedWebPage): Passage[] {
  return page.sections
    .filter((s) => s.markdown.replace(/^#+\s.*$/m, '').trim().length > 0)
    .map((s) => {
      const url = s.anchor ? `${page.finalUrl.replace(/#.*$/, '')}#${s.anchor}` : page.finalUrl;
      const headings = s.headingPath[0] === page.title ? s.headingPath.slice(1) : s.headingPath;
      return {
        id: url,
        citation: `${[page.title, ...headings].join(' › ')} — ${url}`,
        text: s.markdown,
        score: 0,
        source: url,
        location: { url, page: page.url, title: page.title, heading_path: s.headingPath },
      };
    });
}

export async function researchWeb(ctx: AgentContext): Promise<ResultEnvelope> {
  const input = parseWith(researchWebInput, ctx.input, 'research.web input');
  const { fetchWebPages } = await import('../../../docs/index.js');
  const urls = pagesToRead(input);
  ctx.progress({ message: `fetching ${urls.length} page(s)` });
  const pages = await fetchWebPages(urls, {
    logger: ctx.logger,
    signal: ctx.signal,
    maxPageBytes: input.max_page_bytes,
  });
  const fetched = pages.filter((p) => !p.error);
  // Nothing read is no answer: say why for each page rather than write an empty report.
  if (!fetched.length)
    return failedEnvelope({
      code: 'FETCH_FAILED',
      message: `no page could be read: ${pages.map((p) => `${p.url}: ${p.error}`).join('; ')}`,
      retryable: pages.some((p) => /network|HTTP 5|HTTP 429|cannot reach/.test(p.error ?? '')),
    });
  const all = pages.flatMap(sectionPassages);
  const byId = new Map(all.map((p) => [p.id, p]));
  const scorer = createTextScorer(all.map((p) => ({ key: p.id, text: `${p.citation}\n${p.text}` })));
  const answers: Answered[] = decompose(input.question).map((subQuery) => ({
    subQuery,
    passages: [...scorer.score(subQuery.query)]
      .sort(([a, x], [b, y]) => y.score - x.score || a.localeCompare(b))
      .slice(0, HITS_PER_QUERY)
      .map(([id, m]) => ({ ...byId.get(id)!, score: Math.round(m.score * 10_000) / 10_000 })),
  }));
  return writeReport(ctx, {
    question: input.question,
    gathered: gather(answers, input.max_sources),
    scope: `Read ${fetched.length} of ${pages.length} page(s) given: ${pages.map((p) => p.url).join(', ')}.`,
    outputs: {
      pages: pages.map((p) => ({
        url: p.url,
        finalUrl: p.finalUrl,
        title: p.title,
        sections: p.sections.length,
        ...(p.error ? { error: p.error } : {}),
      })),
    },
    metrics: { pages: pages.length, pagesFetched: fetched.length, sections: all.length },
  });
}
