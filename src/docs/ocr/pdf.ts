import fs from 'node:fs/promises';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { BosunError } from '../../core/index.js';
import { popplerPassword, runTool } from './tool.js';
import type { Box, Line, OcrExec, Word } from './types.js';

export interface PdfInfo {
  pages: number;
  encrypted: boolean;
  /** Size in points of each page, by page number - 1. */
  sizes: { width: number; height: number }[];
}

/** Page count, encryption and page sizes from pdfinfo; a wrong or missing password is named as such. */
export async function readPdfInfo(
  exec: OcrExec,
  file: string,
  options: { password?: string; timeoutMs: number; signal?: AbortSignal },
): Promise<PdfInfo> {
  const base = popplerPassword(options.password);
  const run = (extra: string[]) =>
    exec.runCommand('pdfinfo', [...base, ...extra, file], {
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  const first = await run([]);
  if (!first.ok) {
    const name = path.basename(file);
    if (/Incorrect password/i.test(first.stderr)) {
      throw new BosunError(
        'DOCUMENT_ENCRYPTED',
        options.password === undefined
          ? `${name} is encrypted: it needs a password`
          : `${name} is encrypted and the password given does not open it`,
        { hint: 'pass the password as the `password` input', details: { retryable: false, file } },
      );
    }
    if (first.timedOut) throw new BosunError('EXEC_TIMEOUT', `pdfinfo took too long on ${name}`);
    const why = first.stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300);
    throw new BosunError(
      'DOCUMENT_CORRUPT',
      `${name} is not a readable PDF: ${why || `pdfinfo exit ${first.exitCode}`}`,
      {
        details: { retryable: false, file },
      },
    );
  }
  const field = (name: string) => first.stdout.match(new RegExp(`^${name}:\\s*(.*)$`, 'm'))?.[1]?.trim();
  const pages = Number(field('Pages') ?? 0);
  if (!Number.isInteger(pages) || pages < 1) {
    throw new BosunError('DOCUMENT_CORRUPT', `${path.basename(file)} has no pages`, {
      details: { retryable: false, file },
    });
  }
  const sized = await run(['-f', '1', '-l', String(pages)]);
  const sizes: { width: number; height: number }[] = [];
  for (const m of sized.stdout.matchAll(/^Page\s+(\d+) size:\s*([\d.]+) x ([\d.]+) pts/gm)) {
    sizes[Number(m[1]) - 1] = { width: Number(m[2]), height: Number(m[3]) };
  }
  return { pages, encrypted: /^yes/.test(field('Encrypted') ?? ''), sizes };
}

export interface TextLayerPage {
  number: number;
  width: number;
  height: number;
  lines: Line[];
}

interface XmlWord {
  '#text'?: string | number;
  xMin: string;
  yMin: string;
  xMax: string;
  yMax: string;
}
interface XmlLine extends XmlWord {
  word?: XmlWord[];
}
interface XmlBlock {
  line?: XmlLine[];
}
interface XmlPage {
  width: string;
  height: string;
  flow?: { block?: XmlBlock[] }[];
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ['page', 'flow', 'block', 'line', 'word'].includes(name),
});

const boxOf = (e: XmlWord): Box => [Number(e.xMin), Number(e.yMin), Number(e.xMax), Number(e.yMax)].map(round) as Box;
const round = (n: number) => Math.round(n * 100) / 100;

/**
 * The text layer of pages first..last: pdftotext's `-bbox-layout` gives blocks, lines and words
 * with their boxes in points, which the structure analysis needs (font size, columns).
 */
export async function readTextLayer(
  exec: OcrExec,
  file: string,
  range: { first: number; last: number },
  options: { password?: string; timeoutMs: number; scratchDir: string; signal?: AbortSignal },
): Promise<TextLayerPage[]> {
  const out = path.join(options.scratchDir, `text-${range.first}-${range.last}.html`);
  await runTool(
    exec,
    'pdftotext',
    [
      '-bbox-layout',
      '-enc',
      'UTF-8',
      '-f',
      String(range.first),
      '-l',
      String(range.last),
      ...popplerPassword(options.password),
      file,
      out,
    ],
    file,
    { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
  );
  const parsed = xml.parse(await fs.readFile(out, 'utf8')) as { html?: { body?: { doc?: { page?: XmlPage[] } } } };
  await fs.rm(out, { force: true });
  const pages = parsed.html?.body?.doc?.page ?? [];
  return pages.map((p, i) => {
    const lines: Line[] = [];
    let block = 0;
    for (const flow of p.flow ?? []) {
      for (const b of flow.block ?? []) {
        block++;
        for (const l of b.line ?? []) {
          const words: Word[] = (l.word ?? [])
            .map((w) => ({ text: String(w['#text'] ?? '').trim(), box: boxOf(w) }))
            .filter((w) => w.text !== '');
          if (words.length) lines.push({ text: words.map((w) => w.text).join(' '), box: boxOf(l), block, words });
        }
      }
    }
    return { number: range.first + i, width: Number(p.width), height: Number(p.height), lines };
  });
}

/** Page `number` as an 8-bit grey PGM at `dpi` (PGM: no compression to spend time on). */
export async function rasterisePage(
  exec: OcrExec,
  file: string,
  number: number,
  options: { dpi: number; password?: string; timeoutMs: number; scratchDir: string; signal?: AbortSignal },
): Promise<string> {
  const prefix = path.join(options.scratchDir, `page-${number}`);
  await runTool(
    exec,
    'pdftoppm',
    [
      '-r',
      String(options.dpi),
      '-gray',
      '-f',
      String(number),
      '-l',
      String(number),
      '-singlefile',
      ...popplerPassword(options.password),
      file,
      prefix,
    ],
    file,
    { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
  );
  return `${prefix}.pgm`;
}
