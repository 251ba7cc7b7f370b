import { setTimeout as sleep } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import { tooLarge } from './document.js';

export const USER_AGENT = 'BosunDocsBot/0.1';

export interface HttpOptions {
  concurrency: number;
  /** Requests per second over all requests of this client; undefined = unlimited. */
  rate: number | undefined;
  maxBytes: number;
  logger: Logger;
  signal?: AbortSignal;
  retries?: number;
  /** First backoff delay; doubles per attempt. */
  backoffMs?: number;
  timeoutMs?: number;
}

export interface GetOptions {
  etag?: string;
  lastModified?: string;
  accept?: string;
  /** Asked before each redirect hop; a returned reason stops there as the page's error. */
  checkRedirect?: (next: URL) => string | undefined;
}

export interface HttpResult {
  /** The URL that answered, after redirects. */
  url: URL;
  status: number;
  headers: Headers;
  /** Present for 2xx answers that were read completely. */
  body?: Buffer;
  /** Set for anything that is not a usable 2xx or 304 answer. */
  error?: string;
}

const MAX_REDIRECTS = 10;
const MAX_RETRY_AFTER_MS = 30_000;
const retryable = new Set([429, 500, 502, 503, 504]);

/** Spaces request starts at least 1/rate seconds apart: a token bucket of depth one. */
class Pacer {
  private next = 0;
  constructor(private readonly intervalMs: number) {}

  async wait(signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) await sleep(at - now, undefined, { signal });
  }
}

/**
 * The one HTTP client of the sources: a concurrency cap and a request rate over every request
 * (robots.txt, sitemaps, redirect hops and retries included), retries with exponential backoff
 * that honour Retry-After, manual redirects with a hop limit and loop detection, conditional
 * requests, and a size cap enforced while the body streams in.
 */
export class HttpClient {
  private readonly limit: LimitFunction;
  private pacer: Pacer | undefined;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpOptions) {
    this.limit = pLimit(options.concurrency);
    this.pacer = options.rate ? new Pacer(1000 / options.rate) : undefined;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 250;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Lowers the rate (robots.txt Crawl-delay); never raises it. */
  slowTo(rate: number): void {
    if (this.options.rate === undefined || rate < this.options.rate) {
      this.options.rate = rate;
      this.pacer = new Pacer(1000 / rate);
    }
  }

  async get(start: URL, options: GetOptions = {}): Promise<HttpResult> {
    const chain = [start.href];
    let url = start;
    for (;;) {
      const result = await this.getWithRetries(url, options);
      if (result.status < 300 || result.status >= 400 || result.status === 304) return result;
      const location = result.headers.get('location');
      if (location === null) return { ...result, error: `HTTP ${result.status} without Location` };
      const next = new URL(location, url);
      next.hash = '';
      if (chain.includes(next.href)) return { ...result, error: `redirect loop: ${[...chain, next.href].join(' → ')}` };
      if (chain.length > MAX_REDIRECTS) return { ...result, error: `more than ${MAX_REDIRECTS} redirects` };
      const refused = options.checkRedirect?.(next);
      if (refused) return { ...result, error: `redirected to ${next.href}: ${refused}` };
      chain.push(next.href);
      url = next;
    }
  }

  private async getWithRetries(url: URL, options: GetOptions): Promise<HttpResult> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.limit(() => this.once(url, options));
      const retry = attempt < this.retries && (outcome.status === 0 || retryable.has(outcome.status));
      if (!retry) return outcome;
      const delay =
        retryAfterMs(outcome.headers.get('retry-after')) ?? this.backoffMs * 2 ** attempt * (1 + Math.random() / 2);
      this.options.logger.debug({ url: url.href, status: outcome.status, attempt, delay }, 'retrying');
      await sleep(delay, undefined, { signal: this.options.signal });
    }
  }

  /** One request; status 0 = network failure. */
  private async once(url: URL, options: GetOptions): Promise<HttpResult> {
    await this.pacer?.wait(this.options.signal);
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: options.accept ?? '*/*' };
    if (options.etag) headers['if-none-match'] = options.etag;
    if (options.lastModified) headers['if-modified-since'] = options.lastModified;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: 'manual', signal });
    } catch (err) {
      this.options.signal?.throwIfAborted();
      return { url, status: 0, headers: new Headers(), error: `network error: ${describe(err)}` };
    }
    const base = { url, status: response.status, headers: response.headers };
    if (response.status < 200 || response.status >= 300) {
      await response.body?.cancel();
      return response.status === 304 || (response.status >= 300 && response.status < 400)
        ? base
        : { ...base, error: `HTTP ${response.status}` };
    }
    try {
      const read = await readCapped(response, this.options.maxBytes);
      return 'error' in read ? { ...base, error: read.error } : { ...base, body: read.body };
    } catch (err) {
      this.options.signal?.throwIfAborted();
      return { ...base, status: 0, error: `network error: ${describe(err)}` };
    }
  }
}

/** Reads a body, giving up as soon as it passes `max` bytes instead of buffering it all. */
async function readCapped(response: Response, max: number): Promise<{ body: Buffer } | { error: string }> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await response.body?.cancel();
    return { error: tooLarge(declared, max) };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      // Leaving the loop cancels the stream: the rest is never downloaded.
      if (size > max) return { error: tooLarge(size, max) };
      chunks.push(chunk);
    }
  }
  return { body: Buffer.concat(chunks, size) };
}

/** Retry-After as seconds or an HTTP date, capped; undefined when absent or unreadable. */
function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isNaN(ms) ? undefined : Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
}

export function mediaType(headers: Headers): { type: string; charset: string | undefined } {
  const [type = '', ...params] = (headers.get('content-type') ?? '').split(';');
  const charset = params.map((p) => p.trim().match(/^charset="?([^"]+)"?$/i)?.[1]).find(Boolean);
  return { type: type.trim().toLowerCase(), charset };
}
