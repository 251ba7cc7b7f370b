import type { Block } from './blocks.js';
import { readDefinitions } from './definitions.js';
import { inlineToText } from './inline.js';
import { beforeTitle, destination, label, linkText, normalizeLabel, space, title, unwrap } from './link-syntax.js';
import type { SectionRange } from './sections.js';
import type { Link } from './types.js';

/**
 * Finds links to other documents in prose (never in code): inline `[text](href)`, reference
 * links with their definitions, `<https://…>` autolinks and bare URLs. Images, same-page
 * `#anchor` links, mailto:/tel:/javascript: links and GFM footnotes (`[^1]`) are left out.
 */
const linkPattern = new RegExp(
  // The lookahead lets most positions fail on one character test.
  String.raw`(?=[![<h])(?:` +
    [
      String.raw`(?<bang>!?)\[(?<text>${linkText})\](?:\(${space}(?<dest>${destination})(?:${beforeTitle}${title})?${space}\)|\[(?<ref>${label})?\])?`,
      String.raw`<(?<auto>https?://[^\s<>]+)>`,
      String.raw`(?<bare>https?://[^\s<>()[\]\`"']+(?:\([^\s<>()]*\)[^\s<>()[\]\`"']*)*)`,
    ].join('|') +
    ')',
  'gd', // indices: the text is read from the unmasked text, code spans included
);
const codeSpanPattern = /(`+)(?:[^`\n]|\n(?![ \t]*\n)|(?!\1)`)*?\1(?!`)/g;
const skippedScheme = /^(?:mailto|tel|javascript|data):/i;

export function extractLinks(
  lines: readonly string[],
  blocks: readonly Block[],
  sections: readonly SectionRange[],
): Link[] {
  /** Lines that hold no links: code blocks and link reference definitions. */
  const skip = new Uint8Array(lines.length);
  for (const block of blocks) if (block.kind === 'code') skip.fill(1, block.start, block.end);
  const definitions = readDefinitions(lines, blocks, skip);

  const links: Link[] = [];
  for (const { section, start, end } of sections) {
    let run: string[] = [];
    const flush = (): void => {
      if (run.length > 0) collect(run.join('\n'), section.anchor, definitions, links);
      run = [];
    };
    for (let i = start; i < end; i++) {
      if (skip[i]) flush();
      else run.push(lines[i] as string);
    }
    flush();
  }
  return links;
}

function collect(text: string, sectionAnchor: string, definitions: Map<string, string>, links: Link[]): void {
  if (!text.includes('[') && !text.includes('http')) return;
  const prose = text.replace(codeSpanPattern, (span) => ' '.repeat(span.length));
  linkPattern.lastIndex = 0;
  for (let m = linkPattern.exec(prose); m; m = linkPattern.exec(prose)) {
    const g = m.groups ?? {};
    if (g.auto !== undefined || g.bare !== undefined) {
      const href = g.auto ?? trimUrl(g.bare as string);
      links.push({ href, text: href, sectionAnchor });
      continue;
    }
    const at = m.indices?.groups ?? {};
    if (g.ref !== undefined && !definitions.has(normalizeLabel(g.ref))) {
      // `[a][b]` without a definition of b: `[a]` is plain text, but `[b]` may be a link itself.
      linkPattern.lastIndex = (at.ref as [number, number])[0] - 1;
      continue;
    }
    if (g.bang === '!') continue;
    const [from, to] = at.text as [number, number];
    const shown = text.slice(from, to);
    const href = g.dest !== undefined ? unwrap(g.dest) : definitions.get(normalizeLabel(g.ref ?? shown));
    if (href === undefined || href === '' || href.startsWith('#') || skippedScheme.test(href)) continue;
    links.push({ href, text: inlineToText(shown), sectionAnchor });
  }
}

/** A bare URL does not take the sentence's closing punctuation or an unbalanced parenthesis. */
function trimUrl(url: string): string {
  let out = url.replace(/[.,:;!?*_~]+$/, '');
  while (out.endsWith(')') && (out.match(/\(/g)?.length ?? 0) < (out.match(/\)/g)?.length ?? 0)) out = out.slice(0, -1);
  return out;
}
