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
  heading_path: readonly string[];
  anchor: string;
}

/**
 * Builds the tree from every chunk's place (in path, then document order). A page's first
 * heading is left out when it only repeats the page title. `depth` keeps that many levels.
 */
export function buildOutline(entries: readonly OutlineEntry[], depth = Infinity): OutlineNode[] {
  const root: OutlineNode = { kind: 'folder', name: '', children: [] };
  let page: OutlineNode | null = null;
  for (const entry of entries) {
    if (page?.path !== entry.path) page = addPage(root, entry);
    const headings = entry.heading_path[0] === entry.title ? entry.heading_path.slice(1) : entry.heading_path;
    let parent = page;
    headings.forEach((heading, i) => {
      let node = parent.children.find((c) => c.kind === 'heading' && c.name === heading);
      if (!node) {
        node = { kind: 'heading', name: heading, path: entry.path, children: [] };
        parent.children.push(node);
      }
      // The anchor is the section's own: known from a chunk that starts at this heading.
      if (i === headings.length - 1) node.anchor ??= entry.anchor;
      parent = node;
    });
  }
  return prune(root.children, depth);
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
