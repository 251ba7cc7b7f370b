import { Readability } from '@mozilla/readability';
import type { Element, ElementContent, Root, RootContent } from 'hast';
import { parseHTML } from 'linkedom';
import rehypeParse from 'rehype-parse';
import rehypeRemark from 'rehype-remark';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';

/**
 * HTML page → markdown: the page's main content (a landmark element, else Readability, else
 * the body) without navigation and chrome, code blocks tagged with their language, links
 * made absolute against the page URL, then hast → mdast → markdown with GFM tables.
 * The page is parsed once into hast and pruned there; a DOM (linkedom) is built only for
 * Readability, on pages without a landmark.
 */
export interface HtmlConversion {
  markdown: string;
  title?: string;
  warnings: string[];
}

type Node = Root | RootContent;

const documentParser = unified().use(rehypeParse).freeze();
const fragmentParser = unified().use(rehypeParse, { fragment: true }).freeze();
const toMarkdown = unified()
  .use(rehypeRemark)
  .use(remarkGfm)
  .use(remarkStringify, { bullet: '-', fences: true, rule: '-', emphasis: '_', listItemIndent: 'one' })
  .freeze();

const chromeTags = new Set(
  'script style noscript template svg canvas iframe nav footer aside form button dialog'.split(' '),
);
const chromeRoles = new Set(['navigation', 'contentinfo', 'search', 'banner']);
const chromeClasses = new Set(['headerlink', 'sr-only', 'visually-hidden']);
const languageClass = /(?:^|\s)(?:language|lang|highlight-source|highlight)-([\w+#.-]+)/;

export function htmlToMarkdown(html: string, url?: string): HtmlConversion {
  const warnings: string[] = [];
  const tree = documentParser.parse(html);
  const pageTitle = textOf(findElement(tree, (el) => el.tagName === 'title')) || metaTitle(tree);
  const base = baseUrl(tree, url);
  prune(tree);

  let root: Root | Element | undefined = mainContent(tree);
  if (!root) {
    const article = readableContent(html);
    if (article) {
      root = fragmentParser.parse(article);
      prune(root);
    } else {
      warnings.push('no main content found; the whole body was converted');
      root = findElement(tree, (el) => el.tagName === 'body') ?? tree;
    }
  }
  tagCodeLanguages(root);
  if (base) absolutise(root, base);
  // The content's own h1 names the page; <title> often carries the site's name as well.
  const title = textOf(findElement(root, (el) => el.tagName === 'h1')) || pageTitle || undefined;
  const hast: Root = root.type === 'root' ? root : { type: 'root', children: [root] };
  const markdown = toMarkdown.stringify(toMarkdown.runSync(hast)).trim();
  return { markdown, ...(title ? { title } : {}), warnings };
}

/** Removes navigation, page chrome, scripts and hidden elements, everywhere in the tree. */
function prune(parent: Root | Element): void {
  parent.children = parent.children.filter(
    (child) => child.type !== 'comment' && !(child.type === 'element' && isChrome(child, parent)),
  );
  for (const child of parent.children) if (child.type === 'element') prune(child);
}

function isChrome(el: Element, parent: Root | Element): boolean {
  if (chromeTags.has(el.tagName)) return true;
  const props = el.properties;
  if (chromeRoles.has(String(props.role ?? ''))) return true;
  if (String(props.ariaHidden) === 'true') return true;
  const classes = classList(el);
  if (classes.some((c) => chromeClasses.has(c)) || (el.tagName === 'a' && classes.includes('anchor'))) return true;
  // A site header holds navigation; a header inside the article holds its title.
  if (el.tagName !== 'header') return false;
  return (
    (parent.type === 'element' && parent.tagName === 'body') ||
    findElement(el, (e) => e.tagName === 'nav') !== undefined
  );
}

/** A single <article>, else a main landmark; pages with several articles are listings. */
function mainContent(tree: Root): Element | undefined {
  const articles = allElements(tree, (el) => el.tagName === 'article');
  if (articles.length === 1) return articles[0];
  const landmarks: Array<(el: Element) => boolean> = [
    (el) => el.properties.role === 'main',
    (el) => el.tagName === 'main',
    (el) => el.properties.id === 'content',
    (el) => classList(el).includes('content'),
  ];
  for (const test of landmarks) {
    const found = findElement(tree, test);
    if (found && textOf(found)) return found;
  }
  return undefined;
}

/** Readability's article HTML, for pages without landmarks. */
function readableContent(html: string): string | undefined {
  // linkedom builds no body for a bare fragment.
  const page = /<(?:html|body)[\s>]/i.test(html)
    ? html
    : `<!doctype html><html><head></head><body>${html}</body></html>`;
  const { document } = parseHTML(page) as unknown as { document: never };
  return new Readability(document, { charThreshold: 200 }).parse()?.content ?? undefined;
}

/** hast-util-to-mdast reads a language only from `<pre><code class="language-x">`. */
function tagCodeLanguages(root: Root | Element): void {
  walk(root, [], (el, ancestors) => {
    if (el.tagName !== 'pre') return;
    const code = el.children.find((c): c is Element => c.type === 'element' && c.tagName === 'code');
    const holders = [code, el, ancestors.at(-1), ancestors.at(-2)];
    const lang = holders
      .map((h) => (h ? languageClass.exec(classList(h).join(' '))?.[1] : undefined))
      .find((l) => l !== undefined);
    if (!lang) return;
    if (code) code.properties.className = [`language-${lang}`];
    else
      el.children = [
        { type: 'element', tagName: 'code', properties: { className: [`language-${lang}`] }, children: el.children },
      ];
  });
}

function absolutise(root: Root | Element, base: string): void {
  walk(root, [], (el) => {
    const attr = el.tagName === 'a' ? 'href' : el.tagName === 'img' ? 'src' : undefined;
    const value = attr ? el.properties[attr] : undefined;
    if (!attr || typeof value !== 'string' || value.startsWith('#')) return; // same-page anchors stay recognisable
    const resolved = resolveUrl(value, base);
    if (resolved) el.properties[attr] = resolved;
  });
}

function baseUrl(tree: Root, url: string | undefined): string | undefined {
  const declared = findElement(tree, (el) => el.tagName === 'base' && typeof el.properties.href === 'string')
    ?.properties.href;
  if (typeof declared !== 'string') return url;
  return resolveUrl(declared, url) ?? url;
}

function metaTitle(tree: Root): string | undefined {
  const meta = findElement(tree, (el) => el.tagName === 'meta' && el.properties.property === 'og:title');
  const content = meta?.properties.content;
  return typeof content === 'string' ? content.trim() || undefined : undefined;
}

function resolveUrl(value: string, base: string | undefined): string | undefined {
  try {
    return new URL(value, base).href;
  } catch {
    return undefined;
  }
}

function classList(el: Element): string[] {
  const value = el.properties.className; // rehype-parse always gives a list
  return Array.isArray(value) ? value.map(String) : [];
}

function walk(node: Root | Element, ancestors: Element[], visit: (el: Element, ancestors: Element[]) => void): void {
  for (const child of node.children) {
    if (child.type !== 'element') continue;
    visit(child, ancestors);
    ancestors.push(child);
    walk(child, ancestors, visit);
    ancestors.pop();
  }
}

function findElement(node: Root | Element, test: (el: Element) => boolean): Element | undefined {
  for (const child of node.children) {
    if (child.type !== 'element') continue;
    if (test(child)) return child;
    const found = findElement(child, test);
    if (found) return found;
  }
  return undefined;
}

function allElements(node: Root | Element, test: (el: Element) => boolean, out: Element[] = []): Element[] {
  for (const child of node.children) {
    if (child.type !== 'element') continue;
    if (test(child)) out.push(child);
    allElements(child, test, out);
  }
  return out;
}

function textOf(node: Node | ElementContent | undefined): string {
  if (!node) return '';
  const parts: string[] = [];
  const collect = (n: Node | ElementContent): void => {
    if (n.type === 'text') parts.push(n.value);
    else if ('children' in n) for (const c of n.children) collect(c);
  };
  collect(node);
  return parts.join('').replace(/\s+/g, ' ').trim();
}
