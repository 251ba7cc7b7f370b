import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../../core/index.js';

/** The inputs both skills share, as agents/documents.yaml declares them (validated and defaulted before run()). */
export interface DocumentsInput {
  file: string;
  languages: string[];
  pages?: string;
  dpi: number;
  force_ocr: boolean;
  password?: string;
  max_pages: number;
  max_pixels: number;
  page_timeout_seconds: number;
  searchable_pdf: boolean;
  kind?: 'invoice' | 'receipt' | 'report' | 'form' | 'auto';
}

const SUPPORTED = /\.(pdf|png|jpe?g|tiff?)$/i;

const invalid = (message: string, hint?: string) =>
  new BosunError('INVALID_INPUT', message, { ...(hint ? { hint } : {}), details: { retryable: false } });

/** `1-3,5` → [1, 2, 3, 5]. */
export function parsePageList(spec: string): number[] {
  const pages: number[] = [];
  for (const part of spec.split(',').map((p) => p.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    const first = Number(m?.[1]);
    const last = m?.[2] === undefined ? first : Number(m[2]);
    if (!m || first < 1 || last < first || last - first > 100_000) {
      throw invalid(`pages: '${part}' is not a page or a range such as 2-5`, 'write pages as 1-3,7');
    }
    for (let n = first; n <= last; n++) pages.push(n);
  }
  return pages;
}

/**
 * The file or folder named by `file`: an absolute path, or one relative to the task folder, or
 * else to the current directory (where `bosun agents run` was started).
 */
export async function resolveInput(workDir: string, file: string): Promise<string> {
  if (path.isAbsolute(file)) return file;
  const inTask = path.resolve(workDir, file);
  if (await fs.stat(inTask).catch(() => undefined)) return inTask;
  return path.resolve(file);
}

/** The documents to read: the file itself, or the PDFs and images in a folder (and its sub-folders), in path order. */
export async function documentFiles(target: string): Promise<{ file: string; name: string }[]> {
  const stat = await fs.stat(target).catch(() => undefined);
  if (!stat) throw new BosunError('NOT_FOUND', `no such file or folder: ${target}`, { details: { retryable: false } });
  if (!stat.isDirectory()) return [{ file: target, name: path.basename(target) }];
  const entries = await fs.readdir(target, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && SUPPORTED.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  if (!files.length) throw invalid(`${target} holds no PDF, PNG, JPEG or TIFF files`);
  return files.map((file) => ({ file, name: path.relative(target, file).split(path.sep).join('/') }));
}
