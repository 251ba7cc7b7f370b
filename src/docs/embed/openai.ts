import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { BosunError, formatZodIssues, parseWith } from '../../core/index.js';
import { withPrefix, type Embedder, type Prefixes } from './embedder.js';

/**
 * A client of the OpenAI embeddings API (`POST {baseUrl}/embeddings`), which Ollama, LM Studio,
 * vLLM, llama.cpp's server and OpenAI itself all speak. Inputs go in batches; a batch that
 * meets a rate limit, a server error or a network failure is retried with exponential backoff
 * (honouring `Retry-After`); anything else fails at once with the server's own message.
 */

export const openAIEmbedderOptionsSchema = z
  .object({
    /** The API base, e.g. `http://localhost:11434/v1` (a URL ending in `/embeddings` is used as is). */
    baseUrl: z.string().url(),
    model: z.string().min(1),
    apiKey: z.string().min(1).optional(),
    /** Ask the server for vectors of this length (models that support shortening). */
    dimensions: z.number().int().positive().optional(),
    batchSize: z.number().int().min(1).max(2048).default(64),
    maxRetries: z.number().int().min(0).max(10).default(4),
    timeoutMs: z.number().int().positive().default(60_000),
    /** Longer inputs are cut: every server has a context limit, and a chunk rarely comes near it. */
    maxInputChars: z.number().int().positive().default(16_000),
    queryPrefix: z.string().optional(),
    documentPrefix: z.string().optional(),
  })
  .strict();
export type OpenAIEmbedderOptions = z.input<typeof openAIEmbedderOptionsSchema>;

const embeddingsResponse = z.object({
  data: z.array(z.object({ index: z.number().int().min(0), embedding: z.array(z.number()) })).min(1),
});

const errorResponse = z
  .object({ error: z.union([z.string(), z.object({ message: z.string() }).passthrough()]) })
  .passthrough();

const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 8_000;

export function openAIEmbedder(options: OpenAIEmbedderOptions): Embedder {
  const o = parseWith(openAIEmbedderOptionsSchema, options, 'embeddings endpoint options', 'INVALID_CONFIG');
  const url = o.baseUrl.replace(/\/+$/, '').endsWith('/embeddings')
    ? o.baseUrl
    : `${o.baseUrl.replace(/\/+$/, '')}/embeddings`;
  const prefixes: Prefixes = { queryPrefix: o.queryPrefix, documentPrefix: o.documentPrefix };

  async function embedBatch(input: string[]): Promise<number[][]> {
    const body = JSON.stringify({
      model: o.model,
      input,
      encoding_format: 'float',
      ...(o.dimensions ? { dimensions: o.dimensions } : {}),
    });
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) },
          body,
          signal: AbortSignal.timeout(o.timeoutMs),
        });
      } catch (err) {
        if (attempt >= o.maxRetries) throw unreachable(url, err);
        await sleep(backoff(attempt));
        continue;
      }
      if (res.ok) return parseVectors(await res.json().catch(() => null), input.length, url);
      const retryable = res.status === 429 || res.status >= 500;
      if (!retryable || attempt >= o.maxRetries) throw await httpError(res, url);
      await res.body?.cancel();
      await sleep(retryAfterMs(res) ?? backoff(attempt));
    }
  }

  return {
    model: o.model,
    async embed(texts, kind) {
      const inputs = withPrefix(texts, kind, prefixes).map((t) => t.slice(0, o.maxInputChars));
      const vectors: number[][] = [];
      for (let i = 0; i < inputs.length; i += o.batchSize)
        vectors.push(...(await embedBatch(inputs.slice(i, i + o.batchSize))));
      const dim = vectors[0]?.length;
      if (vectors.some((v) => v.length !== dim))
        throw new BosunError('EMBEDDINGS_FAILED', `${url} returned vectors of different lengths`);
      return vectors;
    },
  };
}

function parseVectors(json: unknown, expected: number, url: string): number[][] {
  const parsed = embeddingsResponse.safeParse(json);
  if (!parsed.success) {
    throw new BosunError(
      'EMBEDDINGS_FAILED',
      `${url} did not answer like an OpenAI embeddings endpoint: ${formatZodIssues(parsed.error)}`,
      {
        hint: 'the base URL usually ends in /v1 (Ollama: http://localhost:11434/v1)',
      },
    );
  }
  const data = [...parsed.data.data].sort((a, b) => a.index - b.index);
  if (data.length !== expected || data.some((d, i) => d.index !== i)) {
    throw new BosunError('EMBEDDINGS_FAILED', `${url} returned ${data.length} vectors for ${expected} inputs`);
  }
  return data.map((d) => d.embedding);
}

async function httpError(res: Response, url: string): Promise<BosunError> {
  const text = await res.text().catch(() => '');
  let message = text.slice(0, 300);
  try {
    const parsed = errorResponse.safeParse(JSON.parse(text));
    if (parsed.success) message = typeof parsed.data.error === 'string' ? parsed.data.error : parsed.data.error.message;
  } catch {
    // not JSON: keep the text
  }
  const hint =
    res.status === 401 || res.status === 403
      ? 'check endpoints.apiKey (BOSUN_ENDPOINTS_API_KEY)'
      : res.status === 404
        ? 'check endpoints.embeddingsUrl (it usually ends in /v1) and that the model is available there'
        : undefined;
  return new BosunError(
    'EMBEDDINGS_FAILED',
    `embeddings request to ${url} failed: HTTP ${res.status}${message ? `: ${message}` : ''}`,
    { hint },
  );
}

function unreachable(url: string, err: unknown): BosunError {
  return new BosunError('EMBEDDINGS_FAILED', `cannot reach the embeddings endpoint ${url}: ${(err as Error).message}`, {
    hint: 'is the server (Ollama, LM Studio, vLLM…) running?',
    cause: err,
  });
}

function backoff(attempt: number): number {
  return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
}

function retryAfterMs(res: Response): number | null {
  const value = res.headers.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.min(seconds * 1000, 60_000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.min(at - Date.now(), 60_000));
}
