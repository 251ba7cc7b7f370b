import { closesFence, openFence, type Fence } from './fence.js';

/**
 * A fast line scanner for the block structure of markdown that sectioning and chunking need:
 * headings, fenced code, tables, and the text blocks between them (paragraphs, list items,
 * quotes). Blocks are line ranges, so text sliced from them is the original markdown.
 */
export type BlockKind = 'heading' | 'code' | 'table' | 'text' | 'rule';

export interface Block {
  kind: BlockKind;
  /** First line (0-based) and the line after the last one. */
  start: number;
  end: number;
  /** Headings only: level 1-6 and the raw heading content. */
  level?: number;
  heading?: string;
}

const atxPattern = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const setextPattern = /^ {0,3}(=+|-+)[ \t]*$/;
const rulePattern = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const listItemPattern = /^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
const delimiterRowPattern = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

export function scanBlocks(lines: readonly string[]): Block[] {
  const blocks: Block[] = [];
  let current: Block | null = null;
  /** The open text block is a plain paragraph (may become a setext heading or a table header). */
  let paragraph = false;
  let fence: Fence | null = null;

  const close = (end: number): void => {
    if (current) {
      current.end = end;
      blocks.push(current);
      current = null;
    }
    paragraph = false;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (fence) {
      if (closesFence(line, fence)) {
        fence = null;
        close(i + 1);
      }
      continue;
    }
    if (line.trim() === '') {
      close(i);
      continue;
    }
    const opened = openFence(line);
    if (opened) {
      close(i);
      fence = opened;
      current = { kind: 'code', start: i, end: i + 1 };
      continue;
    }
    const atx = atxPattern.exec(line);
    if (atx) {
      close(i);
      blocks.push({
        kind: 'heading',
        start: i,
        end: i + 1,
        level: (atx[1] as string).length,
        heading: (atx[2] ?? '').trim(),
      });
      continue;
    }
    const open = current; // TypeScript cannot see `close` resetting `current`
    if (open && paragraph && setextPattern.test(line)) {
      const heading = lines
        .slice(open.start, i)
        .map((l) => l.trim())
        .join(' ');
      blocks.push({ kind: 'heading', start: open.start, end: i + 1, level: line.trim()[0] === '=' ? 1 : 2, heading });
      current = null;
      paragraph = false;
      continue;
    }
    if (rulePattern.test(line)) {
      close(i);
      blocks.push({ kind: 'rule', start: i, end: i + 1 });
      continue;
    }
    if (open && paragraph && isTableStart(lines[i - 1] as string, line)) {
      // The header row may be the last line of a paragraph: the paragraph ends before it.
      if (i - 1 > open.start) {
        open.end = i - 1;
        blocks.push(open);
      }
      current = { kind: 'table', start: i - 1, end: i + 1 };
      paragraph = false;
      continue;
    }
    if (listItemPattern.test(line)) {
      close(i);
      current = { kind: 'text', start: i, end: i + 1 };
      continue;
    }
    if (!current) {
      current = { kind: 'text', start: i, end: i + 1 };
      paragraph = !/^[ \t]*>/.test(line);
    }
  }
  close(lines.length);
  return blocks;
}

function isTableStart(header: string, delimiter: string): boolean {
  if (!header.includes('|') || !delimiterRowPattern.test(delimiter)) return false;
  return cellCount(header) === cellCount(delimiter);
}

function cellCount(row: string): number {
  const trimmed = row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '');
  let count = 1;
  let inCode = false;
  for (let i = 0; i < trimmed.length; i++) {
    const ch = trimmed[i];
    if (ch === '\\') i++;
    else if (ch === '`') inCode = !inCode;
    else if (ch === '|' && !inCode) count++;
  }
  return count;
}
