import { closesFence, closingLine, openFence, scanBlocks, type Block } from '../parse/index.js';
import { countTokens } from './tokens.js';

/**
 * Splits a section that is over budget at block boundaries (paragraphs, list items, code
 * blocks, tables) and packs the blocks greedily into parts of at most `maxTokens`.
 * Code blocks and tables are never cut: one that does not fit travels alone as an oversize
 * part. Only one over `hardLimit` tokens is cut, at line boundaries, each piece valid
 * markdown on its own: the fence reopened with its info string and closed, or the table's
 * header and delimiter rows repeated. Text longer than the budget is cut at lines, and a
 * single over-long line at word boundaries.
 */
interface Unit {
  text: string;
  tokens: number;
  /** What joins this unit to the one before it when both land in one part. */
  gap: string;
}

export interface SplitLimits {
  maxTokens: number;
  /** Above this, a code block or table is cut after all. */
  hardLimit: number;
}

export function splitMarkdown(markdown: string, limits: SplitLimits): Array<{ text: string; tokens: number }> {
  const lines = markdown.split('\n');
  const units: Unit[] = [];
  let previous: Block | undefined;
  for (const block of scanBlocks(lines)) {
    const gap = previous === undefined ? '' : block.start > previous.end ? '\n\n' : '\n';
    const blockLines = lines.slice(block.start, block.end);
    const parts = blockUnits(block, blockLines, limits);
    parts.forEach((unit, i) => units.push(i === 0 ? { ...unit, gap } : unit));
    previous = block;
  }
  return pack(units, limits.maxTokens);
}

function blockUnits(block: Block, lines: string[], limits: SplitLimits): Unit[] {
  const text = lines.join('\n');
  const tokens = countTokens(text);
  if (tokens <= limits.maxTokens) return [{ text, tokens, gap: '' }];
  if (block.kind === 'code' || block.kind === 'table') {
    if (tokens <= limits.hardLimit) return [{ text, tokens, gap: '' }];
    return block.kind === 'code' ? cutCode(lines, limits.maxTokens) : cutTable(lines, limits.maxTokens);
  }
  return cutText(lines, limits.maxTokens);
}

/** Every piece is a whole fenced block: the opening line repeated, the closing line added. */
function cutCode(lines: string[], maxTokens: number): Unit[] {
  const open = lines[0] as string;
  const fence = openFence(open);
  const last = lines[lines.length - 1] as string;
  // Parsed markdown always closes its fences; plain text may not, and gets a closing line here.
  const closed = fence !== null && lines.length > 1 && closesFence(last, fence);
  const close = closed || fence === null ? last : closingLine(fence);
  const frame = countTokens(open) + countTokens(close);
  return groupLines(lines.slice(1, closed ? -1 : undefined), maxTokens - frame).map((group) => ({
    text: `${open}\n${group.text}\n${close}`,
    tokens: group.tokens + frame,
    gap: '\n\n',
  }));
}

/** Every piece is a whole table: the header and delimiter rows repeated above its rows. */
function cutTable(lines: string[], maxTokens: number): Unit[] {
  const head = lines.slice(0, 2).join('\n');
  const headTokens = countTokens(head);
  return groupLines(lines.slice(2), maxTokens - headTokens).map((group) => ({
    text: `${head}\n${group.text}`,
    tokens: group.tokens + headTokens,
    gap: '\n\n',
  }));
}

function cutText(lines: string[], maxTokens: number): Unit[] {
  const units: Unit[] = [];
  for (const line of lines) {
    const tokens = countTokens(line);
    if (tokens <= maxTokens) {
      units.push({ text: line, tokens, gap: '\n' });
      continue;
    }
    // Whitespace stays attached to the word before it, so the pieces join back to the line.
    line
      .split(/(?<=\s)(?=\S)/)
      .forEach((word, i) => units.push({ text: word, tokens: countTokens(word), gap: i === 0 ? '\n' : '' }));
  }
  return pack(units, maxTokens).map((part) => ({ ...part, gap: '\n' }));
}

/** Consecutive lines grouped up to the budget; a line over budget forms its own group. */
function groupLines(lines: string[], budget: number): Array<{ text: string; tokens: number }> {
  return pack(
    lines.map((line) => ({ text: line, tokens: countTokens(line), gap: '\n' })),
    Math.max(budget, 1),
  );
}

function pack(units: Unit[], budget: number): Array<{ text: string; tokens: number }> {
  const parts: Array<{ text: string; tokens: number }> = [];
  let text = '';
  let tokens = 0;
  for (const unit of units) {
    if (text !== '' && tokens + unit.tokens > budget) {
      parts.push({ text: text.trimEnd(), tokens });
      text = '';
      tokens = 0;
    }
    text = text === '' ? unit.text : text + unit.gap + unit.text;
    tokens += unit.tokens;
  }
  if (text !== '') parts.push({ text: text.trimEnd(), tokens });
  return parts;
}
