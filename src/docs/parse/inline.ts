/**
 * Inline markdown → plain text, for heading paths, anchors and link texts: code spans keep
 * their content, links and images keep their text, emphasis markers and tags go.
 * Underscores inside words (`ducklake_snapshot`) are not emphasis and stay.
 */
const codeSpanPattern = /(`+)([\s\S]*?[^`])\1(?!`)/g;

const markup = /[`[\]<*_~\\]/;

export function inlineToText(markdown: string): string {
  if (!markup.test(markdown)) return markdown.replace(/\s+/g, ' ').trim();
  let out = '';
  let last = 0;
  for (const m of markdown.matchAll(codeSpanPattern)) {
    out += proseToText(markdown.slice(last, m.index)) + (m[2] as string).replace(/^ (.*) $/s, '$1');
    last = m.index + m[0].length;
  }
  out += proseToText(markdown.slice(last));
  return out.replace(/\s+/g, ' ').trim();
}

function proseToText(text: string): string {
  return text
    .replace(/!?\[((?:[^[\]]|\[[^[\]]*\])*)\](?:\([^)]*\)|\[[^\]]*\])/g, '$1')
    .replace(/<((?:https?|mailto):[^>\s]+)>/g, '$1')
    .replace(/<\/?[A-Za-z][^>]*>/g, '')
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/(^|[^\w*])\*(?=\S)([^*]*?\S)\*(?![\w*])/g, '$1$2')
    .replace(/(^|[^\w])_(?=\S)([^_]*?\S)_(?!\w)/g, '$1$2')
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1');
}
