import path from 'node:path';
import { splitVersionFolder } from '../sources/versions.js';
import { compareVersionsNewestFirst, type LinkRecord } from '../library/index.js';

/** A link as the parser found it. */
export interface PageLink {
  href: string;
  text: string;
  sectionAnchor: string;
}

/** A page whose links are to be resolved, and a possible target of other pages' links. */
export interface LinkingPage {
  version: string;
  path: string;
  url: string | null;
  links: readonly PageLink[];
}

type Target = { version: string; path: string };
type Resolution = { kind: 'page'; target: Target } | { kind: 'external' } | { kind: 'broken'; reason: string };

const docExtension = /\.(md|mdx|markdown|html?|txt)$/i;
const otherScheme = /^[a-z][a-z0-9+.-]*:/i;

/**
 * A page's path as links name it: without its extension, and `index` / `README` standing for
 * their folder, so that `guide`, `guide/`, `guide.md` and `guide/index.mdx` all meet.
 */
function linkKey(p: string): string {
  return p
    .replace(docExtension, '')
    .replace(/(^|\/)(index|readme)$/i, '$1')
    .replace(/\/$/, '');
}

/** Folder names that point at "the current release" rather than naming one. */
const channels = new Set(['latest', 'stable', 'current']);

const isFolderPage = (p: string): boolean => /(^|\/)(index|readme)\.[a-z]+$/i.test(p);

/** A URL as links name it: no fragment, no trailing `index.html` or slash. */
function urlKey(u: URL): string {
  const copy = new URL(u.href);
  copy.hash = '';
  return copy.href.replace(/\/index\.html?(?=\?|$)/, '/').replace(/\/(?=\?|$)/, '');
}

class PageIndex {
  private readonly exact = new Map<string, Set<string>>();
  private readonly byKey = new Map<string, Map<string, string>>();
  private readonly byUrl = new Map<string, Target>();
  private newest: string | undefined;

  constructor(pages: readonly LinkingPage[]) {
    for (const page of pages) {
      let paths = this.exact.get(page.version);
      if (!paths) this.exact.set(page.version, (paths = new Set()));
      paths.add(page.path);
      let keys = this.byKey.get(page.version);
      if (!keys) this.byKey.set(page.version, (keys = new Map<string, string>()));
      const key = linkKey(page.path);
      const held = keys.get(key);
      // `guide.md` beats `guide/index.md` for the link `guide`: the file is named for it.
      if (held === undefined || (isFolderPage(held) && !isFolderPage(page.path))) keys.set(key, page.path);
      const u = page.url ? parseUrl(page.url) : undefined;
      if (u) this.byUrl.set(urlKey(u), { version: page.version, path: page.path });
    }
  }

  /**
   * The version a version folder in a link names: itself when the library has it; for a
   * channel the library does not have as a folder (`/specification/latest/…`), the newest version.
   */
  versionNamed(folder: string): string | undefined {
    if (this.exact.has(folder)) return folder;
    if (!channels.has(folder)) return undefined;
    this.newest ??= [...this.exact.keys()].sort(compareVersionsNewestFirst)[0];
    return this.newest;
  }

  find(version: string, p: string): Target | undefined {
    if (this.exact.get(version)?.has(p)) return { version, path: p };
    const found = this.byKey.get(version)?.get(linkKey(p));
    return found === undefined ? undefined : { version, path: found };
  }

  findUrl(u: URL): Target | undefined {
    return this.byUrl.get(urlKey(u));
  }
}

function parseUrl(href: string, base?: string): URL | undefined {
  try {
    const u = new URL(href, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

function decode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/**
 * Resolves every link of every page to a page of the library (per version), an external
 * resource, or a broken reference. `scopes` are the URL prefixes the library's web sources
 * crawl: a URL under one of them that is not a page is broken, not external.
 *
 * Paths: relative links resolve against the page's folder; root-relative ones (`/x/y`, and
 * Jekyll `{% link %}` tags) against the source root, or, when the site is mounted under a
 * prefix, against the root with leading segments dropped. A version folder in the target
 * (`/specification/2025-11-25/…`) selects that version; `latest/`, `stable/` or `current/`
 * where the library has no such version selects its newest.
 */
export function resolveCrossReferences(pages: readonly LinkingPage[], scopes: readonly string[]): LinkRecord[] {
  const index = new PageIndex(pages);
  const records: LinkRecord[] = [];
  for (const page of pages) {
    page.links.forEach((link, ordinal) => {
      const [beforeHash, ...hash] = link.href.split('#');
      const anchor = hash.length ? decode(hash.join('#')) : null;
      const res = resolve(index, scopes, page, beforeHash ?? '');
      records.push({
        version: page.version,
        fromPath: page.path,
        ordinal,
        href: link.href,
        text: link.text,
        sectionAnchor: link.sectionAnchor,
        kind: res.kind,
        toVersion: res.kind === 'page' ? res.target.version : null,
        toPath: res.kind === 'page' ? res.target.path : null,
        toAnchor: res.kind === 'page' ? anchor : null,
        reason: res.kind === 'broken' ? res.reason : null,
      });
    });
  }
  return records;
}

function resolve(index: PageIndex, scopes: readonly string[], from: LinkingPage, href: string): Resolution {
  const absolute = /^https?:\/\//i.test(href) || href.startsWith('//');
  if (!absolute && otherScheme.test(href)) return { kind: 'external' };
  if (absolute || from.url) {
    const u = parseUrl(href, from.url ?? undefined);
    const target = u && index.findUrl(u);
    if (target) return { kind: 'page', target };
    if (u && scopes.some((s) => u.href.startsWith(s)))
      return { kind: 'broken', reason: 'no page at this URL in the crawled site' };
    if (absolute) return { kind: 'external' };
  }
  const relative = decode(href.replace(/\?.*$/, ''));
  if (relative === '') return { kind: 'page', target: { version: from.version, path: from.path } };
  if (relative.startsWith('/')) return resolveRootRelative(index, from.version, relative);
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from.path), relative));
  if (joined === '..' || joined.startsWith('../')) return { kind: 'broken', reason: 'the path leaves the source root' };
  const target = findPath(index, from.version, joined);
  return target ? { kind: 'page', target } : { kind: 'broken', reason: 'no such page' };
}

function resolveRootRelative(index: PageIndex, version: string, href: string): Resolution {
  const segments = path.posix.normalize(href).split('/').filter(Boolean);
  if (segments.length === 0) {
    const target = findPath(index, version, '');
    return target ? { kind: 'page', target } : { kind: 'broken', reason: 'no such page' };
  }
  for (let drop = 0; drop < segments.length; drop++) {
    const target = findPath(index, version, segments.slice(drop).join('/') + (href.endsWith('/') ? '/' : ''));
    if (target) return { kind: 'page', target };
  }
  return { kind: 'broken', reason: 'no such page' };
}

/**
 * In the linking page's version, else in the version a version folder in the path names
 * (`2025-11-25/basic` names a folder page, so `/index` is tried too).
 */
function findPath(index: PageIndex, version: string, p: string): Target | undefined {
  const here = index.find(version, p);
  if (here) return here;
  for (const candidate of [p, `${p.replace(/\/$/, '')}/index`]) {
    const split = splitVersionFolder(candidate);
    const version = split && index.versionNamed(split.version);
    const there = split && version ? index.find(version, split.path) : undefined;
    if (there) return there;
  }
  return undefined;
}
