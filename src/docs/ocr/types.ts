import type { runChecked, runCommand } from '../../exec/index.js';

/**
 * The process API the OCR primitives spawn tools through: exec/'s own functions. The documents
 * agent passes its `ctx.exec`, the docs layer the exec module itself.
 */
export interface OcrExec {
  runCommand: typeof runCommand;
  runChecked: typeof runChecked;
}

/** A box in PDF points (1/72 inch) from the page's top-left corner: [left, top, right, bottom]. */
export type Box = [number, number, number, number];

export interface Word {
  text: string;
  box: Box;
  /** Tesseract's confidence, 0–100; absent for text-layer words. */
  confidence?: number;
}

export interface Line {
  text: string;
  box: Box;
  /** The block (paragraph region) the line belongs to, numbered from 1 on each page. */
  block: number;
  words: Word[];
}

export type PageMethod = 'text-layer' | 'ocr';

export interface DocumentPage {
  /** 1-based page number in the file (an image is page 1). */
  number: number;
  method: PageMethod;
  text: string;
  /** Mean word confidence (0–100) of an OCR page; null for a text-layer page. */
  confidence: number | null;
  /** Page size in points. */
  width: number;
  height: number;
  /** Degrees the scan was rotated by to straighten it (OCR pages only). */
  deskewDegrees: number | null;
  lines: Line[];
}

export type DocumentKind = 'pdf' | 'png' | 'jpeg' | 'tiff';

export interface ExtractedDocument {
  file: string;
  kind: DocumentKind;
  sha256: string;
  /** Pages in the file (a PDF's page count; 1 for an image). */
  pageCount: number;
  pages: DocumentPage[];
  text: string;
}

export interface ExtractOptions {
  /** Tesseract language codes, in order (`eng`, `deu`, `chi_sim`). */
  languages: string[];
  /** 1-based page numbers to read; all when absent. */
  pages?: number[];
  /** Rasterising resolution for scanned PDF pages, and the assumed resolution of images. */
  dpi: number;
  /**
   * How tesseract segments a scan: `auto` finds columns and blocks (psm 3); `rows` reads the
   * page as one column of rows (psm 4), which keeps a table row's cells, even a lone digit, together.
   */
  layout: 'auto' | 'rows';
  /** OCR every page even where a text layer exists. */
  forceOcr: boolean;
  /** Opens an encrypted PDF. */
  password?: string;
  /** A document with more pages to read than this is refused. */
  maxPages: number;
  /** An image (or a rasterised page) with more pixels than this is refused before decoding. */
  maxPixels: number;
  /** Per page, for each tool that reads it. */
  pageTimeoutMs: number;
  /** Where page images go; the caller removes it. */
  scratchDir: string;
  signal?: AbortSignal;
  onPage?: (done: number, total: number) => void;
}

export const DEFAULT_EXTRACT_OPTIONS = {
  languages: ['eng'] as string[],
  layout: 'auto' as 'auto' | 'rows',
  dpi: 300,
  forceOcr: false,
  maxPages: 500,
  maxPixels: 100_000_000,
  pageTimeoutMs: 120_000,
} as const;
