import { BosunError } from '../../core/index.js';

/** An http(s) URL without its fragment (and without an empty `?`); undefined for anything else. */
export function parseHttpUrl(href: string, base?: string | URL): URL | undefined {
  let u: URL;
  try {
    u = new URL(href, base);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  u.hash = '';
  if (u.search === '?') u.search = '';
  return u;
}

/** Dedup key: `/a/index.html` is the same page as `/a/` (default ports are already gone in URL). */
export function canonicalKey(u: URL): string {
  return u.href.replace(/^([^?]*\/)index\.html?(?=\?|$)/, '$1');
}

export interface Scope {
  origin: string;
  /** Path prefix, always ending in `/`. */
  prefix: string;
}

/** A folder-like prefix: `/docs/` stays, `/docs/intro.html` → `/docs/`, `/docs` → `/docs/`. */
function folderOf(pathname: string): string {
  if (pathname.endsWith('/')) return pathname;
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  return last.includes('.') ? pathname.slice(0, pathname.lastIndexOf('/') + 1) : `${pathname}/`;
}

export function scopeOf(start: URL, scope?: string): Scope {
  if (scope === undefined) return { origin: start.origin, prefix: folderOf(start.pathname) };
  const u = parseHttpUrl(scope, start);
  if (!u)
    throw new BosunError('INVALID_INPUT', `invalid scope '${scope}'`, {
      hint: 'give a URL prefix such as https://example.com/docs/',
    });
  return { origin: u.origin, prefix: folderOf(u.pathname) };
}

export function inScope(u: URL, s: Scope): boolean {
  return u.origin === s.origin && (u.pathname.startsWith(s.prefix) || `${u.pathname}/` === s.prefix);
}

/** The page path of an in-scope URL: relative to the prefix, folders as `…/index.html`, query kept. */
export function pagePath(u: URL, s: Scope): string {
  const rel = u.pathname.startsWith(s.prefix) ? u.pathname.slice(s.prefix.length) : '';
  const file = rel === '' || rel.endsWith('/') ? `${rel}index.html` : rel;
  return file + u.search;
}

/** The inverse of pagePath, to revisit pages a previous crawl found. */
export function urlOfPagePath(p: string, s: Scope): URL | undefined {
  return parseHttpUrl(s.prefix + p.replace(/(^|\/)index\.html(?=\?|$)/, '$1'), s.origin);
}

const MAX_URL_LENGTH = 2048;
const MAX_SEGMENTS = 25;
const MAX_SEGMENT_REPEATS = 2;

/** Why a URL looks like a crawler trap (endless or self-similar paths), or undefined. */
export function trapReason(u: URL): string | undefined {
  if (u.href.length > MAX_URL_LENGTH) return `URL longer than ${MAX_URL_LENGTH} characters`;
  const segments = u.pathname.split('/').filter(Boolean);
  if (segments.length > MAX_SEGMENTS) return `more than ${MAX_SEGMENTS} path segments`;
  const counts = new Map<string, number>();
  for (const s of segments) {
    const n = (counts.get(s) ?? 0) + 1;
    if (n > MAX_SEGMENT_REPEATS) return `path segment '${s}' repeats`;
    counts.set(s, n);
  }
  return undefined;
}

/** Caps the distinct query strings crawled per path (calendars, faceted search, session ids). */
export class QueryCap {
  private readonly seen = new Map<string, Set<string>>();
  constructor(private readonly max: number) {}

  admit(u: URL): boolean {
    if (!u.search) return true;
    const key = u.origin + u.pathname;
    let queries = this.seen.get(key);
    if (!queries) this.seen.set(key, (queries = new Set()));
    if (queries.has(u.search)) return true;
    if (queries.size >= this.max) return false;
    queries.add(u.search);
    return true;
  }
}

const assetExtension =
  /\.(png|jpe?g|gif|svg|webp|ico|bmp|css|js|mjs|map|json|woff2?|ttf|otf|eot|zip|gz|tgz|tar|pdf|mp4|webm|mp3|wav|avi|mov|exe|dmg|whl|jar)$/i;

/** Links that cannot be documentation pages are not even requested. */
export function isAsset(u: URL): boolean {
  return assetExtension.test(u.pathname);
}
