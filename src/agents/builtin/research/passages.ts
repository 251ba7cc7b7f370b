import type { SubQuery } from './decompose.js';

/**
 * What research gathers: passages, each with the id a claim cites (a chunk id for the docs, the
 * URL with its section anchor for the web) and the citation a reader follows.
 */
export interface Passage {
  id: string;
  /** `library@version path › heading`, or `Title › heading — URL`. */
  citation: string;
  text: string;
  score: number;
  /** Where to open it: a URL or a source path. */
  source: string;
  /** Other ids with the same content (near-duplicates the search collapsed, other versions). */
  alsoIn?: string[];
  /** Structured location, as the outputs carry it. */
  location: Record<string, unknown>;
}

/** One sub-query's ranked results. */
export interface Answered {
  subQuery: SubQuery;
  passages: Passage[];
}

export interface Gathered {
  /** The kept passages, in the order they are first used. */
  sources: Passage[];
  /** For each sub-query, the ids of the kept passages that answer it, best first. */
  bySubQuery: { subQuery: SubQuery; ids: string[]; found: number }[];
  /** Results seen again under another sub-query, or as a near-duplicate of a kept one. */
  duplicates: number;
}

/**
 * De-duplicates passages across sub-queries (the same id, or an id a kept passage lists as its
 * copy, or the same text) and keeps at most `max`, taken round-robin over the sub-queries so
 * each part of the question gets its best passages before any part gets its third.
 */
export function gather(answers: Answered[], max: number): Gathered {
  const kept = new Map<string, Passage>();
  const alias = new Map<string, string>();
  const byText = new Map<string, string>();
  const lists = answers.map((a) => ({ subQuery: a.subQuery, ids: [] as string[], queue: [...a.passages] }));
  let duplicates = 0;
  const keyOf = (p: Passage) => alias.get(p.id) ?? byText.get(normalise(p.text));
  for (let round = 0; lists.some((l) => l.queue.length); round++) {
    for (const list of lists) {
      const p = list.queue.shift();
      if (!p) continue;
      const existing = keyOf(p);
      if (existing) {
        duplicates++;
        if (!list.ids.includes(existing)) list.ids.push(existing);
        continue;
      }
      if (kept.size >= max) continue;
      kept.set(p.id, p);
      for (const id of [p.id, ...(p.alsoIn ?? [])]) alias.set(id, p.id);
      byText.set(normalise(p.text), p.id);
      list.ids.push(p.id);
    }
  }
  return {
    sources: [...kept.values()],
    bySubQuery: lists.map((l) => ({
      subQuery: l.subQuery,
      ids: l.ids,
      found: answers.find((a) => a.subQuery === l.subQuery)!.passages.length,
    })),
    duplicates,
  };
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The start of a passage, cut at a paragraph or sentence end near `chars`. */
export function excerpt(text: string, chars = 700): string {
  const t = text.trim();
  if (t.length <= chars) return t;
  const cut = t.slice(0, chars);
  const end = Math.max(cut.lastIndexOf('\n\n'), cut.lastIndexOf('. '));
  return `${(end > chars / 2 ? cut.slice(0, end + 1) : cut).trimEnd()} …`;
}
