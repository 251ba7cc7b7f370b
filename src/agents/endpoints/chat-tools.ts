import { z } from 'zod';
import { BosunError, formatZodIssues } from '../../core/index.js';
import { endpointUrl } from './openai.js';

/**
 * One chat-completions call with tools (OpenAI's protocol, which Ollama, llama.cpp's server and
 * vLLM speak too), plain or streamed (server-sent events with deltas), retried where a retry can
 * help: 429 after its Retry-After, 5xx and answers that are not the protocol's JSON with a
 * backoff. Every attempt is reported so the caller can record it.
 */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ToolMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface ToolDefinition {
  type: 'function';
  function: { name: string; description: string; parameters: unknown };
}

export interface Attempt {
  /** HTTP status, or null when the server could not be reached. */
  status: number | null;
  error: string | null;
  /** How long we waited before the next attempt. */
  waitMs: number;
}

export interface ChatTurn {
  message: { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] };
  finishReason: string | null;
  promptTokens: number;
  completionTokens: number;
  attempts: Attempt[];
}

export interface ChatToolsOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  messages: ToolMessage[];
  tools: ToolDefinition[];
  stream: boolean;
  signal?: AbortSignal;
  /** Attempts in all (default 4); the last failure is thrown. */
  maxAttempts?: number;
  /** Longest Retry-After honoured (default 30 s); a longer one fails the call. */
  maxRetryAfterMs?: number;
  /** First backoff for 5xx and malformed answers (default 250 ms, doubling). */
  backoffMs?: number;
}

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function').default('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
const usageSchema = z
  .object({ prompt_tokens: z.number(), completion_tokens: z.number() })
  .partial()
  .nullable()
  .optional();
const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          tool_calls: z.array(toolCallSchema).nullable().optional(),
        }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1, 'no choices'),
  usage: usageSchema,
});
const chunkSchema = z.object({
  choices: z.array(
    z.object({
      delta: z
        .object({
          content: z.string().nullable().optional(),
          tool_calls: z
            .array(
              z.object({
                index: z.number().int(),
                id: z.string().optional(),
                function: z.object({ name: z.string().optional(), arguments: z.string().optional() }).optional(),
              }),
            )
            .optional(),
        })
        .default({}),
      finish_reason: z.string().nullable().optional(),
    }),
  ),
  usage: usageSchema,
});

/** Why an answer cannot be used, and whether asking again may help. */
class CallFailure extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** Retry-After is seconds or an HTTP date. */
function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function fromCompletion(json: unknown): Omit<ChatTurn, 'attempts'> {
  const parsed = completionSchema.safeParse(json);
  if (!parsed.success) throw new CallFailure(`not a chat completion: ${formatZodIssues(parsed.error)}`, 200, true);
  const choice = parsed.data.choices[0]!;
  const calls = choice.message.tool_calls ?? [];
  return {
    message: {
      role: 'assistant',
      content: choice.message.content ?? null,
      ...(calls.length ? { tool_calls: calls } : {}),
    },
    finishReason: choice.finish_reason ?? null,
    promptTokens: parsed.data.usage?.prompt_tokens ?? 0,
    completionTokens: parsed.data.usage?.completion_tokens ?? 0,
  };
}

/** Folds server-sent chunks into one message: content concatenated, tool calls assembled by index. */
function fromStream(text: string): Omit<ChatTurn, 'attempts'> {
  let content = '';
  let sawContent = false;
  const calls: { id: string; name: string; arguments: string }[] = [];
  let finishReason: string | null = null;
  let usage: z.infer<typeof usageSchema> = null;
  let done = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      done = true;
      break;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      throw new CallFailure(`a streamed chunk is not JSON: ${data.slice(0, 120)}`, 200, true);
    }
    const chunk = chunkSchema.safeParse(json);
    if (!chunk.success)
      throw new CallFailure(`not a chat completion chunk: ${formatZodIssues(chunk.error)}`, 200, true);
    usage = chunk.data.usage ?? usage;
    for (const choice of chunk.data.choices) {
      if (choice.delta.content) {
        content += choice.delta.content;
        sawContent = true;
      }
      for (const d of choice.delta.tool_calls ?? []) {
        const call = (calls[d.index] ??= { id: '', name: '', arguments: '' });
        if (d.id) call.id = d.id;
        if (d.function?.name) call.name += d.function.name;
        if (d.function?.arguments) call.arguments += d.function.arguments;
      }
      finishReason = choice.finish_reason ?? finishReason;
    }
  }
  if (!done) throw new CallFailure('the stream ended without [DONE]', 200, true);
  const toolCalls: ToolCall[] = calls
    .filter(Boolean)
    .map((c, k) => ({ id: c.id || `call_${k}`, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  return {
    message: {
      role: 'assistant',
      content: sawContent ? content : null,
      ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
    },
    finishReason,
    promptTokens: usage?.prompt_tokens ?? 0,
    completionTokens: usage?.completion_tokens ?? 0,
  };
}

async function attempt(url: string, options: ChatToolsOptions): Promise<Omit<ChatTurn, 'attempts'>> {
  const body = {
    model: options.model,
    messages: options.messages,
    ...(options.tools.length ? { tools: options.tools, tool_choice: 'auto' } : {}),
    temperature: 0,
    ...(options.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      body: JSON.stringify(body),
      signal: options.signal,
    });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new CallFailure(`cannot reach ${url}: ${(err as Error).message}`, null, true);
  }
  const text = await res.text();
  if (!res.ok) {
    const message = `HTTP ${res.status}: ${text.slice(0, 300)}`;
    if (res.status === 429) throw new CallFailure(message, 429, true, retryAfterMs(res.headers.get('retry-after')));
    throw new CallFailure(message, res.status, res.status >= 500);
  }
  if (options.stream && (res.headers.get('content-type') ?? '').includes('text/event-stream')) return fromStream(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CallFailure(`the answer is not JSON: ${text.slice(0, 120)}`, res.status, true);
  }
  return fromCompletion(json);
}

/** Throws CHAT_FAILED (with the attempts in details) when no attempt gave a usable answer. */
export async function chatWithTools(options: ChatToolsOptions): Promise<ChatTurn> {
  const url = endpointUrl(options.baseUrl, '/chat/completions');
  const maxAttempts = options.maxAttempts ?? 4;
  const maxRetryAfter = options.maxRetryAfterMs ?? 30_000;
  const attempts: Attempt[] = [];
  for (let n = 1; ; n++) {
    try {
      const turn = await attempt(url, options);
      attempts.push({ status: 200, error: null, waitMs: 0 });
      return { ...turn, attempts };
    } catch (err) {
      if (!(err instanceof CallFailure)) throw err;
      const wait = err.retryAfterMs ?? (options.backoffMs ?? 250) * 2 ** (n - 1);
      const last = n >= maxAttempts || !err.retryable || wait > maxRetryAfter;
      attempts.push({ status: err.status, error: err.message, waitMs: last ? 0 : wait });
      if (last) {
        throw new BosunError('CHAT_FAILED', `chat completion at ${url} failed after ${n} attempt(s): ${err.message}`, {
          details: { retryable: err.retryable, attempts },
        });
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
