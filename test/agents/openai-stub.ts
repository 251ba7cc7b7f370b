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
  body: { model: string; messages: { role: string; content: string }[] };
  authorization: string | null;
}

export interface OpenAIStub {
  baseUrl: string;
  transcriptions: TranscriptionRequest[];
  chats: ChatRequest[];
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

export async function startOpenAIStub(options: { apiKey?: string } = {}): Promise<OpenAIStub> {
  const stub: Omit<OpenAIStub, 'baseUrl' | 'close'> = { transcriptions: [], chats: [], failWith: null };
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
      stub.chats.push({ body: parsed, authorization });
      const chapters = (parsed.messages.at(-1)?.content.match(/^## /gm) ?? []).length;
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
