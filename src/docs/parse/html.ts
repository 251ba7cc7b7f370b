import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import rehypeParse from 'rehype-parse';
import rehypeRemark from 'rehype-remark';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';

/**
 * HTML page → markdown: the page's main content (a landmark element, else Readability, else
 * the body) without navigation and chrome, code blocks tagged with their language, links
 * made absolute against the page URL, then rehype → remark → markdown with GFM tables.
 */
export interface HtmlConversion {
  markdown: string;
  title?: string;
  warnings: string[];
}

/** The part of the DOM this module uses; linkedom's types need the DOM lib, which Node code does not load. */
interface El {
  tagName: string;
  className: string;
  innerHTML: string;
  outerHTML: string;
  textContent: string | null;
  parentElement: El | null;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El> & { length: number };
  remove(): void;
}
interface Doc extends El {
  body: El | null;
  createElement(tag: string): El;
}

const chrome = [
  'script', 'style', 'noscript', 'template', 'svg', 'canvas', 'iframe', 'nav', 'footer', 'aside', 'form',
  'button', 'dialog', '[role=navigation]', '[role=contentinfo]', '[role=search]', '[aria-hidden=true]',
  'body > header', 'header:has(nav)', '.headerlink', 'a.anchor', '.sr-only', '.visually-hidden',
].join(', ');

const landmarks = ['[role=main]', 'main', '#content', '.content'];
const languageClass = /(?:^|\s)(?:language|lang|highlight-source|highlight)-([\w+#.-]+)/;

const toMarkdown = unified()
  .use(rehypeParse, { fragment: true })
  .use(rehypeRemark)
  .use(remarkGfm)
  .use(remarkStringify, { bullet: '-', fences: true, rule: '-', emphasis: '_', listItemIndent: 'one' })
  .freeze();

export function htmlToMarkdown(html: string, url?: string): HtmlConversion {
  const warnings: string[] = [];
  // linkedom builds no body for a bare fragment.
  const wrapped = /<(?:html|body)[\s>]/i.test(html) ? html : `<!doctype html><html><head></head><body>${html}</body></html>`;
  const { document } = parseHTML(wrapped) as unknown as { document: Doc };
  const pageTitle = textOf(document.querySelector('title')) || document.querySelector('meta[property="og:title"]')?.getAttribute('content')?.trim();
  const base = baseUrl(document, url);

  for (const el of [...document.querySelectorAll(chrome)]) el.remove();
  let root = mainContent(document);
  if (!root) {
    const article = new Readability(document as never, { charThreshold: 200 }).parse();
    if (article?.content) {
      const parsed = parseHTML(`<html><body>${article.content}</body></html>`) as unknown as { document: Doc };
      root = parsed.document.body;
    } else {
      warnings.push('no main content found; the whole body was converted');
      root = document.body;
    }
  }
  // The content's own h1 names the page; <title> often carries the site's name as well.
  const title = textOf(root?.querySelector('h1') ?? null) || pageTitle || undefined;
  if (!root) return { markdown: '', ...(title ? { title } : {}), warnings: [...warnings, 'the page has no body'] };

  tagCodeLanguages(root);
  if (base) absolutise(root, base);
  const markdown = String(toMarkdown.processSync(root.outerHTML)).trim();
  return { markdown, ...(title ? { title } : {}), warnings };
}

/** A single <article>, else a main landmark; pages with several articles are listings. */
function mainContent(document: Doc): El | null {
  const articles = document.querySelectorAll('article');
  if (articles.length === 1) return [...articles][0] ?? null;
  for (const selector of landmarks) {
    const el = document.querySelector(selector);
    if (el && textOf(el).length > 0) return el;
  }
  return null;
}

/** hast-util-to-mdast reads the language only from `<pre><code class="language-x">`. */
function tagCodeLanguages(root: El): void {
  for (const pre of [...root.querySelectorAll('pre')]) {
    let code = pre.querySelector('code');
    const holders = [code, pre, pre.parentElement, pre.parentElement?.parentElement ?? null];
    const lang = holders.map((el) => languageClass.exec(el?.className ?? '')?.[1]).find((l) => l !== undefined);
    if (!lang) continue;
    if (!code) {
      pre.innerHTML = `<code>${pre.innerHTML}</code>`;
      code = pre.querySelector('code');
    }
    code?.setAttribute('class', `language-${lang}`);
  }
}

function absolutise(root: El, base: string): void {
  for (const [selector, attr] of [['a[href]', 'href'], ['img[src]', 'src']] as const) {
    for (const el of [...root.querySelectorAll(selector)]) {
      const value = el.getAttribute(attr) ?? '';
      if (value.startsWith('#')) continue; // same-page anchors stay recognisable
      const resolved = resolveUrl(value, base);
      if (resolved) el.setAttribute(attr, resolved);
    }
  }
}

function baseUrl(document: Doc, url: string | undefined): string | undefined {
  const declared = document.querySelector('base[href]')?.getAttribute('href');
  if (!declared) return url;
  return resolveUrl(declared, url) ?? url;
}

function resolveUrl(value: string, base: string | undefined): string | undefined {
  try {
    return new URL(value, base).href;
  } catch {
    return undefined;
  }
}

function textOf(el: El | null): string {
  return el?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}
