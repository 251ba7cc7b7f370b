/**
 * Decodes HTML character references found in markdown prose, so that search sees `"2.0"` and
 * not `&quot;2.0&quot;`. `&lt;`, `&gt;` and `&amp;` stay encoded: decoding them could turn
 * text into markup for the next reader of the markdown.
 */
const named: Record<string, string> = {
  nbsp: ' ',
  quot: '"',
  apos: "'",
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  middot: '·',
  bull: '•',
  times: '×',
  rarr: '→',
  larr: '←',
  harr: '↔',
  check: '✓',
  zwj: '',
  zwnj: '',
  shy: '',
};

const keptEncoded = new Set(['<', '>', '&']);

export function decodeEntity(entity: string): string {
  const body = entity.slice(1, -1);
  if (body.startsWith('#')) {
    const hex = body[1] === 'x' || body[1] === 'X';
    const code = Number.parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10);
    if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff) return entity;
    const char = code === 0xa0 ? ' ' : String.fromCodePoint(code);
    return keptEncoded.has(char) ? entity : char;
  }
  return named[body] ?? entity;
}
