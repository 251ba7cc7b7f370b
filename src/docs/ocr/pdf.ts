import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../core/index.js';
import { popplerPassword, runTool } from './tool.js';
import type { Box, Line, OcrExec } from './types.js';

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

const round = (n: number) => Math.round(n * 100) / 100;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]!);
const BOX = /xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)"/;
const boxOf = (m: RegExpExecArray): Box => [
  round(Number(m[1])),
  round(Number(m[2])),
  round(Number(m[3])),
  round(Number(m[4])),
];

/**
 * pdftotext's `-bbox-layout` XHTML, read line by line: it writes one element per line in a fixed
 * shape, and a general XML parser spends most of a text-layer page's time on it.
 */
export function parseBboxLayout(html: string, firstPage: number): TextLayerPage[] {
  const pages: TextLayerPage[] = [];
  let page: TextLayerPage | undefined;
  let line: Line | undefined;
  let block = 0;
  for (const raw of html.split('\n')) {
    const t = raw.trim();
    if (t.startsWith('<word ')) {
      const box = BOX.exec(t);
      const text = decode(t.slice(t.indexOf('>') + 1, t.lastIndexOf('</word>'))).trim();
      if (box && line && text) line.words.push({ text, box: boxOf(box) });
    } else if (t.startsWith('<line ')) {
      const box = BOX.exec(t);
      line = { text: '', box: box ? boxOf(box) : [0, 0, 0, 0], block, words: [] };
    } else if (t === '</line>') {
      if (page && line?.words.length) page.lines.push({ ...line, text: line.words.map((w) => w.text).join(' ') });
      line = undefined;
    } else if (t.startsWith('<block ')) {
      block++;
    } else if (t.startsWith('<page ')) {
      const size = /width="([\d.]+)" height="([\d.]+)"/.exec(t);
      page = {
        number: firstPage + pages.length,
        width: Number(size?.[1] ?? 0),
        height: Number(size?.[2] ?? 0),
        lines: [],
      };
      pages.push(page);
      block = 0;
    }
  }
  return pages;
}

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
  const html = await fs.readFile(out, 'utf8');
  await fs.rm(out, { force: true });
  return parseBboxLayout(html, range.first);
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
