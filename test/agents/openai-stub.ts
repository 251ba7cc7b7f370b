import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible server on loopback for what tests cannot reach: POST
 * /v1/audio/transcriptions (multipart/form-data, `verbose_json` answers with segments) and
 * POST /v1/chat/completions (JSON), with OpenAI's error shape. It records what it was sent.
 */
export interface TranscriptionRequest {
  model: string | null;
  responseFormat: string | null;
  language: string | null;
  fileName: string;
  fileType: string;
  bytes: number;
  /** An MP3 starts with an ID3 tag or an MPEG audio frame sync. */
  isMp3: boolean;
  authorization: string | null;
}

export interface ChatRequest {
  body: {
    model: string;
    messages: { role: string; content: string | null; tool_calls?: StubToolCall[]; tool_call_id?: string }[];
    tools?: { type: string; function: { name: string; description: string; parameters: unknown } }[];
    stream?: boolean;
  };
  authorization: string | null;
}

export interface StubToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * One scripted answer to a chat request: an HTTP error (with headers, e.g. Retry-After), a raw
 * body (malformed JSON), or an assistant message (content and/or tool calls) with its usage —
 * sent as one JSON completion, or as server-sent chunks when the request asked to stream.
 */
export type ChatScriptStep =
  | { status: number; headers?: Record<string, string>; body?: string }
  | { raw: string }
  | {
      message: { content?: string | null; tool_calls?: StubToolCall[] };
      usage?: { prompt_tokens: number; completion_tokens: number };
    };

export interface OpenAIStub {
  baseUrl: string;
  transcriptions: TranscriptionRequest[];
  chats: ChatRequest[];
  /** Answers for the next chat requests, in order (a function sees the request); the default answer after. */
  chatScript: (ChatScriptStep | ((request: ChatRequest) => ChatScriptStep))[];
  /** Answer the next requests with this HTTP status instead. */
  failWith: number | null;
  close(): Promise<void>;
}

async function body(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

function answerScripted(res: http.ServerResponse, step: ChatScriptStep, request: ChatRequest['body']): void {
  if ('status' in step) {
    res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
    res.end(
      step.body ?? JSON.stringify({ error: { message: `scripted ${step.status}`, type: 'server_error', code: null } }),
    );
    return;
  }
  if ('raw' in step) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(step.raw);
    return;
  }
  const usage = step.usage ?? { prompt_tokens: 10, completion_tokens: 5 };
  const calls = step.message.tool_calls ?? [];
  const finish = calls.length ? 'tool_calls' : 'stop';
  const base = { id: 'chatcmpl-scripted', created: Math.floor(Date.now() / 1000), model: request.model };
  if (!request.stream) {
    json(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: step.message.content ?? null,
            ...(calls.length ? { tool_calls: calls } : {}),
          },
          finish_reason: finish,
        },
      ],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    });
    return;
  }
  // As OpenAI streams: a role delta, content in pieces, each tool call's id and name first and
  // its arguments split across chunks, the finish reason, a usage chunk, then [DONE].
  const chunk = (delta: unknown, finishReason: string | null = null) => ({
    ...base,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  const chunks: unknown[] = [chunk({ role: 'assistant', content: '' })];
  const content = step.message.content ?? '';
  for (let at = 0; at < content.length; at += 7) chunks.push(chunk({ content: content.slice(at, at + 7) }));
  calls.forEach((call, index) => {
    chunks.push(
      chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }],
      }),
    );
    const args = call.function.arguments;
    const half = Math.ceil(args.length / 2);
    for (const part of [args.slice(0, half), args.slice(half)])
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
  });
  chunks.push(chunk({}, finish));
  chunks.push({
    ...base,
    object: 'chat.completion.chunk',
    choices: [],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  });
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const c of chunks) res.write(`data: ${JSON.stringify(c)}\n\n`);
  res.end('data: [DONE]\n\n');
}

export async function startOpenAIStub(options: { apiKey?: string } = {}): Promise<OpenAIStub> {
  const stub: Omit<OpenAIStub, 'baseUrl' | 'close'> = { transcriptions: [], chats: [], chatScript: [], failWith: null };
  const server = http.createServer(async (req, res) => {
    const raw = await body(req);
    const authorization = req.headers.authorization ?? null;
    if (stub.failWith) {
      json(res, stub.failWith, {
        error: { message: `stub failure ${stub.failWith}`, type: 'server_error', code: null },
      });
      return;
    }
    if (options.apiKey && authorization !== `Bearer ${options.apiKey}`) {
      json(res, 401, {
        error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
      });
      return;
    }
    if (req.method === 'POST' && req.url === '/v1/audio/transcriptions') {
      const contentType = req.headers['content-type'] ?? '';
      if (!contentType.startsWith('multipart/form-data')) {
        json(res, 400, {
          error: { message: 'expected multipart/form-data', type: 'invalid_request_error', code: null },
        });
        return;
      }
      const form = await new Request('http://stub/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: raw,
      }).formData();
      const file = form.get('file');
      if (!(file instanceof File)) {
        json(res, 400, {
          error: { message: "'file' is a required property", type: 'invalid_request_error', code: null },
        });
        return;
      }
      const bytes = Buffer.from(await file.arrayBuffer());
      stub.transcriptions.push({
        model: form.get('model') as string | null,
        responseFormat: form.get('response_format') as string | null,
        language: form.get('language') as string | null,
        fileName: file.name,
        fileType: file.type,
        bytes: bytes.length,
        isMp3: bytes.subarray(0, 3).toString('latin1') === 'ID3' || (bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0),
        authorization,
      });
      json(res, 200, {
        task: 'transcribe',
        language: 'english',
        duration: 3.0,
        text: 'Hello from the lecture. The catalog tracks snapshots.',
        segments: [
          {
            id: 0,
            seek: 0,
            start: 0.0,
            end: 1.4,
            text: ' Hello from the lecture.',
            tokens: [],
            temperature: 0,
            avg_logprob: -0.2,
            compression_ratio: 1.1,
            no_speech_prob: 0.01,
          },
          {
            id: 1,
            seek: 0,
            start: 1.4,
            end: 3.0,
            text: ' The catalog tracks snapshots.',
            tokens: [],
            temperature: 0,
            avg_logprob: -0.2,
            compression_ratio: 1.1,
            no_speech_prob: 0.01,
          },
        ],
      });
      return;
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      const parsed = JSON.parse(raw.toString('utf8')) as ChatRequest['body'];
      if (typeof parsed.model !== 'string' || !Array.isArray(parsed.messages)) {
        json(res, 400, {
          error: { message: 'model and messages are required', type: 'invalid_request_error', code: null },
        });
        return;
      }
      const request = { body: parsed, authorization };
      stub.chats.push(request);
      const scripted = stub.chatScript.shift();
      if (scripted) {
        answerScripted(res, typeof scripted === 'function' ? scripted(request) : scripted, parsed);
        return;
      }
      const chapters = (parsed.messages.at(-1)?.content?.match(/^## /gm) ?? []).length;
      json(res, 200, {
        id: 'chatcmpl-stub',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: `${parsed.model}-stub`,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: `## Summary\n- the transcript had ${chapters} chapters` },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 321, completion_tokens: 12, total_tokens: 333 },
      });
      return;
    }
    json(res, 404, {
      error: { message: `unknown route ${req.method} ${req.url}`, type: 'invalid_request_error', code: null },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(stub, {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as OpenAIStub;
}
