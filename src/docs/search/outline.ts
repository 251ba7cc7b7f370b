import { scanBlocks } from '../parse/blocks.js';

/**
 * A library version's table of contents: folders (from page paths), pages, and the pages'
 * headings, as one tree in path and document order.
 */

export interface OutlineNode {
  kind: 'folder' | 'page' | 'heading';
  /** Folder or file name, or heading text. */
  name: string;
  /** The page path (pages and headings). */
  path?: string;
  /** The page title (pages). */
  title?: string;
  /** The heading's anchor in its page (headings). */
  anchor?: string;
  children: OutlineNode[];
}

export interface OutlineEntry {
  path: string;
  title: string;
  anchor: string;
  text: string;
}

/**
 * Builds the tree from every chunk of a version (in path, then document order). Headings are
 * read from the chunks' markdown, since a chunk may hold several small sections; a page's top
 * heading is left out when it only repeats the page title. `depth` keeps that many levels.
 */
export function buildOutline(entries: readonly OutlineEntry[], depth = Infinity): OutlineNode[] {
  const root: OutlineNode = { kind: 'folder', name: '', children: [] };
  let page: OutlineNode | null = null;
  let open: { level: number; node: OutlineNode }[] = [];
  for (const entry of entries) {
    if (page?.path !== entry.path) {
      page = addPage(root, entry);
      open = [];
    }
    const lines = entry.text.split('\n');
    const firstContent = lines.findIndex((l) => l.trim() !== '');
    for (const block of scanBlocks(lines)) {
      if (block.kind !== 'heading') continue;
      const name = plainText(block.heading ?? '');
      const level = block.level ?? 1;
      if (level === 1 && name === entry.title && page.children.length === 0 && open.length === 0) continue;
      while (open.length && open[open.length - 1]!.level >= level) open.pop();
      const node: OutlineNode = { kind: 'heading', name, path: entry.path, children: [] };
      // The chunk's anchor is this heading's when the chunk starts with it.
      if (block.start === firstContent && entry.anchor) node.anchor = entry.anchor;
      (open[open.length - 1]?.node ?? page).children.push(node);
      open.push({ level, node });
    }
  }
  return prune(root.children, depth);
}

/** Heading markdown as text: code spans, emphasis and links reduced to their words. */
function plainText(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*_]+/g, '')
    .trim();
}

function addPage(root: OutlineNode, entry: OutlineEntry): OutlineNode {
  const segments = entry.path.split('/');
  const file = segments.pop()!;
  let folder = root;
  for (const segment of segments) {
    let next = folder.children.find((c) => c.kind === 'folder' && c.name === segment);
    if (!next) {
      next = { kind: 'folder', name: segment, children: [] };
      folder.children.push(next);
    }
    folder = next;
  }
  const page: OutlineNode = { kind: 'page', name: file, path: entry.path, title: entry.title, children: [] };
  folder.children.push(page);
  return page;
}

function prune(nodes: OutlineNode[], depth: number): OutlineNode[] {
  if (depth <= 0) return [];
  return nodes.map((n) => ({ ...n, children: prune(n.children, depth - 1) }));
}

/** The tree as indented lines: folders end in `/`, pages show their title, headings a `#`. */
export function renderOutline(nodes: readonly OutlineNode[], indent = ''): string[] {
  return nodes.flatMap((n) => {
    const label = n.kind === 'folder' ? `${n.name}/` : n.kind === 'page' ? `${n.name} — ${n.title}` : `# ${n.name}`;
    return [`${indent}${label}`, ...renderOutline(n.children, `${indent}  `)];
  });
}
