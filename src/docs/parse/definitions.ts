import type { Block } from './blocks.js';
import { beforeTitle, destination, label, normalizeLabel, space, title, unwrap } from './link-syntax.js';

/**
 * Link reference definitions (`[id]: /url "title"`), read as CommonMark does: only at the start
 * of a paragraph, where one may follow another, never interrupting one; the label, the
 * destination and the title may each begin on a new line; nothing but spaces may follow on
 * the last line. A GFM footnote definition (`[^id]: …`) is no definition: its line is prose.
 */
const definitionPattern = new RegExp(
  String.raw` {0,3}\[(${label})\]:${space}(?=\S)(${destination})(?:${beforeTitle}${title})?[ \t]*(?:\n|$)`,
  'y',
);
const opener = /^ {0,3}\[/;

/**
 * The destination of each label (the first definition wins), keyed by normalised label. The
 * lines the definitions take are set in `skip`: a definition is not a link where it stands.
 */
export function readDefinitions(
  lines: readonly string[],
  blocks: readonly Block[],
  skip: Uint8Array,
): Map<string, string> {
  const hrefs = new Map<string, string>();
  for (const block of blocks) {
    if (block.kind !== 'text' || !opener.test(lines[block.start] as string)) continue;
    const text = lines.slice(block.start, block.end).join('\n');
    let line = block.start;
    definitionPattern.lastIndex = 0;
    for (let m = definitionPattern.exec(text); m; m = definitionPattern.exec(text)) {
      const taken = lineCount(m[0]);
      skip.fill(1, line, line + taken);
      line += taken;
      const key = normalizeLabel(m[1] as string);
      if (!hrefs.has(key)) hrefs.set(key, unwrap(m[2] as string));
    }
  }
  return hrefs;
}

/** Lines a definition covers: it ends with its line ending, or with the block. */
function lineCount(definition: string): number {
  let breaks = 0;
  for (let at = definition.indexOf('\n'); at !== -1; at = definition.indexOf('\n', at + 1)) breaks++;
  return definition.endsWith('\n') ? breaks : breaks + 1;
}
