import { z } from 'zod';
import { BosunError, formatZodIssues } from '../../core/index.js';

/**
 * The two calls agents make to OpenAI-compatible servers (OpenAI itself, a local whisper server,
 * Ollama, vLLM…): chat completions and audio transcriptions. Failures are BosunErrors:
 * ENDPOINT_UNAVAILABLE (network, 429, 5xx; details.retryable true) or ENDPOINT_REJECTED
 * (anything else; details.retryable false), which the agents runtime reads.
 */

/** `http://host:8000` and `http://host:8000/v1` both mean the server; routes are under /v1. */
export function endpointUrl(base: string, route: '/chat/completions' | '/audio/transcriptions'): string {
  const trimmed = base.replace(/\/+$/, '');
  return `${/\/v1$/.test(trimmed) ? trimmed : `${trimmed}/v1`}${route}`;
}

/** The API key for the configured endpoints: from the variable `apiKeyEnv` names, else `apiKey`. */
export function apiKeyOf(endpoints: {
  apiKeyEnv?: string | undefined;
  apiKey?: string | undefined;
}): string | undefined {
  return (endpoints.apiKeyEnv ? process.env[endpoints.apiKeyEnv] : undefined) ?? endpoints.apiKey;
}

function unavailable(message: string, extra: { cause?: unknown; status?: number } = {}): BosunError {
  return new BosunError('ENDPOINT_UNAVAILABLE', message, {
    cause: extra.cause,
    details: { retryable: true, status: extra.status },
  });
}

function rejected(message: string, extra: { hint?: string; status?: number } = {}): BosunError {
  return new BosunError('ENDPOINT_REJECTED', message, {
    hint: extra.hint,
    details: { retryable: false, status: extra.status },
  });
}

async function send<T extends z.ZodTypeAny>(
  url: string,
  init: RequestInit,
  schema: T,
  what: string,
): Promise<z.infer<T>> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw unavailable(`${what}: cannot reach ${url}: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  if (!res.ok) {
    const message = `${what}: ${url} answered HTTP ${res.status}: ${text.slice(0, 300)}`;
    if (res.status === 429 || res.status >= 500) throw unavailable(message, { status: res.status });
    throw rejected(message, {
      status: res.status,
      hint: res.status === 401 || res.status === 403 ? 'check endpoints.apiKey' : undefined,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw rejected(`${what}: ${url} did not answer JSON: ${text.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw rejected(`${what}: unexpected answer from ${url}: ${formatZodIssues(parsed.error)}`);
  }
  return parsed.data as z.infer<T>;
}

function authHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

const chatResponseSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ role: z.string(), content: z.string().nullable() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1, 'no choices'),
  usage: z
    .object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() })
    .partial()
    .optional(),
});

export interface ChatResult {
  content: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

export async function chatCompletion(options: {
  baseUrl: string;
  apiKey?: string;
  model: string;
  messages: ChatMessage[];
  signal?: AbortSignal;
}): Promise<ChatResult> {
  const url = endpointUrl(options.baseUrl, '/chat/completions');
  const body = { model: options.model, messages: options.messages, temperature: 0.2 };
  const res = await send(
    url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(options.apiKey) },
      body: JSON.stringify(body),
      signal: options.signal,
    },
    chatResponseSchema,
    'chat completion',
  );
  const content = res.choices[0]!.message.content;
  if (!content?.trim()) throw rejected(`chat completion: ${url} returned an empty message`);
  return {
    content,
    model: res.model ?? options.model,
    promptTokens: res.usage?.prompt_tokens ?? 0,
    completionTokens: res.usage?.completion_tokens ?? 0,
  };
}

/** `verbose_json` adds timed segments; servers that only know `json` answer with the text alone. */
const transcriptionSchema = z.object({
  text: z.string(),
  language: z.string().optional(),
  duration: z.number().optional(),
  segments: z.array(z.object({ start: z.number(), end: z.number(), text: z.string() })).optional(),
});

export interface Transcription {
  text: string;
  language: string | null;
  segments: { start: number; end: number; text: string }[];
}

export async function transcribeAudio(options: {
  baseUrl: string;
  apiKey?: string;
  model: string;
  audio: Buffer;
  fileName: string;
  mediaType: string;
  language?: string;
  signal?: AbortSignal;
}): Promise<Transcription> {
  const url = endpointUrl(options.baseUrl, '/audio/transcriptions');
  const form = new FormData();
  form.append('file', new Blob([options.audio], { type: options.mediaType }), options.fileName);
  form.append('model', options.model);
  form.append('response_format', 'verbose_json');
  if (options.language) form.append('language', options.language);
  const res = await send(
    url,
    { method: 'POST', headers: authHeaders(options.apiKey), body: form, signal: options.signal },
    transcriptionSchema,
    'transcription',
  );
  return {
    text: res.text.trim(),
    language: res.language ?? null,
    segments: res.segments?.length ? res.segments : [{ start: 0, end: res.duration ?? 0, text: res.text.trim() }],
  };
}
