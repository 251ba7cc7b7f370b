import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExtractedDocument } from '../../../docs/ocr/index.js';
import type { AgentContext } from '../../runtime/types.js';
import { extractCached, extractOptions } from './extraction.js';
import { documentFiles, resolveInput, type DocumentsInput } from './input.js';

export interface ReadDocument {
  /** Relative to the input folder, or the file's own name. */
  name: string;
  doc: ExtractedDocument;
}

/** Reads every document of the input; the scratch folder (page images) goes afterwards, whatever happens. */
export async function readDocuments(ctx: AgentContext, input: DocumentsInput): Promise<ReadDocument[]> {
  const files = await documentFiles(await resolveInput(ctx.workDir, input.file));
  const scratch = await fs.mkdtemp(path.join(ctx.workDir, '.ocr-'));
  try {
    const read: ReadDocument[] = [];
    for (const [i, f] of files.entries()) {
      ctx.progress({ message: `reading ${f.name}`, fraction: i / files.length });
      const options = extractOptions(ctx, input, scratch);
      options.onPage = (done, total) =>
        ctx.progress({ message: `${f.name}: page ${done} of ${total}`, fraction: (i + done / total) / files.length });
      read.push({ name: f.name, doc: await extractCached(ctx, f.file, options) });
    }
    return read;
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/** Artifact file names: a folder's documents keep their relative paths under ocr/. */
export const artifactBase = (ctx: AgentContext, r: ReadDocument, single: boolean) =>
  path.join(ctx.workDir, single ? '' : 'ocr', r.name.replace(/\.[^./]+$/, ''));
