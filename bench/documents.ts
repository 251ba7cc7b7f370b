/**
 * Accuracy and speed of the documents agent's OCR and structure analysis on documents this
 * script generates (so the true text is known): character error rate per scan condition with
 * ocrmypdf's sidecar text on the same scans as the baseline, invoice field and line-item
 * accuracy, table cell accuracy, and pages per second (text layer against plain pdftotext, OCR
 * against ocrmypdf).
 *
 *   npm run bench:documents [-- --quick | --full]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { distance } from 'fastest-levenshtein';
import { documentStructure } from '../src/agents/builtin/documents/structure-skill.js';
import {
  DEFAULT_EXTRACT_OPTIONS,
  extractDocument,
  type ExtractedDocument,
  type ExtractOptions,
} from '../src/docs/ocr/index.js';
import * as exec from '../src/exec/index.js';
import { paragraphPage, scannedPdf, textPdf, type PageSpec, type PrintOptions } from '../test/documents/generate.js';
import { invoice, money } from '../test/documents/invoice.js';
import { printTable, timed } from './support.js';

const quick = process.argv.includes('--quick');
const full = process.argv.includes('--full');
const size = {
  cerPages: quick ? 1 : 2,
  scannedInvoices: quick ? 4 : full ? 30 : 10,
  tables: quick ? 2 : 4,
  textPages: quick ? 50 : 100,
};
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-bench-documents-'));
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

const SENTENCES = [
  "The data warehouse loads every night at two o'clock and finishes before the first report runs.",
  'Each invoice lists the services delivered, the hours spent and the agreed daily rate.',
  'Our client asked for a dashboard that shows revenue by region, product and month.',
  'Payment is due within thirty days of the invoice date unless agreed otherwise in writing.',
  'The pipeline reads raw files, cleans the records and writes them to partitioned tables.',
  'A quality check rejects rows with missing keys, negative amounts or dates in the future.',
  'Scanned contracts are stored as images, so their text must be recognised before search.',
  'The project manager assigns each task to the agent that is best suited to finish it.',
  'Quarterly figures were reviewed by the finance team and approved without changes.',
  'Questions about this statement can be sent to the accounts department by email.',
  'The migration moved four hundred tables and kept every historical snapshot intact.',
  'Training sessions covered the query language, the scheduler and the alerting rules.',
];

function wrap(text: string, width = 78): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && `${line} ${word}`.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

/** Page i: the sentences rotated so every page differs, wrapped into 11 pt lines. */
function bodyLines(i: number): string[] {
  const rotated = [...SENTENCES.slice(i % SENTENCES.length), ...SENTENCES.slice(0, i % SENTENCES.length)];
  return wrap(rotated.join(' ')).slice(0, 24);
}

const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
const cer = (truth: string, seen: string) => distance(flat(truth), flat(seen)) / flat(truth).length;
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

async function ocrmypdfSidecar(pdf: string): Promise<{ pages: string[]; ms: number }> {
  const sidecar = `${pdf}.sidecar.txt`;
  const { ms } = await timed(() =>
    exec.runChecked(
      'ocrmypdf',
      [
        '--force-ocr',
        '--quiet',
        '--jobs',
        '2',
        '-l',
        'eng',
        '--output-type',
        'pdf',
        '--sidecar',
        sidecar,
        pdf,
        `${pdf}.ocrmypdf.pdf`,
      ],
      { timeoutMs: 600_000 },
    ),
  );
  return { pages: fs.readFileSync(sidecar, 'utf8').split('\f'), ms };
}

async function ours(
  pdf: string,
  options: Partial<ExtractOptions> = {},
): Promise<{ doc: ExtractedDocument; ms: number }> {
  const scratchDir = fs.mkdtempSync(path.join(dir, 'scratch-'));
  const { value, ms } = await timed(() =>
    extractDocument(exec, pdf, { ...DEFAULT_EXTRACT_OPTIONS, ...options, scratchDir }),
  );
  return { doc: value, ms };
}

// 1. Character error rate per condition, ours beside ocrmypdf's.
const conditions: { name: string; dpi: number; print: PrintOptions }[] = [
  { name: 'clean, 300 dpi', dpi: 300, print: {} },
  { name: 'clean, 200 dpi', dpi: 200, print: {} },
  { name: 'rotated 2.5° + speckles, 300 dpi', dpi: 300, print: { rotate: 2.5, speckles: 1500, seed: 7 } },
];
const cerRows: Record<string, string | number>[] = [];
let ocrPages = 0;
let ocrMs = 0;
let baselineMs = 0;
for (const [c, condition] of conditions.entries()) {
  const truth = Array.from({ length: size.cerPages }, (_, i) => bodyLines(c * 3 + i));
  const pdf = path.join(dir, `cer-${c}.pdf`);
  await textPdf(
    pdf,
    truth.map((lines) => paragraphPage(lines)),
    condition.print,
  );
  const scan = path.join(dir, `cer-${c}-scan.pdf`);
  await scannedPdf(pdf, scan, condition.dpi);
  const mine = await ours(scan);
  const base = await ocrmypdfSidecar(scan);
  ocrPages += truth.length;
  ocrMs += mine.ms;
  baselineMs += base.ms;
  const mean = (f: (i: number) => number) => truth.reduce((s, _, i) => s + f(i), 0) / truth.length;
  cerRows.push({
    condition: condition.name,
    pages: truth.length,
    'CER bosun': pct(mean((i) => cer(truth[i]!.join(' '), mine.doc.pages[i]!.text))),
    'CER ocrmypdf': pct(mean((i) => cer(truth[i]!.join(' '), base.pages[i] ?? ''))),
    'bosun s/page': mine.ms / 1000 / truth.length,
    'ocrmypdf s/page': base.ms / 1000 / truth.length,
  });
}
printTable('Character error rate (lower is better; target ≤ 1% clean 300 dpi, ≤ 4% rotated/noisy)', cerRows);

// 2. Invoices: fields and line items, from the text layer and from 300 dpi scans.
const invoices = Array.from({ length: 30 }, (_, i) => invoice(i + 1));
const invoicePdf = path.join(dir, 'invoices.pdf');
await textPdf(
  invoicePdf,
  invoices.flatMap((inv) => inv.pages),
);
const invoiceScan = path.join(dir, 'invoices-scan.pdf');
await scannedPdf(invoicePdf, invoiceScan, 300);

function scoreInvoices(doc: ExtractedDocument) {
  let fields = 0;
  let fieldsRight = 0;
  let items = 0;
  let itemsRight = 0;
  let checksOk = 0;
  for (const page of doc.pages) {
    const truth = invoices[page.number - 1]!.truth;
    const s = documentStructure(
      { name: `invoice-${page.number}`, doc: { ...doc, pages: [page], text: page.text } },
      'auto',
    );
    for (const [name, value] of Object.entries(truth.fields)) {
      fields++;
      if (s.fields[name]?.value === value) fieldsRight++;
    }
    for (const [i, item] of truth.items.entries()) {
      items++;
      const got = s.line_items?.[i];
      if (
        got &&
        got.description === item.description &&
        got.quantity === item.quantity &&
        got.unit_price === item.unit_price &&
        got.amount === item.amount
      )
        itemsRight++;
    }
    if (s.total_check?.ok) checksOk++;
  }
  return { documents: doc.pages.length, fields: fieldsRight / fields, items: itemsRight / items, checksOk };
}

const invoiceRows: Record<string, string | number>[] = [];
const textInvoices = scoreInvoices((await ours(invoicePdf)).doc);
// Structure reads scans as one column of rows, as doc.structure does.
const scanned = await ours(invoiceScan, {
  layout: 'rows',
  pages: Array.from({ length: size.scannedInvoices }, (_, i) => i + 1),
});
ocrPages += size.scannedInvoices;
ocrMs += scanned.ms;
const scanInvoices = scoreInvoices(scanned.doc);
for (const [source, r] of [
  ['text layer', textInvoices],
  ['scan, 300 dpi', scanInvoices],
] as const) {
  invoiceRows.push({
    source,
    invoices: r.documents,
    'fields exact': pct(r.fields),
    'line items exact': pct(r.items),
    'total check ok': `${r.checksOk}/${r.documents}`,
  });
}
printTable('Invoice fields (7 each) and line items (target ≥ 97% exact)', invoiceRows);

// 3. Tables: every cell compared with what was printed.
const tableTruth = Array.from({ length: size.tables }, (_, t) => [
  ['Customer', 'Code', 'Units', 'Revenue'],
  ...Array.from({ length: 6 }, (_, r) => {
    const n = t * 6 + r;
    return [
      `${['Alder', 'Birch', 'Cedar', 'Maple', 'Rowan', 'Willow'][n % 6]} ${['Trading', 'Systems', 'Foods', 'Logistics'][n % 4]}`,
      `KX-${1000 + n * 37}`,
      String(3 + ((n * 7) % 90)),
      money(100 + n * 123.45),
    ];
  }),
]);
const tablePages: PageSpec[] = tableTruth.map((rows) => [
  { text: 'Sales by customer', x: 72, y: 72, size: 16, bold: true },
  ...rows.flatMap((row, r) =>
    row.map((text, c) => ({
      text,
      x: [72, 260, 400, 523][c]!,
      y: 110 + r * 18,
      bold: r === 0,
      ...(c >= 2 ? { align: 'right' as const } : {}),
    })),
  ),
]);
const tablePdf = path.join(dir, 'tables.pdf');
await textPdf(tablePdf, tablePages);
const tableScan = path.join(dir, 'tables-scan.pdf');
await scannedPdf(tablePdf, tableScan, 300);

function scoreTables(doc: ExtractedDocument): number {
  let cells = 0;
  let right = 0;
  for (const page of doc.pages) {
    const truth = tableTruth[page.number - 1]!;
    const s = documentStructure({ name: 't', doc: { ...doc, pages: [page], text: page.text } }, 'report');
    const table = s.tables.reduce<(typeof s.tables)[number] | undefined>(
      (best, t) => (!best || t.rows.length > best.rows.length ? t : best),
      undefined,
    );
    truth.forEach((row, r) =>
      row.forEach((cell, c) => {
        cells++;
        if (table?.rows[r]?.[c] === cell) right++;
      }),
    );
  }
  return right / cells;
}
const tableText = scoreTables((await ours(tablePdf)).doc);
const tableOcr = await ours(tableScan, { layout: 'rows' });
ocrPages += size.tables;
ocrMs += tableOcr.ms;
printTable('Table cells (target ≥ 95% exact)', [
  { source: 'text layer', tables: size.tables, cells: size.tables * 28, 'cells exact': pct(tableText) },
  {
    source: 'scan, 300 dpi',
    tables: size.tables,
    cells: size.tables * 28,
    'cells exact': pct(scoreTables(tableOcr.doc)),
  },
]);

// 4. Throughput.
const manyPdf = path.join(dir, 'many.pdf');
await textPdf(
  manyPdf,
  Array.from({ length: size.textPages }, (_, i) => paragraphPage(bodyLines(i))),
);
const textLayer = await ours(manyPdf);
const plain = await timed(() =>
  exec.runChecked('pdftotext', [manyPdf, path.join(dir, 'many.txt')], { timeoutMs: 120_000 }),
);
const cerPageCount = conditions.length * size.cerPages;
printTable(
  `Throughput on ${os.availableParallelism()} cores (load average ${os.loadavg()[0]!.toFixed(1)} at the end)`,
  [
    {
      pages: 'text layer',
      n: size.textPages,
      'bosun pages/s': size.textPages / (textLayer.ms / 1000),
      'baseline pages/s': size.textPages / (plain.ms / 1000),
      baseline: 'pdftotext (no boxes)',
      target: '≥ 50',
    },
    {
      pages: 'OCR',
      n: ocrPages,
      'bosun pages/s': ocrPages / (ocrMs / 1000),
      'baseline pages/s': cerPageCount / (baselineMs / 1000),
      baseline: 'ocrmypdf (CER scans only)',
      target: '≥ 0.5',
    },
  ],
);

clearInterval(sampler);
console.log(`\npeak RSS of this process: ${(peakRss / 2 ** 20).toFixed(0)} MiB (child tools not counted)`);
fs.rmSync(dir, { recursive: true, force: true });
