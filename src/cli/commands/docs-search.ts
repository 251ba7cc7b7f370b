import fs from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { BosunError, parseWith } from '../../core/index.js';
import { citation } from '../../docs/format.js';
// Types only: the search layer (DuckDB, the parsers) is imported by the command that runs.
import type { Hit, ReadResponse, SearchResponse, Searcher } from '../../docs/search/index.js';
import type { CliContext } from '../context.js';
import { emit, keyValues, table } from '../output.js';
import type { Wrap } from './wrap.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const count = z.coerce.number().int().min(1);

const searchOptions = z
  .object({
    library: z.array(z.string().min(1)).optional(),
    version: z.string().min(1).optional(),
    allVersions: z.boolean().optional(),
    pathPrefix: z.string().min(1).optional(),
    limit: count.max(100).optional(),
    maxTokens: count.optional(),
  })
  .strict();

const readOptions = z
  .object({
    version: z.string().min(1).optional(),
    section: z.string().min(1).optional(),
    maxTokens: count.optional(),
    offset: z.coerce.number().int().min(0).optional(),
  })
  .strict();

const outlineOptions = z
  .object({
    version: z.string().min(1).optional(),
    pathPrefix: z.string().min(1).optional(),
    depth: count.max(20).optional(),
  })
  .strict();

const evalOptions = z.object({ limit: count.max(100).optional(), verbose: z.boolean().optional() }).strict();

const embedOptions = z
  .object({
    library: z.string().min(1).optional(),
    modelDir: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
  })
  .strict();

/** Lines of a hit's text shown on a terminal (all of it with --max-tokens, which already bounds it). */
const PREVIEW_LINES = 12;

/** A searcher over the lake for one command; dense retrieval when the configuration names an embeddings endpoint. */
async function withSearcher<T>(ctx: CliContext, fn: (searcher: Searcher) => Promise<T>): Promise<T> {
  const [{ pool }, lake, { embedderFromConfig, openLakeSearcher }] = await Promise.all([
    ctx.db(),
    ctx.lake(),
    import('../../docs/search/index.js'),
  ]);
  const embedder = await embedderFromConfig(ctx.config);
  const searcher = await openLakeSearcher({
    pool,
    lake,
    client: 'cli',
    logger: ctx.logger,
    embedder,
    cacheDir: ctx.searchCacheDir,
  });
  try {
    return await fn(searcher);
  } finally {
    await searcher.close();
  }
}

async function search(ctx: CliContext, query: string, raw: Record<string, unknown>): Promise<void> {
  const o = parseWith(searchOptions, raw, 'options of docs search');
  const response = await withSearcher(ctx, (s) =>
    s.search({
      query,
      ...(o.library ? { libraries: o.library } : {}),
      ...(o.version ? { version: o.version } : {}),
      ...(o.allVersions ? { allVersions: true } : {}),
      ...(o.pathPrefix ? { pathPrefix: o.pathPrefix } : {}),
      ...(o.limit ? { limit: o.limit } : {}),
      ...(o.maxTokens ? { maxTokens: o.maxTokens } : {}),
    }),
  );
  emit(ctx, response, () => renderSearch(response, o.maxTokens));
}

/** With a budget, hits are shown whole, and those left out for it are counted. */
function renderSearch(r: SearchResponse, maxTokens: number | undefined): string {
  const whole = maxTokens !== undefined;
  const searched = r.searched.map((v) => `${v.library}@${v.version}`).join(', ') || '(nothing)';
  const lines = [
    `${r.hits.length} hit(s) in ${searched} · snapshot ${r.snapshot_id} · ${r.took_ms} ms${r.retrieval === 'hybrid' ? ' · hybrid' : ''}`,
  ];
  for (const note of r.notes) lines.push(`note: ${note}`);
  if (r.omitted) lines.push(`note: ${r.omitted} more hit(s) did not fit in ${maxTokens} tokens`);
  for (const hit of r.hits) lines.push('', ...renderHit(hit, whole));
  return lines.join('\n');
}

function renderHit(hit: Hit, whole: boolean): string[] {
  const text = hit.text.split('\n');
  const shown = whole ? text : text.slice(0, PREVIEW_LINES);
  return [
    `${hit.rank}. ${citation(hit)}  (score ${hit.score})`,
    `   source: ${hit.source}`,
    ...shown.map((l) => `   ${l}`),
    ...(shown.length < text.length
      ? [`   … ${text.length - shown.length} more lines: bosun docs read ${hit.library} ${hit.chunk_id}`]
      : []),
    ...(hit.truncated ? ['   … cut to fit --max-tokens'] : []),
    ...(hit.also_in.length
      ? [`   also in: ${hit.also_in.map((c) => `${c.library}@${c.version} ${c.path}`).join('; ')}`]
      : []),
  ];
}

async function read(ctx: CliContext, library: string, target: string, raw: Record<string, unknown>): Promise<void> {
  const o = parseWith(readOptions, raw, 'options of docs read');
  const page = await withSearcher(ctx, (s) =>
    s.read({
      library,
      pathOrChunkId: target,
      ...(o.version ? { version: o.version } : {}),
      ...(o.section ? { section: o.section } : {}),
      ...(o.maxTokens ? { maxTokens: o.maxTokens } : {}),
      ...(o.offset !== undefined ? { offset: o.offset } : {}),
    }),
  );
  emit(ctx, page, () => renderRead(page));
}

function renderRead(p: ReadResponse): string {
  const where = citation({ library: p.library, version: p.version, path: p.path, heading_path: p.section ?? [] });
  const lines = [
    `${where} — ${p.title}`,
    `source: ${p.source}`,
    `parts ${p.offset + 1}-${p.offset + p.parts_read} of ${p.total_chunks} · ${p.tokens} tokens${p.truncated ? ' (cut)' : ''}`,
    '',
    p.text,
  ];
  if (p.next_offset !== null)
    lines.push(
      '',
      `next: bosun docs read ${p.library} ${p.path} --version ${p.version}${p.section ? ` --section "${p.section.at(-1)}"` : ''} --offset ${p.next_offset}`,
    );
  return lines.join('\n');
}

async function outline(ctx: CliContext, library: string, raw: Record<string, unknown>): Promise<void> {
  const o = parseWith(outlineOptions, raw, 'options of docs outline');
  const { renderOutline } = await import('../../docs/search/index.js');
  const result = await withSearcher(ctx, (s) =>
    s.outline({
      library,
      ...(o.version ? { version: o.version } : {}),
      ...(o.pathPrefix ? { pathPrefix: o.pathPrefix } : {}),
      ...(o.depth ? { depth: o.depth } : {}),
    }),
  );
  emit(ctx, result, () =>
    [`${result.library}@${result.version}: ${result.pages} page(s)`, ...renderOutline(result.tree)].join('\n'),
  );
}

async function evalQuestions(ctx: CliContext, file: string, raw: Record<string, unknown>): Promise<void> {
  const o = parseWith(evalOptions, raw, 'options of docs eval');
  if (!fs.existsSync(file))
    throw new BosunError('NOT_FOUND', `no such file: ${file}`, {
      hint: 'a question set is a .jsonl file: one {"question", "library", "version", "gold"} per line',
    });
  const { evaluate, parseQuestions } = await import('../../docs/search/index.js');
  const questions = parseQuestions(fs.readFileSync(file, 'utf8'), file);
  const { summary, results } = await withSearcher(ctx, (s) =>
    evaluate(s, questions, o.limit ? { limit: o.limit } : {}),
  );
  emit(ctx, { summary, results }, () => {
    const metrics = keyValues([
      ['questions', summary.questions],
      ['hit@1', summary.hit_at_1.toFixed(3)],
      ['hit@5', summary.hit_at_5.toFixed(3)],
      ['recall@5', summary.recall_at_5.toFixed(3)],
      ['MRR@10', summary.mrr_at_10.toFixed(3)],
      ['latency p50', `${summary.latency_ms.p50.toFixed(2)} ms`],
      ['latency p95', `${summary.latency_ms.p95.toFixed(2)} ms`],
    ]);
    const misses = results.filter((r) => r.firstGoldRank !== 1);
    if (!o.verbose || !misses.length) return metrics;
    const rows = misses.map((r) => ({
      id: r.id,
      rank: r.firstGoldRank ?? '-',
      question: r.question.slice(0, 70),
      top: r.hits[0] ?? '',
    }));
    return `${metrics}\n\nnot first:\n${table(rows)}`;
  });
}

async function embed(ctx: CliContext, raw: Record<string, unknown>): Promise<void> {
  const o = parseWith(embedOptions, raw, 'options of docs embed');
  const { embedChunks, embedderFromConfig } = await import('../../docs/index.js');
  const embedder = await embedderFromConfig(ctx.config, {
    ...(o.modelDir ? { modelDir: o.modelDir } : {}),
    ...(o.model ? { model: o.model } : {}),
  });
  if (!embedder) {
    throw new BosunError('INVALID_CONFIG', 'no embedding model configured', {
      hint: 'set endpoints.embeddingsUrl and endpoints.embeddingsModel (e.g. Ollama: http://localhost:11434/v1, nomic-embed-text), or pass --model-dir',
    });
  }
  const lake = await ctx.lake();
  const result = await embedChunks(lake, embedder, {
    logger: ctx.logger,
    ...(o.library ? { library: o.library } : {}),
  });
  emit(ctx, result, () =>
    keyValues([
      ['model', result.model],
      ['dimensions', result.dim],
      ['embedded now', result.embedded],
      ['already embedded', result.alreadyEmbedded],
      ['other models removed', result.replaced],
      ['snapshots', result.snapshots.join(', ') || '-'],
    ]),
  );
}

async function reindex(ctx: CliContext): Promise<void> {
  const { rebuildChunkIndex, rebuildSearchSignals } = await import('../../docs/index.js');
  const lake = await ctx.lake();
  const indexed = await rebuildChunkIndex(lake);
  const signals = indexed.snapshotId === null ? [] : await rebuildSearchSignals((await ctx.db()).pool, lake);
  const result = { ...indexed, snapshotId: signals.at(-1)?.snapshotId ?? indexed.snapshotId, signals };
  emit(ctx, result, () =>
    result.snapshotId === null
      ? 'no chunks to index'
      : `indexed ${result.chunks} chunks and the search signals of ${signals.length} libraries; snapshot ${result.snapshotId}`,
  );
}

/** `bosun docs search|read|outline|eval|embed|reindex`, registered into the `bosun docs` group. */
export function registerDocsSearchCommands(docs: Command, wrap: Wrap): void {
  docs
    .command('search <query>')
    .description(
      "search the libraries' default versions (or --version / --all-versions); hits cite library@version path › heading",
    )
    .option('--library <name>', 'search this library (repeatable; default: all)', collect)
    .option('--version <version>', 'search this version instead of the default')
    .option('--all-versions', 'search every version (copies of one section collapse into one hit)')
    .option('--path-prefix <prefix>', 'only pages whose path starts with this')
    .option('--limit <n>', 'hits (default 10, at most 100)')
    .option('--max-tokens <n>', 'the whole answer fits this many tokens')
    .action(wrap(async (ctx, query: string, opts: Record<string, unknown>) => search(ctx, query, opts)));

  docs
    .command('read <library> <target>')
    .description('read a page (by path, URL or chunk id) or one section of it, a token budget at a time')
    .option('--version <version>', 'the version (default: the default version)')
    .option('--section <heading>', 'only this section (heading text or anchor) and its subsections')
    .option('--max-tokens <n>', 'at most this many tokens; --offset continues')
    .option('--offset <k>', 'chunks to skip (the previous read says where to continue)')
    .action(
      wrap(async (ctx, library: string, target: string, opts: Record<string, unknown>) =>
        read(ctx, library, target, opts),
      ),
    );

  docs
    .command('outline <library>')
    .description("a version's table of contents: folders, pages and headings")
    .option('--version <version>', 'the version (default: the default version)')
    .option('--path-prefix <prefix>', 'only pages under this path')
    .option('--depth <n>', 'levels shown')
    .action(wrap(async (ctx, library: string, opts: Record<string, unknown>) => outline(ctx, library, opts)));

  docs
    .command('eval <questions>')
    .description(
      'measure search on a question set (.jsonl: question, library, version, gold paths): hit@1, hit@5, recall@5, MRR@10, latency',
    )
    .option('--limit <n>', 'hits fetched per question (default 10)')
    .option('--verbose', 'list the questions whose first hit is not a gold page')
    .action(wrap(async (ctx, file: string, opts: Record<string, unknown>) => evalQuestions(ctx, file, opts)));

  docs
    .command('embed')
    .description(
      'embed chunks that have no vector of the configured model yet (endpoints.embeddingsUrl, or --model-dir)',
    )
    .option('--library <name>', 'only this library')
    .option('--model-dir <dir>', 'a local model folder (needs the optional @huggingface/transformers package)')
    .option('--model <name>', 'the model name (default: endpoints.embeddingsModel, or the folder name)')
    .action(wrap(async (ctx, opts: Record<string, unknown>) => embed(ctx, opts)));

  docs
    .command('reindex')
    .description("rebuild the search index from the lake's chunks (after an upgrade that changed the tokenizer)")
    .action(wrap(async (ctx) => reindex(ctx)));
}
