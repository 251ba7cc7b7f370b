import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { previousKey, type PreviousPageState, type SourceDocument } from '../../../src/docs/sources/index.js';

export async function collect(docs: AsyncIterable<SourceDocument>): Promise<SourceDocument[]> {
  const out: SourceDocument[] = [];
  for await (const d of docs) out.push(d);
  return out;
}

/** The `previous` map a caller would build from a finished sync. */
export function previousOf(docs: SourceDocument[]): Map<string, PreviousPageState> {
  const map = new Map<string, PreviousPageState>();
  for (const d of docs) {
    if (d.content === undefined) continue;
    map.set(previousKey(d.version, d.path), {
      etag: d.etag,
      lastModified: d.lastModified,
      contentHash: d.contentHash,
      url: d.url,
    });
  }
  return map;
}

export interface LoggedRequest {
  path: string;
  at: number;
  status: number;
}

export interface TestServer {
  origin: string;
  requests: LoggedRequest[];
  /** Most requests in progress at once. */
  maxConcurrent: number;
  reset(): void;
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void | Promise<void>;

/** A real HTTP server on 127.0.0.1 (random port) that logs every request and its concurrency. */
export async function startServer(handler: Handler, delayMs = 0): Promise<TestServer> {
  let active = 0;
  const state: TestServer = {
    origin: '',
    requests: [],
    maxConcurrent: 0,
    reset() {
      state.requests = [];
      state.maxConcurrent = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = http.createServer((req, res) => {
    active++;
    state.maxConcurrent = Math.max(state.maxConcurrent, active);
    const url = new URL(req.url ?? '/', state.origin);
    const entry: LoggedRequest = { path: url.pathname + url.search, at: performance.now(), status: 0 };
    state.requests.push(entry);
    res.on('close', () => {
      active--;
      entry.status = res.statusCode;
    });
    const run = async (): Promise<void> => {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      await handler(req, res, url);
    };
    run().catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
