import type { Block } from './blocks.js';
import { inlineToText } from './inline.js';
import { Slugger } from './slug.js';
import type { Section } from './types.js';

/** A section with the line range it came from, for passes that need the source lines. */
export interface SectionRange {
  section: Section;
  start: number;
  end: number;
}

/**
 * Cuts the page at every heading. Each section keeps its heading line and body up to the next
 * heading of any level; its heading path is the chain of enclosing headings.
 */
export function buildSections(lines: readonly string[], blocks: readonly Block[]): SectionRange[] {
  const headings = blocks.filter((b) => b.kind === 'heading');
  const ranges: SectionRange[] = [];
  const firstStart = headings[0]?.start ?? lines.length;
  const preamble = sectionMarkdown(lines, 0, firstStart);
  if (preamble)
    ranges.push({ section: { headingPath: [], level: 0, anchor: '', markdown: preamble }, start: 0, end: firstStart });

  const slugger = new Slugger();
  const stack: Array<{ level: number; text: string }> = [];
  headings.forEach((heading, index) => {
    const level = heading.level ?? 1;
    const text = inlineToText(heading.heading ?? '');
    while (stack.length > 0 && (stack[stack.length - 1] as { level: number }).level >= level) stack.pop();
    stack.push({ level, text });
    const end = headings[index + 1]?.start ?? lines.length;
    ranges.push({
      section: {
        headingPath: stack.map((h) => h.text),
        level,
        anchor: slugger.slug(text),
        markdown: sectionMarkdown(lines, heading.start, end),
      },
      start: heading.start,
      end,
    });
  });
  return ranges;
}

/** The lines of a range without blank lines at either end (lines are already right-trimmed outside code). */
function sectionMarkdown(lines: readonly string[], start: number, end: number): string {
  let from = start;
  let to = end;
  while (from < to && (lines[from] as string).trim() === '') from++;
  while (to > from && (lines[to - 1] as string).trim() === '') to--;
  return lines.slice(from, to).join('\n');
}
