import { closesFence, closingLine, openFence, type Fence } from './fence.js';
import { dedentRuns, dropEsm } from './mdx-lines.js';
import { cleanProse } from './prose.js';
import type { MarkupOptions } from './tags.js';

export type { MarkupOptions } from './tags.js';

/**
 * Turns markdown, MDX or Jekyll markdown into plain markdown without markup that means nothing
 * to a reader: ESM, JSX/HTML tags (their text is kept), comments, Liquid link tags, kramdown
 * attribute lists and entities. It is a tolerant line and regex pass rather than an MDX parse:
 * micromark alone needs ~5 s to tokenize our two corpora on the target machine (measured),
 * this needs well under one, and it never fails on odd MDX. Code blocks are copied untouched;
 * prose between them is cleaned, with at most one blank line in a row.
 */
export interface CleanedMarkup {
  markdown: string;
  warnings: string[];
}

export function cleanMarkup(source: string, options: MarkupOptions): CleanedMarkup {
  const warnings: string[] = [];
  const out: string[] = [];
  let prose: string[] = [];

  const lines = source.split('\n');
  let fence: Fence | null = null;
  let fenceStart = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (fence) {
      out.push(line);
      if (closesFence(line, fence)) fence = null;
      continue;
    }
    const opened = openFence(line);
    if (opened) {
      pushProse(out, prose, options);
      prose = [];
      fence = opened;
      fenceStart = i + 1;
      out.push(line);
      continue;
    }
    prose.push(line);
  }
  pushProse(out, prose, options);
  if (fence) {
    // Closing it keeps every later consumer (sections, chunks) free of a dangling fence.
    warnings.push(`code fence opened on line ${fenceStart} is never closed; closed at the end of the document`);
    while (out[out.length - 1]?.trim() === '') out.pop();
    out.push(closingLine(fence));
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  while (out.length > 0 && out[0] === '') out.shift();
  return { markdown: out.join('\n'), warnings };
}

/** Appends cleaned prose, right-trimmed and with at most one blank line in a row. */
function pushProse(out: string[], prose: string[], options: MarkupOptions): void {
  if (prose.length === 0) return;
  const text = cleanProse((options.mdx ? dropEsm(prose) : prose).join('\n'), options);
  const lines = text.split('\n').map((line) => line.trimEnd());
  for (const line of options.mdx ? dedentRuns(lines) : lines) {
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line);
  }
}
