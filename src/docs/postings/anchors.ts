import { tokenize } from './tokenize.js';

/** What anchor text needs of a resolved link (a bosun.doc_link row of kind 'page'). */
export interface AnchorLink {
  version: string;
  fromPath: string;
  href: string;
  text: string;
  toVersion: string | null;
  toPath: string | null;
}

/** A chunk's text, where the sentences around its links are found. */
export interface AnchorSourceChunk {
  version: string;
  path: string;
  text: string;
}

export interface PageAnchorRow {
  library: string;
  version: string;
  path: string;
  terms: string[];
  /** Links whose text has the term. */
  tf: number[];
  /** Links whose sentence (around the link text) has the term. */
  tf_context: number[];
  /** Distinct pages linking here. */
  sources: number;
}

interface Target {
  version: string;
  path: string;
  text: Map<string, number>;
  context: Map<string, number>;
  from: Set<string>;
}

/** An inline link `[text](href "title")`; reference links and autolinks keep only their text. */
const inlineLink = /\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?[^)\n]*\)/g;
/** Context on each side of a link, in characters, cut at a sentence or paragraph boundary. */
const CONTEXT_CHARS = 160;

/**
 * Anchor text: the words other pages use when they link to a page, gathered as a field of the
 * target — the link's own text and the sentence around it. Authors link with the words a
 * reader would use ("see how to query the lake at an earlier point in time"), which are often
 * not the words of the page they link to; web search closed the same gap this way. Links of
 * a page to itself are left out: they repeat its own words.
 */
export function pageAnchorRows(
  library: string,
  links: readonly AnchorLink[],
  chunks: readonly AnchorSourceChunk[] = [],
): PageAnchorRow[] {
  const targets = new Map<string, Target>();
  const byHref = new Map<string, Target>();
  const count = (into: Map<string, number>, terms: readonly string[]) => {
    for (const term of new Set(terms)) into.set(term, (into.get(term) ?? 0) + 1);
  };
  for (const link of links) {
    if (link.toPath === null || link.toVersion === null) continue;
    if (link.toVersion === link.version && link.toPath === link.fromPath) continue;
    const key = `${link.toVersion}\0${link.toPath}`;
    let target = targets.get(key);
    if (!target)
      targets.set(
        key,
        (target = { version: link.toVersion, path: link.toPath, text: new Map(), context: new Map(), from: new Set() }),
      );
    target.from.add(`${link.version}\0${link.fromPath}`);
    count(target.text, tokenize(link.text));
    byHref.set(`${link.version}\0${link.fromPath}\0${link.href}`, target);
  }
  for (const chunk of chunks) {
    for (const m of chunk.text.matchAll(inlineLink)) {
      const target = byHref.get(`${chunk.version}\0${chunk.path}\0${m[2]}`);
      if (!target) continue;
      const own = new Set(tokenize(m[1] ?? ''));
      const around = sentenceAround(chunk.text, m.index, m.index + m[0].length).replace(inlineLink, '$1');
      count(
        target.context,
        tokenize(around).filter((t) => !own.has(t)),
      );
    }
  }
  return [...targets.values()].flatMap((t) => {
    const terms = [...new Set([...t.text.keys(), ...t.context.keys()])];
    if (!terms.length) return [];
    return [
      {
        library,
        version: t.version,
        path: t.path,
        terms,
        tf: terms.map((term) => t.text.get(term) ?? 0),
        tf_context: terms.map((term) => t.context.get(term) ?? 0),
        sources: t.from.size,
      },
    ];
  });
}

/** The text around [start, end) up to the nearest sentence or paragraph boundary on each side. */
function sentenceAround(text: string, start: number, end: number): string {
  const before = text.slice(Math.max(0, start - CONTEXT_CHARS), start);
  const after = text.slice(end, end + CONTEXT_CHARS);
  const cutBefore = Math.max(before.lastIndexOf('. '), before.lastIndexOf('\n\n'), before.lastIndexOf('\n- '));
  const cutAfter = after.search(/\.\s|\n\n|\n- /);
  return `${cutBefore < 0 ? before : before.slice(cutBefore + 1)} ${cutAfter < 0 ? after : after.slice(0, cutAfter)}`;
}
