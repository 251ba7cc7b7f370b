import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BosunError } from '../../core/index.js';
import { decodeText, errorDoc, formatOfPath, pageDoc, tooLarge } from './document.js';
import { mediaType, type HttpClient } from './http.js';
import type { PreviousPages } from './previous.js';
import type { DocFormat, SourceDocument } from './types.js';

const PAGE_ACCEPT = 'text/html, application/xhtml+xml, text/markdown, text/plain;q=0.9, */*;q=0.1';

/** The format of a web answer: HTML, markdown or plain text only (servers often send .md as text/plain). */
function responseFormat(type: string, u: URL): DocFormat | undefined {
  const byPath = formatOfPath(u.pathname);
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (type === 'text/markdown' || type === 'text/x-markdown') return byPath === 'mdx' ? 'mdx' : 'markdown';
  if (type === 'text/plain') return byPath === 'markdown' || byPath === 'mdx' ? byPath : 'text';
  return type === '' ? byPath : undefined;
}

export interface PageRequest {
  url: URL;
  version: string | null;
  pathOf: (u: URL) => string;
  previous: PreviousPages;
  checkRedirect?: (next: URL) => string | undefined;
}

export interface FetchedPage {
  doc: SourceDocument;
  /** The URL that answered, after redirects. */
  finalUrl: URL;
}

/** GETs one page conditionally and turns the answer into a SourceDocument (content, 304, or error). */
export async function fetchPage(http: HttpClient, req: PageRequest): Promise<FetchedPage> {
  const prev = req.previous.get(req.pathOf(req.url));
  const res = await http.get(req.url, {
    etag: prev?.etag,
    lastModified: prev?.lastModified,
    accept: PAGE_ACCEPT,
    checkRedirect: req.checkRedirect,
  });
  // A failed page is reported under the URL that was asked for, not where its redirects led.
  const finalUrl = res.error ? req.url : res.url;
  const base = {
    path: req.pathOf(finalUrl),
    url: finalUrl.href,
    version: req.version,
    format: formatOfPath(finalUrl.pathname) ?? 'html',
  };
  if (res.error) return { finalUrl, doc: errorDoc(base, res.error) };
  if (res.status === 304) {
    const validators = dropUndefined({ etag: prev?.etag, lastModified: prev?.lastModified });
    return { finalUrl, doc: { ...base, notModified: true, ...validators } };
  }
  const { type, charset } = mediaType(res.headers);
  const format = responseFormat(type, finalUrl);
  if (!format) return { finalUrl, doc: errorDoc(base, `unsupported content type '${type}'`) };
  const body = res.body ?? Buffer.alloc(0);
  const decoded = decodeText(body, charset ?? (format === 'html' ? metaCharset(body) : undefined) ?? 'utf-8');
  if ('error' in decoded) return { finalUrl, doc: errorDoc({ ...base, format }, decoded.error) };
  const validators = dropUndefined({
    etag: res.headers.get('etag') ?? undefined,
    lastModified: res.headers.get('last-modified') ?? undefined,
  });
  return { finalUrl, doc: pageDoc({ ...base, format, ...validators }, decoded.content) };
}

/** The charset an HTML page declares in a `<meta>` near its start, when the HTTP header names none. */
function metaCharset(body: Buffer): string | undefined {
  const head = body.subarray(0, 2048).toString('latin1');
  return head.match(/<meta[^>]+charset\s*=\s*["']?([\w:.-]+)/i)?.[1];
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface RootText {
  text: string;
  /** Where relative links resolve from: the http URL or the file's file: URL. */
  base: URL;
  /** The file name, to tell llms.txt from llms-full.txt. */
  name: string;
}

/** The one document a source starts from (llms.txt, an OpenAPI file), from a URL or a file; failures are errors, not pages. */
export async function loadRootText(
  source: { url?: string; path?: string },
  http: HttpClient,
  maxBytes: number,
): Promise<RootText> {
  if (source.path !== undefined) {
    const abs = path.resolve(source.path);
    const stat = await fs.stat(abs).catch(() => undefined);
    if (!stat?.isFile()) throw new BosunError('NOT_FOUND', `file not found: ${source.path}`);
    if (stat.size > maxBytes) throw new BosunError('INVALID_INPUT', `${source.path}: ${tooLarge(stat.size, maxBytes)}`);
    const decoded = decodeText(await fs.readFile(abs));
    if ('error' in decoded) throw new BosunError('INVALID_INPUT', `${source.path}: ${decoded.error}`);
    return { text: decoded.content, base: pathToFileURL(abs), name: path.basename(abs) };
  }
  const url = new URL(source.url as string);
  const res = await http.get(url, {
    accept: 'text/markdown, text/plain, application/json, application/yaml, */*;q=0.1',
  });
  if (res.error || !res.body) {
    const missing = res.status === 404 || res.status === 410;
    throw new BosunError(
      missing ? 'NOT_FOUND' : 'FETCH_FAILED',
      `cannot fetch ${url.href}: ${res.error ?? `HTTP ${res.status}`}`,
      {
        hint: missing ? 'check the URL' : 'check that the server is reachable, then retry',
      },
    );
  }
  const decoded = decodeText(res.body, mediaType(res.headers).charset ?? 'utf-8');
  if ('error' in decoded) throw new BosunError('INVALID_INPUT', `${url.href}: ${decoded.error}`);
  return { text: decoded.content, base: res.url, name: path.posix.basename(res.url.pathname) };
}
