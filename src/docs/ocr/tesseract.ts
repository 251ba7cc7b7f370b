import path from 'node:path';
import { BosunError } from '../../core/index.js';
import { parseTsv } from '../../exec/index.js';
import { runTool } from './tool.js';
import type { Box, Line, OcrExec, Word } from './types.js';

/** The Debian package of a tesseract language: `chi_sim` → `tesseract-ocr-chi-sim`. */
export const languagePackage = (language: string): string =>
  `tesseract-ocr-${language.toLowerCase().replace(/_/g, '-')}`;

/** Fails with the packages to install when a language's traineddata is not there. */
export async function assertLanguages(exec: OcrExec, languages: string[], signal?: AbortSignal): Promise<void> {
  const listed = await exec.runChecked('tesseract', ['--list-langs'], {
    timeoutMs: 30_000,
    ...(signal ? { signal } : {}),
  });
  const installed = new Set(
    listed.stdout
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter(Boolean),
  );
  const missing = languages.filter((l) => !installed.has(l));
  if (missing.length) {
    const packages = missing.map(languagePackage);
    throw new BosunError(
      'LANGUAGE_MISSING',
      `tesseract has no ${missing.join(', ')} language data (installed: ${[...installed].join(', ') || 'none'})`,
      { hint: `apt-get install -y ${packages.join(' ')}`, details: { retryable: false, packages } },
    );
  }
}

/** Skews smaller than this are left alone: rotating costs more than it gains. */
const MIN_DESKEW_DEGREES = 0.3;
/** Beyond this the "skew" is a layout feature or a mis-detection, not a crooked scan. */
const MAX_DESKEW_DEGREES = 10;

export interface PreparedImage {
  file: string;
  deskewDegrees: number;
}

/**
 * Straightens a crooked scan: ImageMagick measures the skew on a small copy (cheap), and only a
 * page that needs it is rotated at full size, into a grey PGM.
 */
export async function deskewImage(
  exec: OcrExec,
  image: string,
  source: string,
  options: { scratchDir: string; timeoutMs: number; signal?: AbortSignal; name: string },
): Promise<PreparedImage> {
  const run = { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
  const measured = await runTool(
    exec,
    'convert',
    [image, '-colorspace', 'Gray', '-resize', '1000x1000>', '-deskew', '40%', '-format', '%[deskew:angle]', 'info:'],
    source,
    run,
  );
  const angle = Number.parseFloat(measured.stdout.trim());
  if (!Number.isFinite(angle) || Math.abs(angle) < MIN_DESKEW_DEGREES || Math.abs(angle) > MAX_DESKEW_DEGREES) {
    return { file: image, deskewDegrees: 0 };
  }
  const out = path.join(options.scratchDir, `${options.name}-deskewed.pgm`);
  await runTool(
    exec,
    'convert',
    [image, '-colorspace', 'Gray', '-depth', '8', '-background', 'white', '-rotate', String(angle), '+repage', out],
    source,
    run,
  );
  return { file: out, deskewDegrees: Math.round(angle * 100) / 100 };
}

export interface OcrPage {
  /** 1-based, in the order of the image's frames. */
  frame: number;
  lines: Line[];
  confidence: number | null;
}

/**
 * Tesseract's TSV (one row per page, block, paragraph, line and word, with pixel boxes and word
 * confidences) as lines of words, boxes turned into points at `dpi`.
 */
export async function recognise(
  exec: OcrExec,
  image: string,
  source: string,
  options: { languages: string[]; layout: 'auto' | 'rows'; dpi: number; timeoutMs: number; signal?: AbortSignal },
): Promise<OcrPage[]> {
  const result = await runTool(
    exec,
    'tesseract',
    [
      image,
      'stdout',
      '-l',
      options.languages.join('+'),
      '--psm',
      options.layout === 'rows' ? '4' : '3',
      '--dpi',
      String(options.dpi),
      'tsv',
    ],
    source,
    {
      timeoutMs: options.timeoutMs,
      maxOutputBytes: 64 * 1024 * 1024,
      // One thread per tesseract: pages run side by side is the better use of several cores.
      env: { OMP_THREAD_LIMIT: '1' },
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  return parseTesseractTsv(result.stdout, options.dpi);
}

export function parseTesseractTsv(tsv: string, dpi: number): OcrPage[] {
  const scale = 72 / dpi;
  const pt = (n: string) => Math.round(Number(n) * scale * 100) / 100;
  const rows = parseTsv(tsv, { header: true });
  const pages = new Map<number, { lines: Map<string, Line>; confidences: number[] }>();
  for (const r of rows) {
    const frame = Number(r.page_num);
    let page = pages.get(frame);
    if (!page) pages.set(frame, (page = { lines: new Map(), confidences: [] }));
    const level = Number(r.level);
    if (level < 4) continue;
    const key = `${r.block_num}.${r.par_num}.${r.line_num}`;
    const left = Number(r.left);
    const top = Number(r.top);
    const box: Box = [pt(r.left!), pt(r.top!), pt(String(left + Number(r.width))), pt(String(top + Number(r.height)))];
    if (level === 4) {
      page.lines.set(key, { text: '', box, block: Number(r.block_num), words: [] });
      continue;
    }
    const text = (r.text ?? '').trim();
    const confidence = Number(r.conf);
    if (!text || confidence < 0) continue;
    const word: Word = { text, box, confidence: Math.round(confidence * 10) / 10 };
    page.lines.get(key)?.words.push(word);
    page.confidences.push(confidence);
  }
  return [...pages.entries()]
    .sort(([a], [b]) => a - b)
    .map(([frame, p]) => {
      const lines = [...p.lines.values()].filter((l) => l.words.length);
      for (const l of lines) l.text = l.words.map((w) => w.text).join(' ');
      const mean = p.confidences.length ? p.confidences.reduce((s, c) => s + c, 0) / p.confidences.length : null;
      return { frame, lines, confidence: mean === null ? null : Math.round(mean * 10) / 10 };
    });
}
