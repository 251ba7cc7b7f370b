import path from 'node:path';
import type { DocumentPage, ExtractedDocument } from './types.js';

/** One page as markdown: its blocks as paragraphs, a scan's lines kept as lines. */
export function pageMarkdown(page: DocumentPage): string {
  const paragraphs: string[] = [];
  let current: string[] = [];
  let block = -1;
  for (const line of page.lines) {
    if (line.block !== block && current.length) {
      paragraphs.push(current.join('  \n'));
      current = [];
    }
    block = line.block;
    current.push(escapeMarkdown(line.text));
  }
  if (current.length) paragraphs.push(current.join('  \n'));
  return paragraphs.join('\n\n');
}

/** Characters that would turn OCR'd text into markup it never was. */
function escapeMarkdown(text: string): string {
  return text.replace(/^([#>+-]|\d+\.)(\s)/, '\\$1$2').replace(/([*_`[\]<])/g, '\\$1');
}

const methodNote = (p: DocumentPage) =>
  p.method === 'ocr'
    ? `_OCR, mean confidence ${p.confidence ?? 'n/a'}${p.deskewDegrees ? `, straightened by ${p.deskewDegrees}°` : ''}._`
    : '_Text layer._';

/** The whole document: a heading per page, saying how each was read. */
export function documentMarkdown(doc: ExtractedDocument): string {
  const title = `# ${path.basename(doc.file)}`;
  const pages = doc.pages.map((p) => `## Page ${p.number}\n\n${methodNote(p)}\n\n${pageMarkdown(p)}`.trimEnd());
  return `${[title, ...pages].join('\n\n')}\n`;
}
