import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { extractDocument, type ExtractedDocument, type ExtractOptions } from '../../../docs/ocr/index.js';
import { sha256File } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { parsePageList, type DocumentsInput } from './input.js';

/** The options that decide an extraction's result, from the skill input. */
export function extractOptions(ctx: AgentContext, input: DocumentsInput, scratchDir: string): ExtractOptions {
  return {
    languages: input.languages,
    // Structure needs rows whole (a table's cells side by side); plain text lets tesseract find columns.
    layout: ctx.skillId === 'doc.structure' ? 'rows' : 'auto',
    ...(input.pages !== undefined ? { pages: parsePageList(input.pages) } : {}),
    dpi: input.dpi,
    forceOcr: input.force_ocr,
    ...(input.password !== undefined ? { password: input.password } : {}),
    maxPages: input.max_pages,
    maxPixels: input.max_pixels,
    pageTimeoutMs: input.page_timeout_seconds * 1000,
    scratchDir,
    signal: ctx.signal,
  };
}

/**
 * Extractions kept per scope by file content and options, so doc.structure on a file that
 * ocr.extract already read (or the other way round) does not OCR it again.
 */
async function cacheFile(ctx: AgentContext, file: string, options: ExtractOptions): Promise<string> {
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        file: await sha256File(file),
        languages: options.languages,
        layout: options.layout,
        pages: options.pages ?? null,
        dpi: options.dpi,
        forceOcr: options.forceOcr,
        // A document opened with a password is served again only to the same password.
        password: options.password === undefined ? null : createHash('sha256').update(options.password).digest('hex'),
      }),
    )
    .digest('hex');
  return path.join(ctx.paths.workspaces, ctx.scope, '.ocr-cache', `${key}.json`);
}

export async function extractCached(
  ctx: AgentContext,
  file: string,
  options: ExtractOptions,
): Promise<ExtractedDocument> {
  const cached = await cacheFile(ctx, file, options);
  const hit = await fs.readFile(cached, 'utf8').catch(() => undefined);
  const doc = hit ? (JSON.parse(hit) as ExtractedDocument) : undefined;
  // Limits hold for cached documents too: one over the page cap is extracted again, and refused.
  if (doc && doc.pages.length <= options.maxPages) {
    ctx.logger.debug({ file }, 'extraction from the OCR cache');
    return { ...doc, file };
  }
  const extracted = await extractDocument(ctx.exec, file, options);
  await fs.mkdir(path.dirname(cached), { recursive: true });
  // Written whole then renamed: a reader never sees half an entry.
  await fs.writeFile(`${cached}.tmp`, JSON.stringify(extracted));
  await fs.rename(`${cached}.tmp`, cached);
  return extracted;
}
