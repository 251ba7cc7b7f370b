import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, type AgentRegistry, type ResultEnvelope } from '../../src/agents/index.js';
import { runCommand } from '../../src/exec/index.js';
import {
  encryptPdf,
  joinPdfs,
  paragraphPage,
  scanImage,
  scannedPdf,
  textPdf,
  type PageSpec,
} from '../documents/generate.js';
import { invoice, money } from '../documents/invoice.js';
import { waitFor } from '../pm/helpers.js';
import { bosunBin, repoRoot, runBosun } from '../support/cli.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

interface PageOut {
  number: number;
  method: 'text-layer' | 'ocr';
  text: string;
  confidence: number | null;
  deskewDegrees: number | null;
  lines: { text: string; box: [number, number, number, number] }[];
}

const BODY = [
  'Bosun reads scanned contracts and invoices.',
  'The quick brown fox jumps over the lazy dog.',
  'Payment is due within thirty days of delivery.',
];
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('the documents agent: ocr.extract', () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  let docs: string;
  let n = 0;
  const run = async (input: Record<string, unknown>) => {
    const workDir = path.join(f.home, `run-${++n}`);
    const envelope = await executeAgent({
      registry,
      agentId: 'documents',
      skillId: 'ocr.extract',
      input,
      workDir,
      scope: 'tests',
      noCache: true,
    });
    return { envelope, pages: envelope.outputs.pages as PageOut[], workDir };
  };
  const doc = (name: string) => path.join(docs, name);

  beforeAll(async () => {
    f = await agentsFixture();
    registry = await f.open();
    docs = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-docs-'));
    await textPdf(doc('text.pdf'), [
      paragraphPage(BODY, { heading: 'Service Agreement' }),
      paragraphPage(['Second page.']),
    ]);
    await textPdf(doc('one.pdf'), [paragraphPage(['Annex B lists the delivery addresses.'], { heading: 'Annex B' })]);
    await scannedPdf(doc('one.pdf'), doc('one-scan.pdf'), 200);
    await joinPdfs(doc('mixed.pdf'), [doc('text.pdf'), doc('one-scan.pdf')]);
    await scanImage(doc('text.pdf'), doc('scan.png'), { dpi: 200 });
    await scanImage(doc('text.pdf'), doc('crooked.png'), { dpi: 200, rotate: 2.5 });
    await encryptPdf(doc('one.pdf'), doc('locked.pdf'), 'sesame');
    await runCommand('convert', [doc('scan.png'), '-quality', '90', doc('scan.jpg')]);
    await runCommand('convert', [doc('scan.png'), doc('scan.jpg'), doc('two-pages.tiff')]);
    fs.writeFileSync(doc('empty.pdf'), '');
    fs.writeFileSync(doc('broken.pdf'), '%PDF-1.7\nthis is not a PDF body\n');
    fs.writeFileSync(doc('notes.docx'), 'PK\u0003\u0004 a zip, not a document');
    // A PNG header claiming 50,000 × 50,000 pixels and nothing else: refused before any decoder sees it.
    const ihdr = Buffer.alloc(25);
    ihdr.writeUInt32BE(13, 0);
    ihdr.write('IHDR', 4, 'latin1');
    ihdr.writeUInt32BE(50_000, 8);
    ihdr.writeUInt32BE(50_000, 12);
    fs.writeFileSync(doc('huge.png'), Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), ihdr]));
  }, 120_000);
  afterAll(async () => {
    await f.cleanup();
    fs.rmSync(docs, { recursive: true, force: true });
  });

  it('reads a text-layer PDF from its text layer, with line boxes in points', async () => {
    const { envelope, pages } = await run({ file: doc('text.pdf') });
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(pages.map((p) => [p.number, p.method])).toEqual([
      [1, 'text-layer'],
      [2, 'text-layer'],
    ]);
    expect(pages[0]!.text).toBe(['Service Agreement', '', ...BODY].join('\n'));
    const heading = pages[0]!.lines[0]!;
    expect(heading.text).toBe('Service Agreement');
    expect(heading.box[0]).toBeCloseTo(72, 0);
    expect(heading.box[3] - heading.box[1]).toBeGreaterThan(15);
    expect(envelope.artifacts.map((a) => a.name).sort()).toEqual(['text.md', 'text.ocr.json']);
    const json = JSON.parse(fs.readFileSync(envelope.artifacts.find((a) => a.name === 'text.ocr.json')!.path!, 'utf8'));
    expect(json.pages[0].lines[1].words.map((w: { text: string }) => w.text)).toEqual(BODY[0]!.split(' '));
  });

  it('reads a mixed PDF page by page and writes a searchable PDF of it', async () => {
    const { envelope, pages } = await run({ file: doc('mixed.pdf') });
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(pages.map((p) => p.method)).toEqual(['text-layer', 'text-layer', 'ocr']);
    expect(flat(pages[2]!.text)).toBe('Annex B Annex B lists the delivery addresses.');
    expect(pages[2]!.confidence).toBeGreaterThan(80);
    expect(envelope.metrics).toMatchObject({ pages: 3, ocrPages: 1, textLayerPages: 2 });
    const searchable = envelope.artifacts.find((a) => a.name === 'mixed.searchable.pdf');
    expect(searchable?.mediaType).toBe('application/pdf');
    const layer = await runCommand('pdftotext', ['-f', '3', '-l', '3', searchable!.path!, '-']);
    expect(flat(layer.stdout)).toContain('delivery addresses');
  }, 60_000);

  it('straightens a crooked scan before OCR', async () => {
    const { envelope, pages } = await run({ file: doc('crooked.png'), dpi: 200 });
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(Math.abs(pages[0]!.deskewDegrees!)).toBeGreaterThan(1.5);
    expect(flat(pages[0]!.text)).toContain(flat(BODY.join(' ')));
  }, 60_000);

  it('reads JPEG and multi-page TIFF images, a page per frame', async () => {
    const jpeg = await run({ file: doc('scan.jpg'), dpi: 200 });
    expect(jpeg.envelope.status, jpeg.envelope.error?.message).toBe('completed');
    expect(flat(jpeg.pages[0]!.text)).toContain(flat(BODY.join(' ')));
    const tiff = await run({ file: doc('two-pages.tiff'), dpi: 200, pages: '2' });
    expect(tiff.envelope.status, tiff.envelope.error?.message).toBe('completed');
    expect(tiff.pages.map((p) => [p.number, p.method])).toEqual([[2, 'ocr']]);
    expect(flat(tiff.pages[0]!.text)).toContain('Service Agreement');
  }, 60_000);

  it('opens an encrypted PDF only with its password, and says so', async () => {
    const locked = await run({ file: doc('locked.pdf') });
    expect(locked.envelope.status).toBe('failed');
    expect(locked.envelope.error).toEqual({
      code: 'DOCUMENT_ENCRYPTED',
      message: 'locked.pdf is encrypted: it needs a password',
      retryable: false,
    });
    const wrong = await run({ file: doc('locked.pdf'), password: 'nope' });
    expect(wrong.envelope.error?.message).toBe('locked.pdf is encrypted and the password given does not open it');
    const opened = await run({ file: doc('locked.pdf'), password: 'sesame' });
    expect(opened.envelope.status, opened.envelope.error?.message).toBe('completed');
    expect(flat(opened.pages[0]!.text)).toBe('Annex B Annex B lists the delivery addresses.');
    expect(JSON.stringify(opened.envelope)).not.toContain('sesame');
  });

  it('refuses bad input with errors that name the file and what to do', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ file: doc('empty.pdf') }, 'DOCUMENT_EMPTY', /^empty\.pdf is empty \(0 bytes\)$/],
      [{ file: doc('broken.pdf') }, 'DOCUMENT_CORRUPT', /^broken\.pdf is not a readable PDF: /],
      [{ file: doc('notes.docx') }, 'UNSUPPORTED', /^notes\.docx is not a PDF, PNG, JPEG or TIFF file$/],
      [
        { file: doc('huge.png') },
        'DOCUMENT_TOO_LARGE',
        /^huge\.png: the image is 50000 × 50000 pixels .* over the cap/,
      ],
      [
        { file: doc('text.pdf'), max_pages: 1 },
        'DOCUMENT_TOO_LARGE',
        /^text\.pdf: 2 pages to read, over the cap of 1$/,
      ],
      [{ file: doc('text.pdf'), pages: '3' }, 'INVALID_INPUT', /^text\.pdf has 2 pages; there is no page 3$/],
      [
        { file: doc('scan.png'), languages: ['kat_old'] },
        'LANGUAGE_MISSING',
        /^tesseract has no kat_old language data/,
      ],
    ];
    for (const [input, code, message] of cases) {
      const { envelope, workDir } = await run(input);
      expect(envelope.status, String(input.file)).toBe('failed');
      expect(envelope.error?.code).toBe(code);
      expect(envelope.error?.message).toMatch(message);
      expect(envelope.artifacts).toEqual([]);
      // Nothing partial: no artifacts, and no page images left behind.
      expect(fs.readdirSync(workDir)).toEqual([]);
    }
  });

  it('stops a page that takes longer than its timeout', async () => {
    const started = Date.now();
    const { envelope } = await run({ file: doc('text.pdf'), force_ocr: true, page_timeout_seconds: 1, dpi: 600 });
    expect(Date.now() - started).toBeLessThan(15_000);
    // Rasterising, deskewing or reading a 600 dpi page: one of them runs out of its second.
    expect(envelope.status).toBe('failed');
    expect(envelope.error?.code).toBe('EXEC_TIMEOUT');
  });
});

describe('the documents agent: doc.structure', () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  let docs: string;
  const structure = async (file: string, kind?: string) => {
    const envelope = await executeAgent({
      registry,
      agentId: 'documents',
      skillId: 'doc.structure',
      input: { file: path.join(docs, file), ...(kind ? { kind } : {}) },
      workDir: path.join(docs, `run-${file}`),
      scope: 'tests',
      noCache: true,
    });
    expect(envelope.status, envelope.error?.message).toBe('completed');
    return envelope;
  };

  beforeAll(async () => {
    f = await agentsFixture();
    registry = await f.open();
    docs = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-structure-'));
    const good = invoice(7);
    await textPdf(path.join(docs, 'invoice.pdf'), good.pages);
    await textPdf(path.join(docs, 'wrong-total.pdf'), invoice(7, { statedTotal: good.truth.fields.Total + 10 }).pages);
    const report: PageSpec = [
      { text: 'Annual Report 2025', x: 72, y: 72, size: 22, bold: true },
      { text: 'Revenue grew in every region this year.', x: 72, y: 110 },
      { text: 'Regional results', x: 72, y: 150, size: 15, bold: true },
      ...[
        ['Region', 'Revenue', 'Growth'],
        ['North', '1,200', '4.5%'],
        ['South, coastal', '980', '3.1%'],
        ['West', '1,450', '6.0%'],
      ].flatMap((row, i) => row.map((text, c) => ({ text, x: [72, 300, 420][c]!, y: 180 + i * 18, bold: i === 0 }))),
    ];
    await textPdf(path.join(docs, 'report.pdf'), [report]);
  }, 60_000);
  afterAll(async () => {
    await f.cleanup();
    fs.rmSync(docs, { recursive: true, force: true });
  });

  it('reads an invoice: normalised fields with their source text, line items, and a total that adds up', async () => {
    const { truth } = invoice(7);
    const envelope = await structure('invoice.pdf');
    const out = envelope.outputs as any;
    expect(out.kind).toBe('invoice');
    for (const [name, value] of Object.entries(truth.fields)) expect(out.fields[name]?.value, name).toEqual(value);
    expect(out.fields.Total).toMatchObject({ currency: 'EUR', text: `Total EUR ${money(truth.fields.Total)}` });
    expect(out.fields.IBAN.valid).toBe(true);
    expect(
      out.line_items.map((i: any) => ({
        description: i.description,
        quantity: i.quantity,
        unit_price: i.unit_price,
        amount: i.amount,
      })),
    ).toEqual(truth.items);
    expect(out.line_items.every((i: any) => i.check === 'ok')).toBe(true);
    expect(out.total_check).toMatchObject({ ok: true, difference: 0, items_sum: truth.fields.Subtotal });
    expect(out.sections[0].heading).toBe('INVOICE');
    expect(envelope.artifacts.map((a) => a.name)).toEqual(
      expect.arrayContaining(['invoice.table-1.csv', 'invoice.structure.json']),
    );
  });

  it('reports a stated total that the items do not add up to', async () => {
    const { truth } = invoice(7);
    const out = (await structure('wrong-total.pdf', 'invoice')).outputs as any;
    expect(out.total_check).toEqual({
      items_sum: truth.fields.Subtotal,
      subtotal: truth.fields.Subtotal,
      tax: truth.fields.Tax,
      total: truth.fields.Total + 10,
      ok: false,
      difference: -10,
      message: `subtotal + tax is ${truth.fields.Total.toFixed(2)}, the total says ${(truth.fields.Total + 10).toFixed(2)}`,
    });
  });

  it('finds headings by font size and a table by column positions, written as CSV', async () => {
    const envelope = await structure('report.pdf');
    const out = envelope.outputs as any;
    expect(out.kind).toBe('report');
    expect(out.sections.map((s: any) => [s.heading, s.level])).toEqual([
      ['Annual Report 2025', 1],
      ['Regional results', 2],
    ]);
    expect(out.sections[0].text).toBe('Revenue grew in every region this year.');
    expect(out.tables).toHaveLength(1);
    const csv = fs.readFileSync(envelope.artifacts.find((a) => a.name === 'report.table-1.csv')!.path!, 'utf8');
    expect(csv).toBe(
      'Region,Revenue,Growth\r\nNorth,"1,200",4.5%\r\n"South, coastal",980,3.1%\r\nWest,"1,450",6.0%\r\n',
    );
  });
});

describe('bosun agents run documents / task run / worker', () => {
  let f: AgentsFixture;
  let docs: string;
  const bosun = (...args: string[]) =>
    runBosun([...args, '--json'], { home: f.home, env: { BOSUN_DATABASE_URL: f.db.url }, timeoutMs: 120_000 });

  beforeAll(async () => {
    f = await agentsFixture();
    docs = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-docs-cli-'));
    await textPdf(path.join(docs, 'page.pdf'), [paragraphPage(BODY)]);
    await scanImage(path.join(docs, 'page.pdf'), path.join(docs, 'scan.png'), { dpi: 200 });
  }, 60_000);
  afterAll(async () => {
    await f.cleanup();
    fs.rmSync(docs, { recursive: true, force: true });
  });

  it('`agents run documents ocr.extract --input file=scan.png` returns the page text', async () => {
    const res = await bosun(
      'agents',
      'run',
      'documents',
      'ocr.extract',
      '--input',
      'file=scan.png',
      '--input',
      'dpi=200',
      '--work-dir',
      docs,
    );
    expect(res.exitCode, res.stderr).toBe(0);
    const envelope = res.json.envelope as ResultEnvelope;
    expect(envelope.status).toBe('completed');
    expect(flat(envelope.outputs.text as string)).toBe(flat(BODY.join(' ')));
    expect((envelope.outputs.pages as PageOut[])[0]!.method).toBe('ocr');
    const list = await bosun('agents', 'list');
    expect(list.json.find((a: { id: string }) => a.id === 'documents')).toMatchObject({
      executor: 'builtin',
      available: true,
    });
  }, 60_000);

  it('runs a routed task through `bosun worker`, and the same file through `task run` from the cache', async () => {
    const input = path.join(f.home, 'in.json');
    fs.writeFileSync(input, JSON.stringify({ file: path.join(docs, 'scan.png'), dpi: 200 }));
    const stop = new AbortController();
    const worker = runCommand(
      process.execPath,
      [bosunBin, '--database-url', f.db.url, 'worker', '--concurrency', '1'],
      {
        env: { BOSUN_HOME: f.home, BOSUN_LOG_LEVEL: 'warn' },
        cwd: repoRoot,
        timeoutMs: 0,
        signal: stop.signal,
      },
    );
    try {
      await bosun('project', 'new', 'scans');
      const added = await bosun(
        'task',
        'add',
        'scans',
        'OCR the scan',
        '--skill',
        'ocr.extract',
        '--input-file',
        input,
      );
      expect(added.json.task).toMatchObject({ agentId: 'documents', route: { automatic: true } });
      await bosun('project', 'advance', 'scans');
      await waitFor(
        'the worker to finish the task',
        async () => {
          const { rows } = await f.db.pool.query<{ status: string }>(
            `SELECT t.status FROM bosun.task t JOIN bosun.project p ON p.id = t.project_id WHERE p.slug = 'scans'`,
          );
          return ['completed', 'failed'].includes(rows[0]?.status ?? '');
        },
        90_000,
      );
      const task = (await bosun('task', 'show', 'scans#1')).json.task;
      expect(task.status).toBe('completed');
      expect(flat(task.result.outputs.text)).toBe(flat(BODY.join(' ')));
      expect(task.result.artifacts.map((a: { name: string }) => a.name).sort()).toEqual(['scan.md', 'scan.ocr.json']);
    } finally {
      stop.abort();
      await worker.catch(() => undefined);
    }

    await bosun('project', 'new', 'again');
    await bosun('task', 'add', 'again', 'OCR it again', '--skill', 'ocr.extract', '--input-file', input);
    await bosun('project', 'advance', 'again');
    const ran = await bosun('task', 'run', 'again#1');
    expect(ran.exitCode, ran.stderr).toBe(0);
    expect(ran.json.envelope.metrics.cacheHit).toBe(1);
    expect(flat(ran.json.task.result.outputs.text)).toBe(flat(BODY.join(' ')));
  }, 150_000);
});
