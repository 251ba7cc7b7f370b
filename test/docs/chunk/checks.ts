import { scanBlocks } from '../../../src/docs/parse/index.js';

/**
 * True when the markdown ends outside any fenced code block. Written apart from the parser's
 * own fence rule so that the two check each other.
 */
export function fencesBalanced(markdown: string): boolean {
  let open: string | null = null;
  for (const line of markdown.split('\n')) {
    const m = /^[ \t]*(?:>[ \t]?)*[ \t]*(`{3,}|~{3,})(.*)$/.exec(line);
    if (!m) continue;
    const marker = m[1] as string;
    if (open === null) {
      if (!(marker[0] === '`' && (m[2] ?? '').includes('`'))) open = marker;
    } else if (marker[0] === open[0] && marker.length >= open.length && (m[2] ?? '').trim() === '') {
      open = null;
    }
  }
  return open === null;
}

/** The kinds of the blocks in a piece of markdown. */
export function blockKinds(markdown: string): string[] {
  return scanBlocks(markdown.split('\n')).map((b) => b.kind);
}

/** The texts of the code blocks and tables in a piece of markdown. */
export function atomicBlocks(markdown: string): string[] {
  const lines = markdown.split('\n');
  return scanBlocks(lines)
    .filter((b) => b.kind === 'code' || b.kind === 'table')
    .map((b) => lines.slice(b.start, b.end).join('\n'));
}
