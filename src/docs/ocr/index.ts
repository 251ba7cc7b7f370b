/**
 * docs/ocr: text of PDFs and scans, page by page (pdftotext, pdftoppm, ImageMagick, tesseract,
 * ocrmypdf), shared by the documents agent and the `--documents` docs source. Tools run through
 * the OcrExec the caller passes (an agent's ctx.exec).
 */
export { extractDocument, linesText } from './extract.js';
export { documentMarkdown, pageMarkdown } from './markdown.js';
export { searchablePdf } from './searchable.js';
export { languagePackage, parseTesseractTsv } from './tesseract.js';
export { sniffKind } from './inspect.js';
export {
  DEFAULT_EXTRACT_OPTIONS,
  type Box,
  type DocumentKind,
  type DocumentPage,
  type ExtractOptions,
  type ExtractedDocument,
  type Line,
  type OcrExec,
  type PageMethod,
  type Word,
} from './types.js';
