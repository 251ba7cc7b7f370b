/**
 * Where a page or a chunk came from, so that a person or an assistant can open it: the page's
 * absolute URL, with the section's anchor, for web, llms.txt and OpenAPI pages; else the file's
 * path relative to the source root as found there (version folder included), which `path`
 * (version-relative) is not.
 */
export function sourceOf(at: { url: string | null; sourcePath: string; anchor?: string }): string {
  if (!at.url) return at.sourcePath;
  return at.anchor ? `${withoutFragment(at.url)}#${at.anchor}` : at.url;
}

/** A page's source from one of its chunks' (a URL loses the chunk's anchor; a file path has none). */
export function pageSourceOf(chunkSource: string): string {
  return isUrl(chunkSource) ? withoutFragment(chunkSource) : chunkSource;
}

/** A section's source: the page's URL with the section's anchor; a file path stays as it is. */
export function sectionSourceOf(pageSource: string, anchor: string): string {
  return isUrl(pageSource) && anchor ? `${withoutFragment(pageSource)}#${anchor}` : pageSource;
}

const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
const withoutFragment = (url: string) => url.replace(/#.*$/, '');
