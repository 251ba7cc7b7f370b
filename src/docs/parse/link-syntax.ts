/**
 * CommonMark link syntax shared by inline links and link reference definitions, as regex
 * source. Link text, labels and titles may wrap onto the next line but never run across a
 * blank line; a destination never holds a line ending. Brackets and parentheses nest one level.
 */

/** A line ending that does not begin a blank line. */
const lineBreak = String.raw`\n(?![ \t]*\n)`;

/** Spaces or tabs with at most one line ending: what may stand between the parts of a link. */
export const space = String.raw`[ \t]*(?:\n[ \t]*)?`;

/** `space` that is not empty: a title must be set off from its destination. */
export const beforeTitle = String.raw`(?=[ \t\n])${space}`;

/** The text of a link or image, between its brackets: balanced brackets are allowed in it. */
export const linkText = String.raw`(?:[^[\]\\\n]|\\.|${lineBreak}|\[(?:[^[\]\\\n]|\\.|${lineBreak})*\])*`;

/**
 * A link label, between its brackets: no unescaped bracket. `[^…]` is a GFM footnote and never
 * a link label, and a label of only whitespace is none either; both are left out here.
 */
export const label = String.raw`(?!\^)(?![ \t\n]*\])(?:[^[\]\\\n]|\\.|${lineBreak})+`;

/** `<…>` or a run without spaces (not opening with `<`); may be empty. */
export const destination = String.raw`<(?:[^<>\\\n]|\\.)*>|(?!<)(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*`;

const titleIn = (open: string, close: string, excluded: string): string =>
  String.raw`${open}(?:[^${excluded}\\\n]|\\.|${lineBreak})*${close}`;

export const title = `(?:${titleIn('"', '"', '"')}|${titleIn("'", "'", "'")}|${titleIn(String.raw`\(`, String.raw`\)`, '()')})`;

/** A destination without the angle brackets it may be written in. */
export function unwrap(href: string): string {
  return href.startsWith('<') && href.endsWith('>') ? href.slice(1, -1) : href;
}

/** Labels match case-insensitively, with runs of whitespace (line endings too) as one space. */
export function normalizeLabel(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}
