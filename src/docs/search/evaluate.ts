import { z } from 'zod';
import { BosunError, formatZodIssues, percentile } from '../../core/index.js';
import type { SearchRequest } from './request.js';
import type { SearchResponse } from './searcher.js';

/**
 * Retrieval quality on a question set, the way `bosun docs eval` and `npm run bench:search`
 * measure it. A question names the pages (paths as hits report them) that answer it; a hit
 * "finds" a page when its path is one of them (and its library the question's, when given).
 */

export const questionSchema = z
  .object({
    id: z.string().min(1).optional(),
    question: z.string().min(1),
    library: z.string().min(1).optional(),
    version: z.string().min(1).optional(),
    gold: z.array(z.string().min(1)).min(1),
  })
  .passthrough();
export type Question = z.infer<typeof questionSchema>;

/** One JSON object per line; blank lines and `//` comments are skipped. */
export function parseQuestions(text: string, source: string): Question[] {
  const questions: Question[] = [];
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('//')) return;
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw new BosunError('INVALID_INPUT', `${source}:${i + 1}: not JSON: ${(err as Error).message}`);
    }
    const parsed = questionSchema.safeParse(json);
    if (!parsed.success) {
      throw new BosunError('INVALID_INPUT', `${source}:${i + 1}: ${formatZodIssues(parsed.error)}`, {
        hint: 'each line is {"question": "...", "library": "...", "version": "...", "gold": ["page/path.md"]}',
      });
    }
    questions.push(parsed.data);
  });
  if (!questions.length) throw new BosunError('INVALID_INPUT', `${source} holds no questions`);
  return questions;
}

export interface QuestionResult {
  id: string;
  question: string;
  /** Rank (from 1) of the first hit from a gold page; null when none of the top hits is. */
  firstGoldRank: number | null;
  /** Gold pages among the top 5 hits, over all gold pages. */
  recallAt5: number;
  /** Top hits as `path`. */
  hits: string[];
  latencyMs: number;
}

export interface EvalSummary {
  questions: number;
  hit_at_1: number;
  hit_at_5: number;
  recall_at_5: number;
  mrr_at_10: number;
  latency_ms: { p50: number; p95: number; mean: number };
}

export interface EvalOptions {
  /** Hits fetched per question (MRR is @10, so at least 10). */
  limit?: number;
  /** Run every question once before measuring, so latency is that of a warm process. */
  warmup?: boolean;
}

export async function evaluate(
  searcher: { search(request: SearchRequest): Promise<SearchResponse> },
  questions: readonly Question[],
  options: EvalOptions = {},
): Promise<{ summary: EvalSummary; results: QuestionResult[] }> {
  const limit = Math.max(10, options.limit ?? 10);
  const requestOf = (q: Question): SearchRequest => ({
    query: q.question,
    limit,
    ...(q.library ? { libraries: [q.library] } : {}),
    ...(q.version ? { version: q.version } : {}),
  });
  if (options.warmup ?? true) for (const q of questions) await searcher.search(requestOf(q));

  const results: QuestionResult[] = [];
  for (const [i, q] of questions.entries()) {
    const started = performance.now();
    const response = await searcher.search(requestOf(q));
    const latencyMs = performance.now() - started;
    const found = response.hits.map(
      (h) => (q.library === undefined || h.library === q.library) && q.gold.includes(h.path),
    );
    const rank = found.indexOf(true);
    const top5 = new Set(
      response.hits
        .slice(0, 5)
        .filter((_, j) => found[j])
        .map((h) => h.path),
    );
    results.push({
      id: q.id ?? String(i + 1),
      question: q.question,
      firstGoldRank: rank < 0 ? null : rank + 1,
      recallAt5: top5.size / new Set(q.gold).size,
      hits: response.hits.map((h) => h.path),
      latencyMs,
    });
  }
  return { summary: summarize(results), results };
}

export function summarize(results: readonly QuestionResult[]): EvalSummary {
  const n = results.length;
  const mean = (f: (r: QuestionResult) => number) => (n ? results.reduce((sum, r) => sum + f(r), 0) / n : 0);
  const latencies = results.map((r) => r.latencyMs).sort((a, b) => a - b);
  return {
    questions: n,
    hit_at_1: mean((r) => (r.firstGoldRank === 1 ? 1 : 0)),
    hit_at_5: mean((r) => (r.firstGoldRank !== null && r.firstGoldRank <= 5 ? 1 : 0)),
    recall_at_5: mean((r) => r.recallAt5),
    mrr_at_10: mean((r) => (r.firstGoldRank !== null && r.firstGoldRank <= 10 ? 1 / r.firstGoldRank : 0)),
    latency_ms: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), mean: mean((r) => r.latencyMs) },
  };
}
