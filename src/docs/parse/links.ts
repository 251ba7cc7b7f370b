import type { Block } from './blocks.js';
import { inlineToText } from './inline.js';
import type { SectionRange } from './sections.js';
import type { Link } from './types.js';

/**
 * Finds links to other documents in prose (never in code): inline `[text](href)`, reference
 * links with their definitions, `<https://…>` autolinks and bare URLs. Images, same-page
 * `#anchor` links and mailto:/tel:/javascript: links are left out.
 */
const label = String.raw`((?:[^[\]\\\n]|\\.|\[(?:[^[\]\\\n]|\\.)*\])*)`;
const destination = String.raw`(<[^<>\n]*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*)`;
const linkTitle = String.raw`(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?`;
const linkPattern = new RegExp(
  // The lookahead lets most positions fail on one character test.
  String.raw`(?=[![<h])(?:` +
  [
    String.raw`(?<bang>!?)\[${label}\](?:\(\s*${destination}${linkTitle}\s*\)|\[(?<ref>[^[\]\n]*)\])?`,
    String.raw`<(?<auto>https?://[^\s<>]+)>`,
    String.raw`(?<bare>https?://[^\s<>()[\]\`"']+(?:\([^\s<>()]*\)[^\s<>()[\]\`"']*)*)`,
  ].join('|') +
  ')',
  'gd', // indices: the label is read from the unmasked text, code spans included
);
const definitionPattern = /^ {0,3}\[((?:[^[\]\\]|\\.)+)\]:[ \t]*(<[^>\n]*>|\S+)/;
const codeSpanPattern = /(`+)(?:[^`\n]|\n(?![ \t]*\n)|(?!\1)`)*?\1(?!`)/g;
const skippedScheme = /^(?:mailto|tel|javascript|data):/i;

export function extractLinks(lines: readonly string[], blocks: readonly Block[], sections: readonly SectionRange[]): Link[] {
  const code = new Uint8Array(lines.length);
  for (const block of blocks) if (block.kind === 'code') code.fill(1, block.start, block.end);

  const definitions = new Map<string, string>();
  for (let i = 0; i < lines.length; i++) {
    if (code[i]) continue;
    const m = definitionPattern.exec(lines[i] as string);
    if (!m) continue;
    code[i] = 1; // a definition is not a link where it stands
    const key = normalizeLabel(m[1] as string);
    if (!definitions.has(key)) definitions.set(key, unwrap(m[2] as string));
  }

  const links: Link[] = [];
  for (const { section, start, end } of sections) {
    let run: string[] = [];
    const flush = (): void => {
      if (run.length > 0) collect(run.join('\n'), section.anchor, definitions, links);
      run = [];
    };
    for (let i = start; i < end; i++) {
      if (code[i]) flush();
      else run.push(lines[i] as string);
    }
    flush();
  }
  return links;
}

function collect(text: string, sectionAnchor: string, definitions: Map<string, string>, links: Link[]): void {
  if (!text.includes('[') && !text.includes('http')) return;
  const prose = text.replace(codeSpanPattern, (span) => ' '.repeat(span.length));
  for (const m of prose.matchAll(linkPattern)) {
    const g = m.groups ?? {};
    if (g.auto !== undefined || g.bare !== undefined) {
      const href = g.auto ?? trimUrl(g.bare as string);
      links.push({ href, text: href, sectionAnchor });
      continue;
    }
    if (g.bang === '!') continue;
    const labelRange = m.indices?.[2];
    const labelText = labelRange ? text.slice(labelRange[0], labelRange[1]) : '';
    const written = m[3];
    const href =
      written !== undefined
        ? unwrap(written)
        : definitions.get(normalizeLabel(g.ref ? g.ref : labelText));
    if (href === undefined || href === '' || href.startsWith('#') || skippedScheme.test(href)) continue;
    links.push({ href, text: inlineToText(labelText), sectionAnchor });
  }
}

function unwrap(href: string): string {
  return href.startsWith('<') && href.endsWith('>') ? href.slice(1, -1) : href;
}

function normalizeLabel(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** A bare URL does not take the sentence's closing punctuation or an unbalanced parenthesis. */
function trimUrl(url: string): string {
  let out = url.replace(/[.,:;!?*_~]+$/, '');
  while (out.endsWith(')') && (out.match(/\(/g)?.length ?? 0) < (out.match(/\)/g)?.length ?? 0)) out = out.slice(0, -1);
  return out;
}
