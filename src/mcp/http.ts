import crypto from 'node:crypto';
import http from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { BosunError, silentLogger, type Logger } from '../core/index.js';

export interface HttpServeOptions {
  host: string;
  port: number;
  /** Required (Authorization: Bearer …) for anything not bound to loopback. */
  token?: string;
  /** Origins allowed besides loopback ones (browser-based clients). */
  allowedOrigins?: string[];
  /** A fresh server per request: the HTTP side is stateless, so any number of clients can call at once. */
  createServer: () => McpServer;
  maxBodyBytes?: number;
  logger?: Logger;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const isLoopbackHost = (host: string) => LOOPBACK_HOSTS.has(host) || host.startsWith('127.');

function isLoopbackOrigin(origin: string): boolean {
  try {
    const u = new URL(origin);
    return isLoopbackHost(u.hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}

function jsonRpcError(res: http.ServerResponse, status: number, code: number, message: string): void {
  if (res.headersSent) return;
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && crypto.timingSafeEqual(given, wanted);
}

/**
 * The body, or null when it is over `limit`. An oversized body is still read to its end (and
 * dropped): a client gets its 413 only once it has finished sending, else it sees a reset.
 */
async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return size > limit ? null : Buffer.concat(chunks);
}

/**
 * Serves MCP over Streamable HTTP at `/mcp`. Binds loopback unless told otherwise (then a token
 * is mandatory), rejects browser Origins that are not loopback or allowed (DNS-rebinding
 * protection, as the specification requires), and caps request bodies. Errors in one request
 * never take the server down.
 */
export async function serveHttp(options: HttpServeOptions): Promise<RunningHttpServer> {
  const logger = options.logger ?? silentLogger;
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  if (!isLoopbackHost(options.host) && !options.token) {
    throw new BosunError('INVALID_INPUT', `serving MCP on ${options.host} (not loopback) needs a bearer token`, {
      hint: 'pass --token or set mcp.token (bosun config set mcp.token <secret>)',
    });
  }
  const allowed = new Set(options.allowedOrigins ?? []);

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'MCP HTTP request failed');
      jsonRpcError(res, 500, -32603, 'internal error');
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/mcp') return jsonRpcError(res, 404, -32601, `no MCP endpoint at ${url.pathname}; use /mcp`);
    const origin = req.headers.origin;
    if (origin && !allowed.has(origin) && !isLoopbackOrigin(origin)) {
      return jsonRpcError(res, 403, -32600, `origin ${origin} is not allowed`);
    }
    if (options.token && !tokenMatches(req.headers.authorization, options.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return jsonRpcError(res, 401, -32600, 'missing or wrong bearer token');
    }
    let body: unknown;
    if (req.method === 'POST') {
      const raw = await readBody(req, maxBody);
      if (raw === null) return jsonRpcError(res, 413, -32600, `request body over ${maxBody} bytes`);
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return jsonRpcError(res, 400, -32700, 'parse error: the body is not JSON');
      }
    }
    const mcp = options.createServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new BosunError('INVALID_INPUT', `port ${options.port} on ${options.host} is in use`, {
              hint: 'choose another with --port',
            })
          : err,
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/mcp`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
