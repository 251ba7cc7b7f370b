import fs from 'node:fs/promises';
import { runChecked } from '../../src/exec/index.js';

/**
 * Test documents whose text is known: pages written as PostScript, rendered by Ghostscript to a
 * PDF with a text layer, then rasterised into "scans" (image-only PDFs, PNGs), optionally
 * rotated and noisy with ImageMagick. Tests and bench/documents.ts share them.
 */
export interface TextItem {
  text: string;
  /** Points from the left and from the top of an A4 page (595 × 842). */
  x: number;
  y: number;
  size?: number;
  bold?: boolean;
  /** `right`: x is where the text ends (numbers in a column). */
  align?: 'right';
}

export type PageSpec = TextItem[];

const A4 = { width: 595, height: 842 };
const psString = (s: string) => `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;

/** Plain lines of body text, 11 pt, from the top of the page. */
export function paragraphPage(
  lines: string[],
  options: { top?: number; size?: number; heading?: string } = {},
): PageSpec {
  const size = options.size ?? 11;
  let y = options.top ?? 80;
  const items: PageSpec = [];
  if (options.heading) {
    items.push({ text: options.heading, x: 72, y, size: 20, bold: true });
    y += 36;
  }
  for (const text of lines) {
    items.push({ text, x: 72, y, size });
    y += size * 1.5;
  }
  return items;
}

/** How a page is "printed": tilted by `rotate` degrees, with `speckles` random dots of dirt. */
export interface PrintOptions {
  rotate?: number;
  speckles?: number;
  seed?: number;
}

function postscript(pages: PageSpec[], print: PrintOptions = {}): string {
  const { width, height } = A4;
  const body = pages.map((items, page) => {
    const shows = items.map((i) => {
      const font = i.bold ? '/Helvetica-Bold' : '/Helvetica';
      const move = i.align === 'right' ? ' dup stringwidth pop neg 0 rmoveto' : '';
      return `${font} findfont ${i.size ?? 11} scalefont setfont ${i.x} ${height - i.y} moveto ${psString(i.text)}${move} show`;
    });
    const tilt = print.rotate
      ? `${width / 2} ${height / 2} translate ${-print.rotate} rotate ${-width / 2} ${-height / 2} translate\n`
      : '';
    const dirt = print.speckles
      ? `${(print.seed ?? 1) + page} srand ${print.speckles} { rand ${width} mod rand ${height} mod 0.5 0.5 rectfill } repeat\n`
      : '';
    return `gsave\n${tilt}${shows.join('\n')}\ngrestore\n${dirt}showpage`;
  });
  return `%!PS\n<< /PageSize [${width} ${height}] >> setpagedevice\n${body.join('\n')}\n`;
}

const gs = (args: string[]) =>
  runChecked('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', ...args], { timeoutMs: 120_000 });

/** A PDF with a text layer. */
export async function textPdf(out: string, pages: PageSpec[], print: PrintOptions = {}): Promise<void> {
  await runChecked('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', '-o', out, '-'], {
    input: postscript(pages, print),
    timeoutMs: 120_000,
  });
}

/** The same pages as an image-only PDF: what a scanner hands over. */
export async function scannedPdf(pdf: string, out: string, dpi = 300): Promise<void> {
  await gs(['-sDEVICE=pdfimage8', `-r${dpi}`, '-o', out, pdf]);
}

/** Page `page` of a PDF as a grey PNG, optionally rotated (degrees, clockwise) and with speckle noise. */
export async function scanImage(
  pdf: string,
  out: string,
  options: { dpi?: number; page?: number; rotate?: number; noise?: boolean } = {},
): Promise<void> {
  const page = String(options.page ?? 1);
  const plain = !options.rotate && !options.noise;
  const raster = plain ? out : `${out}.raw.pgm`;
  await gs([
    plain ? '-sDEVICE=pnggray' : '-sDEVICE=pgmraw',
    `-r${options.dpi ?? 300}`,
    `-dFirstPage=${page}`,
    `-dLastPage=${page}`,
    '-o',
    raster,
    pdf,
  ]);
  if (plain) return;
  await runChecked(
    'convert',
    [
      raster,
      ...(options.noise ? ['-attenuate', '0.1', '+noise', 'Impulse'] : []),
      ...(options.rotate ? ['-background', 'white', '-rotate', String(options.rotate), '+repage'] : []),
      out,
    ],
    { timeoutMs: 120_000 },
  );
  await fs.rm(raster, { force: true });
}

/** Several PDFs as one, in order (a text page followed by a scanned one makes a mixed PDF). */
export async function joinPdfs(out: string, inputs: string[]): Promise<void> {
  await gs(['-sDEVICE=pdfwrite', '-o', out, ...inputs]);
}

/** A copy that opens only with `password`. */
export async function encryptPdf(pdf: string, out: string, password: string): Promise<void> {
  await gs(['-sDEVICE=pdfwrite', `-sOwnerPassword=${password}-owner`, `-sUserPassword=${password}`, '-o', out, pdf]);
}
