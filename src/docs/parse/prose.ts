import { decodeEntity } from './entities.js';
import { replaceTag, type MarkupOptions, type ProseScan } from './tags.js';

const brace = String.raw`\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}`;
const attrValue = String.raw`(?:"[^"]*"|'[^']*'|${brace}|[^\s"'<>=\`{}]+)`;
const attr = String.raw`(?:\s+(?:[^\s"'<>/={}]+(?:\s*=\s*${attrValue})?|${brace}))`;
const ialItem = String.raw`(?:[.#][\w-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s}]+))`;

/**
 * Markup is found by jumping to its possible first characters and trying sticky patterns
 * there; one big alternation regex over the text was six times slower (measured).
 */
const trigger = /[`<&{]/g;
const codeSpanPattern = /(`+)(?:[^`\n]|\n(?![ \t]*\n))+?\1(?!`)/y;
const commentPattern = /<!--[\s\S]*?-->/y;
const tagPattern = new RegExp(String.raw`<(/?)([A-Za-z][\w.-]*)(${attr}*)\s*(/?)>|</?>`, 'y');
const entityPattern = /&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/y;
const mdxCommentPattern = /\{\/\*[\s\S]*?\*\/\}/y;
const liquidPattern = /\{%-?\s*(link|post_url)\s+([^\s%]+)\s*-?%\}|\{\{-?\s*site\.baseurl\s*-?\}\}/y;
const ialPattern = new RegExp(String.raw`\{:\s*${ialItem}(?:\s+${ialItem})*\s*\}`, 'y');

/**
 * Cleans one run of prose (text between code blocks): code spans stay, comments go, tags are
 * replaced by their text, entities are decoded, Jekyll link tags become paths.
 */
export function cleanProse(text: string, options: MarkupOptions): string {
  const scan: ProseScan = { text, options, anchors: [], lineStart: 0, scanned: 0 };
  const parts: string[] = [];
  let last = 0;
  trigger.lastIndex = 0;
  for (let m = trigger.exec(text); m; m = trigger.exec(text)) {
    const at = m.index;
    const found = markupAt(scan, at);
    if (!found) continue;
    if (found.replacement !== undefined) {
      parts.push(text.slice(last, at), found.replacement);
      last = at + found.length;
    }
    trigger.lastIndex = at + found.length;
  }
  parts.push(text.slice(last));
  return parts.join('');
}

/** The markup starting at `at`: its length, and its replacement unless it stays as written. */
function markupAt(scan: ProseScan, at: number): { length: number; replacement?: string } | null {
  const { text, options } = scan;
  if (text[at - 1] === '\\') return null; // escaped: `\<`, `\{`, `\&` are text
  let m: RegExpExecArray | null;
  switch (text[at]) {
    case '`':
      m = sticky(codeSpanPattern, text, at);
      return m ? { length: m[0].length } : null;
    case '&':
      m = sticky(entityPattern, text, at);
      return m ? { length: m[0].length, replacement: decodeEntity(m[0]) } : null;
    case '<':
      m = sticky(commentPattern, text, at);
      if (m) return { length: m[0].length, replacement: '' };
      m = sticky(tagPattern, text, at);
      if (!m) return null;
      return { length: m[0].length, ...replaceTag(m, scan) };
    default: // '{'
      if (options.mdx) {
        m = sticky(mdxCommentPattern, text, at);
        return m ? { length: m[0].length, replacement: '' } : null;
      }
      if (!options.jekyll) return null;
      m = sticky(liquidPattern, text, at);
      if (m) return { length: m[0].length, replacement: m[1] === 'link' ? `/${m[2]}` : m[1] ? `/_posts/${m[2]}` : '' };
      m = sticky(ialPattern, text, at);
      return m ? { length: m[0].length, replacement: '' } : null;
  }
}

function sticky(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}
