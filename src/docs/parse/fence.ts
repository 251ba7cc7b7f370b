/**
 * Recognises fenced code block lines. Every pass that must not touch code (markup clean-up,
 * block scanning, link extraction) uses this one rule so that they agree on what is code.
 * Fences are accepted at any indentation (they sit inside list items) and inside block quotes.
 */
export interface Fence {
  char: '`' | '~';
  length: number;
  indent: number;
  quoteDepth: number;
  info: string;
}

const openPattern = /^([ \t]*(?:>[ \t]?)*)[ \t]*(`{3,}|~{3,})(.*)$/;
const closePattern = /^([ \t]*(?:>[ \t]?)*)[ \t]*(`{3,}|~{3,})[ \t]*$/;

function quoteDepth(prefix: string): number {
  let depth = 0;
  for (const ch of prefix) if (ch === '>') depth++;
  return depth;
}

export function openFence(line: string): Fence | null {
  const m = openPattern.exec(line);
  if (!m) return null;
  const marker = m[2] as string;
  const info = (m[3] ?? '').trim();
  // A backtick "fence" whose info string holds a backtick is inline code, not a fence.
  if (marker[0] === '`' && info.includes('`')) return null;
  const prefix = m[1] ?? '';
  return {
    char: marker[0] as '`' | '~',
    length: marker.length,
    indent: line.length - line.trimStart().length,
    quoteDepth: quoteDepth(prefix),
    info,
  };
}

export function closesFence(line: string, fence: Fence): boolean {
  const m = closePattern.exec(line);
  if (!m) return false;
  const marker = m[2] as string;
  return marker[0] === fence.char && marker.length >= fence.length && quoteDepth(m[1] ?? '') === fence.quoteDepth;
}

/** The line that closes `fence`, for documents that end inside a code block. */
export function closingLine(fence: Fence): string {
  return (
    '> '.repeat(fence.quoteDepth) + ' '.repeat(fence.quoteDepth ? 0 : fence.indent) + fence.char.repeat(fence.length)
  );
}
