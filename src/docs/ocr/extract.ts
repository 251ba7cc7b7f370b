import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { BosunError } from '../../core/index.js';
import { assertPixels, readImageHeader, sniffKind, type ImageHeader } from './inspect.js';
import { rasterisePage, readPdfInfo, readTextLayer, type TextLayerPage } from './pdf.js';
import { assertLanguages, deskewImage, recognise } from './tesseract.js';
import { runTool } from './tool.js';
import type { DocumentPage, ExtractOptions, ExtractedDocument, Line, OcrExec } from './types.js';

/** A page whose text layer has fewer letters or digits than this is treated as a scan. */
const MIN_TEXT_LAYER_CHARS = 3;

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A page's text: its lines in reading order, a blank line where a block (paragraph) ends. */
export function linesText(lines: Line[]): string {
  let text = '';
  lines.forEach((l, i) => {
    if (i > 0) text += l.block === lines[i - 1]!.block ? '\n' : '\n\n';
    text += l.text;
  });
  return text;
}

const hasText = (p: TextLayerPage | undefined): p is TextLayerPage =>
  p !== undefined &&
  p.lines.reduce((n, l) => n + l.text.replace(/[^\p{L}\p{N}]/gu, '').length, 0) >= MIN_TEXT_LAYER_CHARS;

function assertPageCount(file: string, count: number, maxPages: number): void {
  if (count > maxPages) {
    throw new BosunError(
      'DOCUMENT_TOO_LARGE',
      `${path.basename(file)}: ${count} pages to read, over the cap of ${maxPages}`,
      { hint: 'pick pages with the `pages` input, or raise max_pages', details: { retryable: false, file } },
    );
  }
}

function selectPages(file: string, available: number, wanted: number[] | undefined): number[] {
  if (!wanted) return Array.from({ length: available }, (_, i) => i + 1);
  const beyond = wanted.filter((n) => n > available);
  if (beyond.length) {
    throw new BosunError(
      'INVALID_INPUT',
      `${path.basename(file)} has ${available} page${available === 1 ? '' : 's'}; there is no page ${beyond.join(', ')}`,
      { details: { retryable: false, file } },
    );
  }
  return [...new Set(wanted)].sort((a, b) => a - b);
}

/**
 * Text of a PDF or image, page by page: a PDF page with a text layer is read from it
 * (pdftotext), any other page is rasterised (pdftoppm), straightened and OCR'd (tesseract), so
 * a PDF where only some pages are scans comes out whole. Every limit is checked before the
 * expensive step it guards; any failure fails the whole document (nothing partial comes back).
 */
export async function extractDocument(
  exec: OcrExec,
  file: string,
  options: ExtractOptions,
): Promise<ExtractedDocument> {
  const absolute = path.resolve(file);
  const kind = await sniffKind(absolute);
  const sha256 = await sha256Of(absolute);
  const concurrency = Math.max(1, Math.min(os.availableParallelism(), 4));
  const limit = pLimit(concurrency);
  const signal = options.signal;
  const run = { timeoutMs: options.pageTimeoutMs, scratchDir: options.scratchDir, ...(signal ? { signal } : {}) };
  let languagesChecked: Promise<void> | undefined;
  const checkLanguages = () => (languagesChecked ??= assertLanguages(exec, options.languages, signal));
  let done = 0;
  const progress = (total: number) => options.onPage?.(++done, total);

  let pageCount: number;
  let pages: DocumentPage[];
  if (kind === 'pdf') {
    const password = options.password;
    const info = await readPdfInfo(exec, absolute, {
      timeoutMs: options.pageTimeoutMs,
      ...(password !== undefined ? { password } : {}),
      ...(signal ? { signal } : {}),
    });
    pageCount = info.pages;
    const numbers = selectPages(absolute, info.pages, options.pages);
    assertPageCount(absolute, numbers.length, options.maxPages);
    const layer = options.forceOcr
      ? []
      : await readTextLayer(
          exec,
          absolute,
          { first: numbers[0]!, last: numbers.at(-1)! },
          {
            ...run,
            timeoutMs: options.pageTimeoutMs * numbers.length,
            ...(password !== undefined ? { password } : {}),
          },
        );
    const layerOf = new Map(layer.map((p) => [p.number, p]));
    pages = await Promise.all(
      numbers.map((number) =>
        limit(async (): Promise<DocumentPage> => {
          const text = layerOf.get(number);
          if (hasText(text)) {
            progress(numbers.length);
            return {
              number,
              method: 'text-layer',
              text: linesText(text.lines),
              confidence: null,
              width: text.width,
              height: text.height,
              deskewDegrees: null,
              lines: text.lines,
            };
          }
          const size = info.sizes[number - 1] ?? { width: 612, height: 792 };
          const px = (pt: number) => Math.ceil((pt * options.dpi) / 72);
          assertPixels(
            absolute,
            px(size.width),
            px(size.height),
            options.maxPixels,
            `page ${number} at ${options.dpi} dpi`,
          );
          await checkLanguages();
          const image = await rasterisePage(exec, absolute, number, {
            ...run,
            dpi: options.dpi,
            ...(password !== undefined ? { password } : {}),
          });
          const page = await ocrImage(exec, image, absolute, number, size, options, `page-${number}`);
          progress(numbers.length);
          return page;
        }),
      ),
    );
  } else {
    const header = await readImageHeader(absolute, kind);
    pageCount = header.frames.length;
    const numbers = selectPages(absolute, pageCount, options.pages);
    assertPageCount(absolute, numbers.length, options.maxPages);
    for (const n of numbers) {
      const f = header.frames[n - 1]!;
      assertPixels(
        absolute,
        f.width,
        f.height,
        options.maxPixels,
        header.frames.length > 1 ? `page ${n}` : 'the image',
      );
    }
    await checkLanguages();
    pages = await Promise.all(
      numbers.map((number) =>
        limit(async () => {
          const page = await ocrImage(
            exec,
            frameOf(absolute, header, number),
            absolute,
            number,
            pointsOf(header, number, options.dpi),
            options,
            `image-${number}`,
          );
          progress(numbers.length);
          return page;
        }),
      ),
    );
  }
  return { file: absolute, kind, sha256, pageCount, pages, text: pages.map((p) => p.text).join('\n\n') };
}

/** ImageMagick's frame syntax picks one page of a multi-page TIFF; a single image is read as is. */
const frameOf = (file: string, header: ImageHeader, number: number) =>
  header.frames.length > 1 ? `${file}[${number - 1}]` : file;

function pointsOf(header: ImageHeader, number: number, dpi: number) {
  const f = header.frames[number - 1]!;
  return { width: (f.width * 72) / dpi, height: (f.height * 72) / dpi };
}

async function ocrImage(
  exec: OcrExec,
  image: string,
  source: string,
  number: number,
  size: { width: number; height: number },
  options: ExtractOptions,
  name: string,
): Promise<DocumentPage> {
  const signal = options.signal;
  const timing = { timeoutMs: options.pageTimeoutMs, ...(signal ? { signal } : {}) };
  const prepared = await deskewImage(exec, image, source, { ...timing, scratchDir: options.scratchDir, name });
  // Tesseract reads one frame; a multi-page TIFF's page that needed no straightening is still a frame reference.
  const input = prepared.file.endsWith(']')
    ? await singleFrame(exec, prepared.file, source, options, name)
    : prepared.file;
  const [ocr] = await recognise(exec, input, source, {
    ...timing,
    languages: options.languages,
    layout: options.layout,
    dpi: options.dpi,
  });
  const lines = ocr?.lines ?? [];
  return {
    number,
    method: 'ocr',
    text: linesText(lines),
    confidence: ocr?.confidence ?? null,
    width: Math.round(size.width * 100) / 100,
    height: Math.round(size.height * 100) / 100,
    deskewDegrees: prepared.deskewDegrees,
    lines,
  };
}

async function singleFrame(
  exec: OcrExec,
  frame: string,
  source: string,
  options: ExtractOptions,
  name: string,
): Promise<string> {
  const out = path.join(options.scratchDir, `${name}.pgm`);
  await runTool(exec, 'convert', [frame, '-colorspace', 'Gray', '-depth', '8', out], source, {
    timeoutMs: options.pageTimeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return out;
}
