import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../../core/index.js';
import { documentMarkdown, searchablePdf } from '../../../docs/ocr/index.js';
import { artifactFromFile, completedEnvelope, sha256File, type Artifact, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext, AgentExecutor } from '../../runtime/types.js';
import { documentFiles, resolveInput, type DocumentsInput } from './input.js';
import { artifactBase, readDocuments, type ReadDocument } from './read.js';
import { structureSkill } from './structure-skill.js';

/**
 * The documents agent: ocr.extract (text of PDFs and scans, page by page) and doc.structure
 * (sections, tables, fields and line items built on the same extraction). The OCR itself lives
 * in docs/ocr, which the `--documents` docs source shares.
 */

async function writeText(file: string, content: string, mediaType: string, name: string): Promise<Artifact> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return artifactFromFile(file, mediaType, name);
}

const relativeName = (ctx: AgentContext, file: string) => path.relative(ctx.workDir, file).split(path.sep).join('/');

function pageOutputs(r: ReadDocument, single: boolean) {
  return r.doc.pages.map((p) => ({
    ...(single ? {} : { file: r.name }),
    number: p.number,
    method: p.method,
    text: p.text,
    confidence: p.confidence,
    deskewDegrees: p.deskewDegrees,
    width: p.width,
    height: p.height,
    lines: p.lines.map((l) => ({ text: l.text, box: l.box })),
  }));
}

async function extractSkill(ctx: AgentContext, input: DocumentsInput): Promise<ResultEnvelope> {
  const started = Date.now();
  const read = await readDocuments(ctx, input);
  const single = read.length === 1;
  const artifacts: Artifact[] = [];
  for (const r of read) {
    const base = artifactBase(ctx, r, single);
    artifacts.push(
      await writeText(`${base}.md`, documentMarkdown(r.doc), 'text/markdown', relativeName(ctx, `${base}.md`)),
    );
    const json = JSON.stringify({ ...r.doc, file: r.name }, null, 1);
    artifacts.push(
      await writeText(`${base}.ocr.json`, json, 'application/json', relativeName(ctx, `${base}.ocr.json`)),
    );
    const scanned = r.doc.pages.filter((p) => p.method === 'ocr').length;
    // ocrmypdf refuses encrypted PDFs, so an opened one gets no searchable copy.
    if (r.doc.kind === 'pdf' && scanned > 0 && input.searchable_pdf && input.password === undefined) {
      ctx.progress({ message: `${r.name}: writing a searchable PDF` });
      const out = `${base}.searchable.pdf`;
      await searchablePdf(ctx.exec, r.doc.file, out, {
        languages: input.languages,
        pages: r.doc.pageCount,
        pageTimeoutMs: input.page_timeout_seconds * 1000,
        signal: ctx.signal,
      });
      artifacts.push(await artifactFromFile(out, 'application/pdf', relativeName(ctx, out)));
    }
  }
  const pages = read.flatMap((r) => pageOutputs(r, single));
  const ocrPages = pages.filter((p) => p.method === 'ocr');
  const confidences = ocrPages.map((p) => p.confidence).filter((c): c is number => c !== null);
  const what = single ? read[0]!.name : `${read.length} documents`;
  return completedEnvelope({
    summary: `${what}: ${pages.length} page${pages.length === 1 ? '' : 's'} (${pages.length - ocrPages.length} from the text layer, ${ocrPages.length} by OCR)`,
    outputs: {
      text: read.map((r) => r.doc.text).join('\n\n'),
      documents: read.map((r) => ({
        file: r.name,
        kind: r.doc.kind,
        pageCount: r.doc.pageCount,
        sha256: r.doc.sha256,
      })),
      pages,
    },
    artifacts,
    metrics: {
      documents: read.length,
      pages: pages.length,
      ocrPages: ocrPages.length,
      textLayerPages: pages.length - ocrPages.length,
      ...(confidences.length ? { meanConfidence: confidences.reduce((s, c) => s + c, 0) / confidences.length } : {}),
      extractSeconds: (Date.now() - started) / 1000,
    },
  });
}

export const documentsAgent: AgentExecutor = {
  async run(ctx) {
    const input = ctx.input as unknown as DocumentsInput;
    switch (ctx.skillId) {
      case 'ocr.extract':
        return extractSkill(ctx, input);
      case 'doc.structure':
        return structureSkill(ctx, input);
      default:
        throw new BosunError('INVALID_INPUT', `the documents agent has no skill '${ctx.skillId}'`, {
          details: { retryable: false },
        });
    }
  },
  // The input names a file; its content decides the result.
  async cacheFingerprint(ctx) {
    const input = ctx.input as unknown as DocumentsInput;
    const files = await documentFiles(await resolveInput(ctx.workDir, input.file));
    return Promise.all(files.map(async (f) => ({ name: f.name, sha256: await sha256File(f.file) })));
  },
};
