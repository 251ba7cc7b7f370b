import { htmlElements } from './html-elements.js';

/**
 * What HTML and JSX tags become in markdown: components keep a `title` as a bold line (and an
 * `href` as its link), check/cross icons become ✓/✗, <a href> becomes a markdown link,
 * <br> and the end of block elements a line break (a space inside a table row), <code> a
 * backtick; every other tag disappears and its text stays.
 */
export interface MarkupOptions {
  mdx: boolean;
  /** Jekyll sources: `{% link %}`, `{% post_url %}`, `{{ site.baseurl }}`, `{: .class }`. */
  jekyll: boolean;
}

/** State of one pass over a prose run. */
export interface ProseScan {
  text: string;
  options: MarkupOptions;
  /** hrefs of the open <a> elements (null: an anchor-only link, dropped). */
  anchors: Array<string | null>;
  /** Start of the line holding the last position asked about, found moving forward only. */
  lineStart: number;
  scanned: number;
}

export function replaceTag(m: RegExpExecArray, scan: ProseScan): { replacement?: string } {
  const { options, anchors } = scan;
  const [, close, name, attrs = '', self] = m;
  if (name === undefined) return { replacement: '' }; // a JSX fragment, <> or </>
  const component = /^[A-Z]/.test(name);
  const lower = name.toLowerCase();
  // Plain markdown may use `<` in prose (`Vec<String>`); only real HTML elements are markup there.
  if (!options.mdx && (component || !htmlElements.has(lower))) return {};
  const closing = close === '/';
  if (component) {
    if (closing) return { replacement: '' };
    // Components such as <Tab title="Python"> or <Card title=… href=…> keep their title as a bold line.
    const title = attribute(attrs, 'title');
    const href = attribute(attrs, 'href');
    if (title) return { replacement: href ? `**[${title}](${href})**` : `**${title}**` };
    return { replacement: self === '/' ? symbolFor(name, attribute(attrs, 'icon')) : '' };
  }
  if (lower === 'code') return { replacement: '`' };
  if (lower === 'br' || (closing && blockElements.has(lower)))
    return { replacement: inTableRow(scan, m.index) ? ' ' : '\n' };
  if (lower !== 'a') return { replacement: '' };
  if (closing) {
    const href = anchors.pop();
    return { replacement: href ? `](${href})` : '' };
  }
  if (self === '/') return { replacement: '' };
  const href = attribute(attrs, 'href');
  const keep = href !== undefined && href !== '' && !href.startsWith('#');
  anchors.push(keep ? href : null);
  return { replacement: keep ? '[' : '' };
}

/** Elements whose end is a line break in the text; a table row cannot hold one. */
const blockElements = new Set([
  'p',
  'div',
  'section',
  'li',
  'tr',
  'pre',
  'blockquote',
  'details',
  'summary',
  'dd',
  'dt',
]);

function inTableRow(scan: ProseScan, at: number): boolean {
  for (let nl = scan.text.indexOf('\n', scan.scanned); nl !== -1 && nl < at; nl = scan.text.indexOf('\n', nl + 1)) {
    scan.lineStart = nl + 1;
  }
  scan.scanned = Math.max(scan.scanned, at);
  return /^[ \t]*\|/.test(scan.text.slice(scan.lineStart, scan.lineStart + 40));
}

/** Check and cross icons carry meaning in support matrices; other icons are decoration. */
function symbolFor(name: string, icon: string | undefined): string {
  const key = (icon ?? name).toLowerCase();
  if (/^(?:check|circle-check|square-check|checkmark|tick|yes)$/.test(key)) return '✓';
  if (/^(?:x|xmark|circle-xmark|square-xmark|cross|no)$/.test(key)) return '✗';
  return '';
}

const attributePatterns = {
  href: attributePattern('href'),
  title: attributePattern('title'),
  icon: attributePattern('icon'),
};

function attributePattern(key: string): RegExp {
  return new RegExp(String.raw`(?:^|\s)${key}\s*=\s*(?:"([^"]*)"|'([^']*)'|\{\s*["'\`]([^"'\`]*)["'\`]\s*\})`);
}

function attribute(attrs: string, key: keyof typeof attributePatterns): string | undefined {
  const m = attributePatterns[key].exec(attrs);
  if (!m) return undefined;
  return (m[1] ?? m[2] ?? m[3] ?? '').replace(/\s+/g, ' ').trim();
}
