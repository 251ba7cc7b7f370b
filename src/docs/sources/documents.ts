import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as exec from '../../exec/index.js';
import { DEFAULT_EXTRACT_OPTIONS, extractDocument, pageMarkdown } from '../ocr/index.js';
import { errorDoc, pageDoc, pathFilter } from './document.js';
import { limits, type DocumentsSpec } from './spec.js';
import { previousKey, type AcquireContext, type SourceDocument } from './types.js';

/**
 * A folder of PDFs and scans as documentation: each document page becomes a markdown page at
 * `file.pdf#page=3`, its text from the text layer or OCR (docs/ocr). A file whose content hash
 * matches the last sync's is not read again: its pages answer "not modified".
 */
const DOCUMENT_FILE = /\.(pdf|png|jpe?g|tiff?)$/i;

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The validator a document's pages carry: the hash of the whole file they came from. */
const fileTag = (hash: string) => `sha256:${hash}`;

export async function* acquireDocuments(spec: DocumentsSpec, ctx: AcquireContext): AsyncGenerator<SourceDocument> {
  const root = await fs.realpath(spec.path);
  const wanted = pathFilter(spec.include, spec.exclude);
  const files = (await fs.readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && DOCUMENT_FILE.test(e.name) && !e.name.startsWith('.'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((rel) => wanted(rel))
    .sort()
    .slice(0, limits(spec).maxPages);
  const version = spec.version ?? null;
  const scratch = await fs.mkdtemp(path.join(ctx.workDir ?? os.tmpdir(), 'bosun-ocr-'));
  try {
    for (const [i, rel] of files.entries()) {
      ctx.signal?.throwIfAborted();
      const abs = path.join(root, rel);
      const tag = fileTag(await sha256Of(abs));
      const unchanged = [...ctx.previous.entries()].filter(
        ([key, state]) => key.startsWith(previousKey(version, `${rel}#page=`)) && state.etag === tag,
      );
      if (unchanged.length) {
        for (const [key] of unchanged) {
          yield {
            path: key.slice(key.indexOf('\u0000') + 1),
            version,
            format: 'markdown',
            notModified: true,
            etag: tag,
          };
        }
      } else {
        yield* readDocument(abs, rel, version, tag, spec, scratch, ctx);
      }
      ctx.onProgress?.({ done: i + 1, total: files.length, current: rel });
    }
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

async function* readDocument(
  abs: string,
  rel: string,
  version: string | null,
  tag: string,
  spec: DocumentsSpec,
  scratchDir: string,
  ctx: AcquireContext,
): AsyncGenerator<SourceDocument> {
  let doc;
  try {
    doc = await extractDocument(exec, abs, {
      ...DEFAULT_EXTRACT_OPTIONS,
      ...(spec.languages ? { languages: spec.languages } : {}),
      ...(spec.dpi ? { dpi: spec.dpi } : {}),
      scratchDir,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    ctx.signal?.throwIfAborted();
    yield errorDoc({ path: rel, version, format: 'markdown' }, (err as Error).message);
    return;
  }
  const name = path.posix.basename(rel);
  for (const page of doc.pages) {
    const how = page.method === 'ocr' ? `OCR, confidence ${page.confidence ?? 'n/a'}` : 'text layer';
    const content = `# ${name}, page ${page.number}\n\n_${how}._\n\n${pageMarkdown(page)}\n`;
    yield { ...pageDoc({ path: `${rel}#page=${page.number}`, version, format: 'markdown' }, content), etag: tag };
  }
}
