import { runTool } from './tool.js';
import type { OcrExec } from './types.js';

/**
 * A searchable copy of a scanned PDF: ocrmypdf lays an invisible text layer over each scanned
 * page and leaves pages that already have text as they are (`--skip-text`), so a mixed PDF works.
 */
export async function searchablePdf(
  exec: OcrExec,
  file: string,
  out: string,
  options: { languages: string[]; pages: number; pageTimeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  await runTool(
    exec,
    'ocrmypdf',
    [
      '--skip-text',
      '--quiet',
      '--output-type',
      'pdf',
      '--jobs',
      '2',
      '-l',
      options.languages.join('+'),
      '--',
      file,
      out,
    ],
    file,
    { timeoutMs: options.pageTimeoutMs * options.pages, ...(options.signal ? { signal: options.signal } : {}) },
  );
}
