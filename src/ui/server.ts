import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BosunError, createHttpGuard, ExitCode, toBosunError } from '../core/index.js';
import { handleApi, type DashboardDeps, type FileAnswer } from './api.js';
import { DashboardAuth } from './auth.js';
import { LiveEvents } from './live.js';

export interface DashboardOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Where the built front end is (index.html, app.js, app.css); default: the package's dist/ui. */
  assetsDir?: string;
}

export interface Dashboard {
  /** The first-visit URL, with the one-time token. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 256 * 1024;

const isFileAnswer = (answer: unknown): answer is FileAnswer =>
  typeof answer === 'object' &&
  answer !== null &&
  'file' in answer &&
  Buffer.isBuffer((answer as FileAnswer).file.body);

const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** The built front end, `dist/ui` in the package (found upward from this module, in src/ or dist/src/). */
function defaultAssetsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'ui');
}

const statusOf: Partial<Record<number, number>> = {
  [ExitCode.usage]: 400,
  [ExitCode.notFound]: 404,
  [ExitCode.conflict]: 409,
  [ExitCode.unavailable]: 503,
  [ExitCode.timeout]: 504,
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  // Everything the page loads comes from this server: no CDN, no inline script.
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
};

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown): void {
  const e = toBosunError(err);
  send(res, e.code === 'FORBIDDEN' ? 403 : (statusOf[e.exitCode] ?? 500), { error: e.toJSON() });
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BosunError('INVALID_INPUT', `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (!size) return undefined;
  if (!String(req.headers['content-type']).startsWith('application/json'))
    throw new BosunError('INVALID_INPUT', 'POST bodies are JSON (content-type: application/json)');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BosunError('INVALID_INPUT', 'the request body is not valid JSON');
  }
}

async function serveAsset(res: ServerResponse, dir: string, name: string): Promise<void> {
  const file = path.join(dir, name);
  const body = await fs.readFile(file).catch(() => null);
  if (!body) {
    send(res, 404, {
      error: { code: 'NOT_FOUND', message: `no asset ${name}`, hint: 'build the front end: npm run build' },
    });
    return;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': MEDIA_TYPES[path.extname(name)] ?? 'application/octet-stream',
  });
  res.end(body);
}

/**
 * `bosun ui`: the dashboard on 127.0.0.1. Requests pass, in order: the Host/Origin guard
 * (rebinding, foreign pages), the session (one-time token → cookie), and for every POST the
 * CSRF header. The API only calls the layers' functions.
 */
export async function startDashboard(deps: DashboardDeps, options: DashboardOptions = {}): Promise<Dashboard> {
  const assets = options.assetsDir ?? defaultAssetsDir();
  const auth = new DashboardAuth();
  // Host and Origin parsed and compared exactly (core's guard, shared with the MCP servers): rebinding and foreign pages get 403.
  const guard = createHttpGuard({ bindHost: '127.0.0.1' });
  const live = new LiveEvents(deps.pool, deps.logger);
  await live.start();
  let port = 0;

  const server = http.createServer((req, res) => {
    void (async () => {
      const refusal = guard.checkOrigin(req.headers);
      if (refusal) return send(res, refusal.status, { error: { code: 'FORBIDDEN', message: refusal.message } });
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      if (req.method === 'GET' && url.pathname === '/' && url.searchParams.has('token')) {
        const cookie = auth.redeem(url.searchParams.get('token'));
        if (!cookie)
          return send(res, 401, {
            error: {
              code: 'UNAUTHORIZED',
              message: 'that token is wrong or was used already',
              hint: 'run bosun ui again for a new URL',
            },
          });
        res.writeHead(303, { location: '/', 'set-cookie': cookie, 'cache-control': 'no-store' });
        return res.end();
      }
      if (!auth.hasSession(req))
        return send(res, 401, {
          error: {
            code: 'UNAUTHORIZED',
            message: 'no dashboard session',
            hint: 'open the URL bosun ui printed (it carries a one-time token)',
          },
        });
      if (!url.pathname.startsWith('/api/')) {
        if (req.method !== 'GET') return send(res, 405, { error: { code: 'METHOD', message: 'GET only' } });
        const name = url.pathname === '/' || !path.extname(url.pathname) ? 'index.html' : url.pathname.slice(1);
        if (name.includes('/') || name.startsWith('.'))
          return send(res, 404, { error: { code: 'NOT_FOUND', message: 'no such file' } });
        return serveAsset(res, assets, name);
      }
      if (req.method !== 'GET' && req.method !== 'POST')
        return send(res, 405, { error: { code: 'METHOD', message: 'GET or POST only' } });
      if (req.method === 'POST' && !auth.hasCsrf(req))
        return send(res, 403, { error: { code: 'CSRF', message: 'missing or wrong CSRF token' } });
      const segments = url.pathname.slice('/api/'.length).split('/').filter(Boolean);
      if (req.method === 'GET' && segments.join('/') === 'session') return send(res, 200, { csrf: auth.csrf });
      if (req.method === 'GET' && segments.join('/') === 'events') return live.subscribe(res);
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      const answer = await handleApi(deps, { method: req.method, segments, query: url.searchParams, body });
      if (isFileAnswer(answer)) {
        // An artifact may be SVG or text written by a run: never script, never sniffed.
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'content-type': answer.file.mediaType,
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
          'cache-control': 'no-store',
        });
        return res.end(answer.file.body);
      }
      send(res, 200, answer);
    })().catch((err: unknown) => {
      if (!res.headersSent) sendError(res, err);
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  }).catch(async (err: unknown) => {
    await live.close();
    throw new BosunError('UNAVAILABLE', `cannot listen on 127.0.0.1:${options.port}: ${(err as Error).message}`, {
      hint: 'pick another port with --port',
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${auth.token}`,
    port,
    close: async () => {
      await live.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
