import { describe, expect, it } from 'vitest';
import { chunkDocument, countTokens } from '../../../src/docs/chunk/index.js';
import { parseDocument, type ParsedDocument } from '../../../src/docs/parse/index.js';
import { blockKinds, fencesBalanced } from './checks.js';

const parse = (content: string): ParsedDocument => parseDocument({ content, format: 'markdown', path: 'page.md' });

const sentence = (i: number): string =>
  `Sentence number ${i} says something useful about widgets and their configuration.`;
const paragraph = (from: number, count: number): string =>
  Array.from({ length: count }, (_, i) => sentence(from + i)).join(' ');

describe('countTokens', () => {
  it('approximates BPE tokens for prose, identifiers and punctuation', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('ducklake_snapshot')).toBe(3);
    expect(countTokens('foo(bar, baz);')).toBe(7);
    expect(countTokens('| --- | --- |')).toBe(5);
    expect(countTokens('数据湖')).toBe(3);
    expect(countTokens('-a-')).toBe(3);
    expect(countTokens('2025-11-25')).toBe(5);
  });

  it('is additive over whitespace, so merged chunks add up', () => {
    const a = 'First `part`, with code: x.y();';
    const b = '## Second\n\n- item';
    expect(countTokens(`${a}\n\n${b}`)).toBe(countTokens(a) + countTokens(b));
  });
});

describe('chunkDocument', () => {
  it('makes one chunk per section, with heading path, anchor and page title', () => {
    const doc = parse(
      `---\ntitle: Widgets\n---\n\n## Install\n\n${paragraph(0, 5)}\n\n## Configure\n\n${paragraph(10, 5)}\n`,
    );
    const chunks = chunkDocument(doc);
    expect(chunks.map((c) => [c.ordinal, c.headingPath, c.anchor, c.title])).toEqual([
      [0, ['Install'], 'install', 'Widgets'],
      [1, ['Configure'], 'configure', 'Widgets'],
    ]);
    expect(chunks[0]?.text).toBe(doc.sections[0]?.markdown);
  });

  it('merges tiny sections into a sibling or their parent, and a bare heading into its subsections', () => {
    const doc = parse(
      [
        '# Guide',
        '',
        paragraph(0, 4),
        '',
        '## Setup',
        '',
        '### Linux',
        '',
        paragraph(10, 4),
        '',
        '### macOS',
        '',
        'brew install widget',
        '',
        '## Usage',
        '',
        paragraph(20, 4),
        '',
        '### Flags',
        '',
        'Use --fast.',
      ].join('\n'),
    );
    const chunks = chunkDocument(doc);
    expect(chunks.map((c) => [c.headingPath, c.anchor])).toEqual([
      [['Guide'], 'guide'],
      [['Guide', 'Setup'], 'setup'],
      [['Guide', 'Usage'], 'usage'],
    ]);
    // The bare "Setup" heading went with its subsections, not with the page introduction.
    expect(chunks[1]?.text.startsWith('## Setup\n\n### Linux\n\n')).toBe(true);
    expect(chunks[1]?.text.endsWith('### macOS\n\nbrew install widget')).toBe(true);
    expect(chunks[2]?.text.endsWith('### Flags\n\nUse --fast.')).toBe(true);
    // With merging off, every section stands alone.
    expect(chunkDocument(doc, { minTokens: 0 })).toHaveLength(6);
  });

  it('does not merge across branches of the heading tree', () => {
    const doc = parse(
      `## A\n\n### A1\n\n${paragraph(0, 4)}\n\n## B\n\nTiny.\n\n### B1\n\n${paragraph(10, 4)}\n\n#### B1a\n\nTiny too.`,
    );
    expect(chunkDocument(doc).map((c) => c.headingPath)).toEqual([['A'], ['B']]);
    expect(
      chunkDocument(parse(`## A\n\n### A1\n\n${paragraph(0, 4)}\n\n## B\n\nTiny leaf.`)).map((c) => c.headingPath),
    ).toEqual([['A'], ['B']]);
  });

  it('splits a long section at block boundaries, never inside a code block or table', () => {
    const code = [
      '```python',
      ...Array.from({ length: 12 }, (_, i) => `value_${i} = compute(${i})  # step ${i}`),
      '```',
    ].join('\n');
    const table = [
      '| name | value |',
      '| --- | --- |',
      ...Array.from({ length: 12 }, (_, i) => `| key_${i} | ${i * 7} |`),
    ].join('\n');
    expect(countTokens(code)).toBeLessThan(200);
    expect(countTokens(table)).toBeLessThan(200);
    const body = [paragraph(0, 8), code, paragraph(20, 8), table, '- first item\n- second item', paragraph(40, 8)].join(
      '\n\n',
    );
    const doc = parse(`## Long\n\n${body}`);
    const chunks = chunkDocument(doc, { maxTokens: 200 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.headingPath).toEqual(['Long']);
      expect(chunk.tokens).toBeLessThanOrEqual(200);
      expect(fencesBalanced(chunk.text)).toBe(true);
    }
    expect(chunks.some((c) => c.text.includes(code))).toBe(true);
    expect(chunks.some((c) => c.text.includes(table))).toBe(true);
    expect(chunks[0]?.text.startsWith('## Long\n\n')).toBe(true);
  });

  it('sends a code block over the budget alone as an oversize chunk', () => {
    const code = [
      '```sql',
      ...Array.from({ length: 60 }, (_, i) => `SELECT column_${i} FROM table_${i} WHERE id = ${i};`),
      '```',
    ].join('\n');
    const doc = parse(`## Query\n\nIntro.\n\n${code}\n\nOutro.`);
    const chunks = chunkDocument(doc, { maxTokens: 200, minTokens: 0 });
    expect(chunks.map((c) => c.text)).toEqual(['## Query\n\nIntro.', code, 'Outro.']);
    expect(chunks[1]?.tokens).toBeGreaterThan(200);
    expect(chunks[1]?.tokens).toBeLessThanOrEqual(800);
  });

  it('cuts a code block over four times the budget at lines, reopening and closing the fence', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `print("line ${i} of a very long generated script")`);
    const doc = parse(`## Script\n\n~~~python title="gen.py"\n${lines.join('\n')}\n~~~`);
    const chunks = chunkDocument(doc, { maxTokens: 100, minTokens: 0 });
    // The heading travels with the first piece.
    expect(chunks[0]?.text.startsWith('## Script\n\n~~~python')).toBe(true);
    const pieces = chunks.map((c, i) => ({ ...c, text: i === 0 ? c.text.slice('## Script\n\n'.length) : c.text }));
    expect(pieces.length).toBeGreaterThan(10);
    for (const piece of pieces) {
      expect(piece.text.startsWith('~~~python title="gen.py"\n')).toBe(true);
      expect(piece.text.endsWith('\n~~~')).toBe(true);
      expect(piece.tokens).toBeLessThanOrEqual(100);
      expect(blockKinds(piece.text)).toEqual(['code']);
    }
    const body = pieces.flatMap((p) => p.text.split('\n').slice(1, -1));
    expect(body).toEqual(lines);
  });

  it('cuts a huge table at rows, repeating its header', () => {
    const head = '| id | description |\n| --- | --- |';
    const rows = Array.from({ length: 150 }, (_, i) => `| ${i} | row ${i} describes an entry of the catalog |`);
    const doc = parse(`## Table\n\n${head}\n${rows.join('\n')}`);
    const pieces = chunkDocument(doc, { maxTokens: 100, minTokens: 0 }).map((c, i) =>
      i === 0 ? c.text.slice('## Table\n\n'.length) : c.text,
    );
    for (const piece of pieces) {
      expect(piece.startsWith(`${head}\n`)).toBe(true);
      expect(blockKinds(piece)).toEqual(['table']);
    }
    expect(pieces.flatMap((p) => p.split('\n').slice(2))).toEqual(rows);
  });

  it('cuts an over-long line at word boundaries', () => {
    const doc = parse(`## Wall\n\n${paragraph(0, 60)}`);
    const chunks = chunkDocument(doc, { maxTokens: 100, minTokens: 0 });
    for (const chunk of chunks) expect(chunk.tokens).toBeLessThanOrEqual(100);
    expect(
      chunks
        .slice(1)
        .map((c) => c.text)
        .join(' '),
    ).toBe(paragraph(0, 60));
  });

  it('hashes heading path and text, stable across runs', () => {
    const a = chunkDocument(parse('## One\n\nSame text here.\n\n## Two\n\nSame text here.'), { minTokens: 0 });
    const b = chunkDocument(parse('## One\n\nSame text here.\n\n## Two\n\nSame text here.'), { minTokens: 0 });
    expect(a.map((c) => c.contentHash)).toEqual(b.map((c) => c.contentHash));
    expect(a[0]?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a[0]?.contentHash).not.toBe(a[1]?.contentHash);
    const moved = chunkDocument(parse('## Zero\n\nOther.\n\n## One\n\nSame text here.'), { minTokens: 0 });
    expect(moved[1]?.contentHash).toBe(a[0]?.contentHash);
  });

  it('chunks a text document and an empty one', () => {
    const text = parseDocument({
      content: `${paragraph(0, 3)}\n\n${paragraph(5, 3)}`,
      format: 'text',
      path: 'notes.txt',
    });
    expect(chunkDocument(text).map((c) => [c.headingPath, c.anchor, c.title])).toEqual([[[], '', 'notes']]);
    expect(chunkDocument(parse('   \n'))).toEqual([]);
  });

  it('rejects options that make no sense', () => {
    expect(() => chunkDocument(parse('x'), { maxTokens: 10 })).toThrow(/maxTokens/);
    expect(() => chunkDocument(parse('x'), { maxTokens: 100, minTokens: 100 })).toThrow(/minTokens/);
  });
});
