import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncLibrary } from '../../../src/docs/index.js';
import { embedChunks } from '../../../src/docs/embed/embed-chunks.js';
import { localEmbedder } from '../../../src/docs/embed/local.js';
import { openAIEmbedder } from '../../../src/docs/embed/openai.js';
import { reciprocalRankFusion } from '../../../src/docs/search/fusion.js';
import { openLakeSearcher } from '../../../src/docs/search/open.js';
import { addAndSync, openPipeline, writeDocs, type Pipeline } from './support.js';

const DIM = 16;

/**
 * A stand-in for an embeddings server (Ollama, vLLM…) on loopback, speaking the OpenAI
 * `/v1/embeddings` protocol. Vectors are hashed bags of words, except that "zebra" and
 * "backpressure" share a direction, so a query can be near a text it shares no word with.
 */
class StubEmbeddings {
  requests: { model: string; inputs: number; authorization: string | undefined }[] = [];
  /** Answers to give before answering properly: an HTTP status, or 'garbage'. */
  failures: (number | 'garbage')[] = [];
  private server = http.createServer((req, res) => void this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const { model, input } = JSON.parse(body) as { model: string; input: string[] };
    this.requests.push({ model, inputs: input.length, authorization: req.headers.authorization });
    const failure = this.failures.shift();
    if (failure === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ vectors: [] }));
      return;
    }
    if (failure !== undefined) {
      res
        .writeHead(failure, { 'content-type': 'application/json', 'retry-after': '0' })
        .end(JSON.stringify({ error: { message: `stub failure ${failure}` } }));
      return;
    }
    const data = input.map((text, index) => ({ object: 'embedding', index, embedding: vectorOf(text) }));
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: 0, total_tokens: 0 } }));
  }
}

function vectorOf(text: string): number[] {
  const v = new Array<number>(DIM).fill(0);
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    if (word === 'zebra' || word === 'backpressure') v[0]! += 10;
    else v[[...word].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % DIM, 7)]! += 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

describe('embeddings: the OpenAI-compatible client against a stub endpoint', () => {
  const stub = new StubEmbeddings();
  let url: string;
  beforeAll(async () => {
    url = await stub.start();
  });
  afterAll(() => stub.stop());

  it('batches inputs, sends the key, and returns vectors in order', async () => {
    stub.requests = [];
    const embedder = openAIEmbedder({ baseUrl: url, model: 'stub', apiKey: 'sk-test', batchSize: 2 });
    const vectors = await embedder.embed(['one', 'two', 'three', 'zebra', 'five'], 'document');
    expect(vectors).toHaveLength(5);
    expect(vectors[3]).toEqual(vectorOf('zebra'));
    expect(stub.requests.map((r) => r.inputs)).toEqual([2, 2, 1]);
    expect(stub.requests.every((r) => r.authorization === 'Bearer sk-test' && r.model === 'stub')).toBe(true);
  });

  it('retries rate limits and server errors, then succeeds', async () => {
    stub.requests = [];
    stub.failures = [429, 503];
    const vectors = await openAIEmbedder({ baseUrl: url, model: 'stub' }).embed(['retry me'], 'query');
    expect(vectors[0]).toEqual(vectorOf('retry me'));
    expect(stub.requests).toHaveLength(3);
  });

  it('fails clearly: a client error, a response that is not the protocol, an unreachable server', async () => {
    stub.failures = [401];
    await expect(openAIEmbedder({ baseUrl: url, model: 'stub' }).embed(['x'], 'query')).rejects.toMatchObject({
      code: 'EMBEDDINGS_FAILED',
      message: expect.stringContaining('HTTP 401: stub failure 401'),
      hint: expect.stringContaining('apiKey'),
    });
    stub.failures = ['garbage'];
    await expect(openAIEmbedder({ baseUrl: url, model: 'stub' }).embed(['x'], 'query')).rejects.toMatchObject({
      code: 'EMBEDDINGS_FAILED',
      message: expect.stringContaining('did not answer like an OpenAI embeddings endpoint'),
    });
    await expect(
      openAIEmbedder({ baseUrl: 'http://127.0.0.1:9/v1', model: 'stub', maxRetries: 0 }).embed(['x'], 'query'),
    ).rejects.toMatchObject({
      code: 'EMBEDDINGS_FAILED',
      message: expect.stringContaining('cannot reach'),
    });
    expect(() => openAIEmbedder({ baseUrl: 'not a url', model: 'stub' })).toThrow(
      /invalid embeddings endpoint options/,
    );
  });
});

describe('a local model needs the optional package, and says so', () => {
  it('a missing folder, then a folder without @huggingface/transformers installed', async () => {
    await expect(localEmbedder({ modelDir: '/nonexistent/model' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const dir = await fs.mkdtemp(path.join((await import('node:os')).tmpdir(), 'bosun-model-'));
    await fs.writeFile(path.join(dir, 'config.json'), '{}');
    try {
      await expect(localEmbedder({ modelDir: dir })).rejects.toMatchObject({
        code: 'TOOL_MISSING',
        hint: expect.stringContaining(
          'install @huggingface/transformers and point --model-dir at a local model folder',
        ),
      });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('reciprocal rank fusion', () => {
  it('ranks by the sum of 1 / (60 + rank) over the lists', () => {
    const fused = reciprocalRankFusion([
      [
        { doc: 1, score: 9 },
        { doc: 2, score: 8 },
        { doc: 3, score: 7 },
      ],
      [
        { doc: 3, score: 0.9 },
        { doc: 1, score: 0.8 },
      ],
    ]);
    expect(fused.map((f) => f.doc)).toEqual([1, 3, 2]);
    expect(fused[0]!.score).toBeCloseTo(1 / 61 + 1 / 62, 10);
    expect(fused[2]!.score).toBeCloseTo(1 / 62, 10);
  });
});

describe('vectors in the lake, and hybrid search', () => {
  const stub = new StubEmbeddings();
  let p: Pipeline;
  let url: string;
  let root: string;

  beforeAll(async () => {
    url = await stub.start();
    p = await openPipeline();
    root = path.join(p.dir, 'flow');
    await writeDocs(root, {
      'streams.md':
        '# Streams\n\nA stream delivers every change to its subscribers.\n\n## Backpressure\n\nSubscribers that fall behind are paused until they catch up.\n',
      'queues.md': '# Queues\n\nJobs wait in durable queues and are retried with exponential delays.\n',
      'retired.md': '# Retired\n\nThis page goes away in the next sync.\n',
    });
    await addAndSync(p, 'flow', root);
  });
  afterAll(async () => {
    await p?.close();
    await stub.stop();
  });

  const embeddingRows = () =>
    p.query(`SELECT chunk_id, model, dim, len(vector) AS n FROM docs.embeddings ORDER BY chunk_id`);

  it('embeds every chunk once, with its model and dimension', async () => {
    const embedder = openAIEmbedder({ baseUrl: url, model: 'stub-a' });
    const first = await embedChunks(p.lake, embedder);
    const [chunks] = await p.query('SELECT count(*) AS n FROM docs.chunks');
    expect(first).toMatchObject({
      model: 'stub-a',
      dim: DIM,
      embedded: Number(chunks!.n),
      alreadyEmbedded: 0,
      replaced: 0,
    });
    const rows = await embeddingRows();
    expect(rows).toHaveLength(Number(chunks!.n));
    expect(rows.every((r) => r.model === 'stub-a' && r.dim === DIM && Number(r.n) === DIM)).toBe(true);
    expect(await embedChunks(p.lake, embedder)).toMatchObject({
      embedded: 0,
      alreadyEmbedded: Number(chunks!.n),
      snapshots: [],
    });
  });

  it('a sync that removes a page removes its vectors and keeps the others', async () => {
    const before = await embeddingRows();
    await fs.rm(path.join(root, 'retired.md'));
    await syncLibrary(p.deps, 'flow');
    const [gone] = await p.query(`SELECT count(*) AS n FROM docs.chunks WHERE path = 'retired.md'`);
    expect(Number(gone!.n)).toBe(0);
    const after = await embeddingRows();
    expect(after.length).toBe(before.length - 1);
    const [orphans] = await p.query(
      'SELECT count(*) AS n FROM docs.embeddings WHERE chunk_id NOT IN (SELECT chunk_id FROM docs.chunks)',
    );
    expect(Number(orphans!.n)).toBe(0);
  });

  it('fuses dense and lexical rankings, and falls back to lexical when the endpoint is down', async () => {
    const embedder = openAIEmbedder({ baseUrl: url, model: 'stub-a', maxRetries: 0 });
    const searcher = await openLakeSearcher({ pool: p.db.pool, lake: p.lake, embedder, accessLog: false });
    try {
      // No chunk contains "zebra": only the vectors can find the backpressure section.
      const hybrid = await searcher.search({ query: 'zebra', libraries: ['flow'] });
      expect(hybrid.retrieval).toBe('hybrid');
      expect(hybrid.hits[0]).toMatchObject({ path: 'streams.md', text: expect.stringContaining('Backpressure') });
      const lexicalOnly = await openLakeSearcher({ pool: p.db.pool, lake: p.lake, accessLog: false });
      expect((await lexicalOnly.search({ query: 'zebra', libraries: ['flow'] })).hits).toEqual([]);
      await lexicalOnly.close();

      stub.failures = [500];
      const degraded = await searcher.search({ query: 'durable queues', libraries: ['flow'] });
      expect(degraded.retrieval).toBe('bm25');
      expect(degraded.hits[0]?.path).toBe('queues.md');
      expect(degraded.notes.join(' ')).toMatch(/dense retrieval unavailable/);
    } finally {
      await searcher.close();
    }
  });

  it('changing the model embeds again and drops the old vectors', async () => {
    const result = await embedChunks(p.lake, openAIEmbedder({ baseUrl: url, model: 'stub-b' }));
    const rows = await embeddingRows();
    expect(result).toMatchObject({ model: 'stub-b', embedded: rows.length, replaced: rows.length });
    expect(new Set(rows.map((r) => r.model))).toEqual(new Set(['stub-b']));
  });
});
