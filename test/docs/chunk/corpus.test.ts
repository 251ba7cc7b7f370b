import { describe, expect, it } from 'vitest';
import { chunkDocument, countTokens, type Chunk } from '../../../src/docs/chunk/index.js';
import { parseDocument, type ParsedDocument } from '../../../src/docs/parse/index.js';
import { corpusFiles, haveCorpora, type CorpusFile } from '../parse/corpus.js';
import { atomicBlocks, blockKinds, fencesBalanced } from './checks.js';

interface Page {
  file: CorpusFile;
  doc: ParsedDocument;
  chunks: Chunk[];
}

function ingest(files: CorpusFile[], maxTokens?: number): Page[] {
  return files.map((file) => {
    const doc = parseDocument({ content: file.content, format: file.format, path: file.path });
    return {
      file,
      doc,
      chunks: chunkDocument(doc, maxTokens === undefined ? {} : { maxTokens, minTokens: Math.floor(maxTokens / 10) }),
    };
  });
}

describe.skipIf(!haveCorpora)('chunking every file of both corpora', () => {
  const files = haveCorpora ? corpusFiles() : [];
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const pages = ingest(files);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const wallMs = performance.now() - started;
  const chunkCount = pages.reduce((n, p) => n + p.chunks.length, 0);
  console.log(
    `parse+chunk of both corpora: ${files.length} files, ${chunkCount} chunks, ${Math.round(wallMs)} ms wall, ${Math.round(cpuMs)} ms CPU`,
  );

  it('is fast', () => {
    // About 1 s of CPU on the 2-core target; CPU time, unlike wall time, does not grow when
    // other processes share the machine. The bound only catches a pathological slowdown.
    expect(cpuMs).toBeLessThan(6_000);
  });

  it('never leaves a code fence open in a chunk', () => {
    for (const { file, chunks } of pages) {
      for (const chunk of chunks) expect(fencesBalanced(chunk.text), `${file.path} #${chunk.ordinal}`).toBe(true);
    }
  });

  it('keeps every code block and table whole in one chunk, unless it is over four times the budget', () => {
    let cut = 0;
    for (const { file, doc, chunks } of pages) {
      for (const block of atomicBlocks(doc.markdown)) {
        if (countTokens(block) > 1600) {
          cut++;
          continue;
        }
        expect(
          chunks.some((c) => c.text.includes(block)),
          `${file.path}: ${block.slice(0, 60)}`,
        ).toBe(true);
      }
    }
    // Only a few tutorial scripts and the SEP index table are that large.
    expect(cut).toBeLessThan(20);
  });

  it('respects the token budget except for a lone code block or table', () => {
    let oversize = 0;
    for (const { file, chunks } of pages) {
      for (const chunk of chunks) {
        expect(chunk.tokens).toBe(countTokens(chunk.text));
        if (chunk.tokens <= 400) continue;
        oversize++;
        const kinds = blockKinds(chunk.text);
        expect(
          kinds.length === 1 && (kinds[0] === 'code' || kinds[0] === 'table'),
          `${file.path} #${chunk.ordinal}`,
        ).toBe(true);
        expect(chunk.tokens).toBeLessThanOrEqual(1600);
      }
    }
    expect(oversize).toBeLessThan(chunkCount / 20);
  });

  it('loses no content and numbers chunks in page order', () => {
    const squash = (s: string): string => s.replace(/\s+/g, '');
    for (const { file, doc, chunks } of pages) {
      const text = chunks.map((c) => c.text).join('\n');
      if (atomicBlocks(doc.markdown).every((b) => countTokens(b) <= 1600)) {
        expect(squash(text), file.path).toBe(squash(doc.markdown));
      } else {
        // Cut code blocks repeat their fence lines; every line is still there.
        const lines = new Set(text.split('\n'));
        for (const line of doc.markdown.split('\n')) expect(lines.has(line), `${file.path}: ${line}`).toBe(true);
      }
      expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
      for (const chunk of chunks) expect(chunk.title).toBe(doc.title);
    }
  });

  it('is deterministic: a second run gives identical chunks and hashes', () => {
    const again = ingest(files);
    expect(again.map((p) => p.chunks)).toEqual(pages.map((p) => p.chunks));
  });

  it('keeps fences valid and tables headed when a small budget forces cuts', () => {
    for (const { file, doc, chunks } of ingest(files, 100)) {
      const headers = new Set(
        atomicBlocks(doc.markdown)
          .filter((b) => b.startsWith('|'))
          .map((b) => b.split('\n').slice(0, 2).join('\n')),
      );
      for (const chunk of chunks) {
        const where = `${file.path} #${chunk.ordinal}`;
        expect(fencesBalanced(chunk.text), where).toBe(true);
        // Every table in a chunk starts with one of the page's table headers: no rows cut off from it.
        for (const table of atomicBlocks(chunk.text).filter((b) => b.startsWith('|'))) {
          expect(headers.has(table.split('\n').slice(0, 2).join('\n')), where).toBe(true);
        }
      }
    }
  });
});
