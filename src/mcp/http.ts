import http from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { BosunError, createHttpGuard, isLoopbackHost, silentLogger, type Logger } from '../core/index.js';
import { toolChangesState } from './tool.js';

export interface HttpServeOptions {
  host: string;
  port: number;
  /** Authorization: Bearer …; required for anything not bound to loopback, and then for every request. */
  token?: string;
  /** Origins allowed besides loopback ones (browser-based clients). */
  allowedOrigins?: string[];
  /** Host names besides loopback and the bound address (a reverse proxy's). */
  allowedHosts?: string[];
  /**
   * Without a token, tools that change state are refused; this turns that off for loopback
   * (`--allow-unauthenticated-writes`): any local process, and any page the browser's
   * protections fail to stop, may then call them.
   */
  allowUnauthenticatedWrites?: boolean;
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

function jsonRpcError(res: http.ServerResponse, status: number, code: number, message: string): void {
  if (res.headersSent) return;
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/** The state-changing tools a JSON-RPC message (or batch) calls. */
function stateChangingCalls(mcp: McpServer, body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.flatMap((m) => {
    const msg = m as { method?: unknown; params?: { name?: unknown } } | null;
    const name = msg?.method === 'tools/call' ? msg.params?.name : undefined;
    return typeof name === 'string' && toolChangesState(mcp, name) ? [name] : [];
  });
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
 * is mandatory), refuses a Host that is not this server's and browser Origins that are not
 * loopback or allowed (DNS-rebinding protection, as the specification requires), requires the
 * token for state-changing tools even on loopback (unless explicitly turned off), and caps
 * request bodies. Errors in one request never take the server down.
 */
export async function serveHttp(options: HttpServeOptions): Promise<RunningHttpServer> {
  const logger = options.logger ?? silentLogger;
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  if (!isLoopbackHost(options.host) && !options.token) {
    throw new BosunError('INVALID_INPUT', `serving MCP on ${options.host} (not loopback) needs a bearer token`, {
      hint: 'set BOSUN_MCP_TOKEN, or keep it in a 0600 file named by --token-file or mcp.tokenFile',
    });
  }
  // The transport's library loads with the first HTTP server, not with the module: the docs
  // server's light entry (mcp/docs/index.ts) exports this function to stdio servers too.
  const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const guard = createHttpGuard({
    bindHost: options.host,
    ...(options.token ? { token: options.token } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
  });

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'MCP HTTP request failed');
      jsonRpcError(res, 500, -32603, 'internal error');
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/mcp') return jsonRpcError(res, 404, -32601, `no MCP endpoint at ${url.pathname}; use /mcp`);
    const refused = guard.checkOrigin(req.headers);
    if (refused) return jsonRpcError(res, refused.status, -32600, refused.message);
    const authorized = guard.hasToken(req.headers);
    if (guard.tokenSet && !authorized) {
      res.setHeader('www-authenticate', 'Bearer');
      return jsonRpcError(res, 401, -32600, 'missing or wrong bearer token (send Authorization: Bearer <token>)');
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
    const writes = authorized || options.allowUnauthenticatedWrites ? [] : stateChangingCalls(mcp, body);
    if (writes.length) {
      res.setHeader('www-authenticate', 'Bearer');
      void mcp.close();
      return jsonRpcError(
        res,
        401,
        -32600,
        `${writes.join(', ')} changes state and needs a bearer token: start the server with BOSUN_MCP_TOKEN set (or --token-file), or with --allow-unauthenticated-writes`,
      );
    }
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
