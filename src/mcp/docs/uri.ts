import { BosunError } from '../../core/index.js';
import { checkedPagePath } from './paths.js';

/**
 * Pages as MCP resources: `docs://<library>/<version>/<path>`, each part percent-encoded
 * segment by segment, so a path keeps its slashes and any other character survives the trip.
 */

export const PAGE_URI_TEMPLATE = 'docs://{library}/{version}/{+path}';
const SCHEME = 'docs://';

export interface PageAddress {
  library: string;
  version: string;
  path: string;
}

export function pageUri(page: PageAddress): string {
  const path = page.path.split('/').map(encodeURIComponent).join('/');
  return `${SCHEME}${encodeURIComponent(page.library)}/${encodeURIComponent(page.version)}/${path}`;
}

export function parsePageUri(uri: string): PageAddress {
  const [library, version, ...rest] = uri.startsWith(SCHEME) ? uri.slice(SCHEME.length).split('/') : [];
  if (!library || !version || rest.length === 0 || rest.some((s) => s === '')) {
    throw new BosunError('INVALID_INPUT', `'${uri}' is not a page URI`, {
      hint: `page URIs read ${PAGE_URI_TEMPLATE}, as resources/list gives them`,
    });
  }
  try {
    return {
      library: decodeURIComponent(library),
      version: decodeURIComponent(version),
      path: checkedPagePath(rest.map(decodeURIComponent).join('/')),
    };
  } catch (err) {
    if (err instanceof URIError) throw new BosunError('INVALID_INPUT', `'${uri}' has a malformed percent-encoding`);
    throw err;
  }
}
