import type { PageSpec, TextItem } from './generate.js';

/**
 * Generated invoices whose every field and line item is known, for doc.structure's tests and
 * bench/documents.ts. A seed picks the items, the date format and the numbers.
 */
export interface InvoiceItem {
  description: string;
  quantity: number;
  unit_price: number;
  amount: number;
}

export interface InvoiceTruth {
  fields: {
    'Invoice No': string;
    Date: string;
    'Due Date': string;
    Subtotal: number;
    Tax: number;
    Total: number;
    IBAN: string;
  };
  items: InvoiceItem[];
}

const SERVICES = [
  'Data pipeline design',
  'Warehouse migration',
  'Dashboard setup',
  'Consulting hours',
  'Data quality audit',
  'API integration',
  'Training workshop',
  'Support retainer',
  'Schema review',
  'Report automation',
];

/** A small deterministic generator (mulberry32), so a seed always gives the same invoice. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cents = (n: number) => Math.round(n * 100) / 100;
export const money = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A German IBAN with correct check digits (ISO 13616). */
function iban(rand: () => number): string {
  const bban = Array.from({ length: 18 }, () => Math.floor(rand() * 10)).join('');
  let rest = 0;
  for (const d of `${bban}131400`) rest = (rest * 10 + Number(d)) % 97;
  return `DE${String(98 - rest).padStart(2, '0')}${bban}`;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function writtenDate(iso: string, style: number): string {
  const [y, m, d] = iso.split('-');
  if (style === 0) return iso;
  if (style === 1) return `${d}.${m}.${y}`;
  return `${MONTHS[Number(m) - 1]} ${Number(d)}, ${y}`;
}

/** One invoice page; `statedTotal` overrides the printed total (to test that a mismatch is reported). */
export function invoice(
  seed: number,
  options: { statedTotal?: number } = {},
): { pages: PageSpec[]; truth: InvoiceTruth } {
  const rand = random(seed);
  const count = 2 + Math.floor(rand() * 5);
  const items: InvoiceItem[] = Array.from({ length: count }, (_, i) => {
    const quantity = 1 + Math.floor(rand() * 12);
    const unitPrice = cents(40 + Math.floor(rand() * 2000) + (rand() < 0.5 ? 0.5 : 0));
    return {
      description: SERVICES[(seed + i * 3) % SERVICES.length]!,
      quantity,
      unit_price: unitPrice,
      amount: cents(quantity * unitPrice),
    };
  });
  const subtotal = cents(items.reduce((s, i) => s + i.amount, 0));
  const tax = cents(subtotal * 0.2);
  const total = cents(subtotal + tax);
  const day = new Date(Date.UTC(2025, 0, 1) + Math.floor(rand() * 330) * 86_400_000);
  const date = day.toISOString().slice(0, 10);
  const due = new Date(day.getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
  const style = seed % 3;
  const number = `INV-2025-${String(1000 + seed).padStart(4, '0')}`;
  const account = iban(rand);
  const grouped = account.replace(/(.{4})/g, '$1 ').trim();

  const t = (text: string, x: number, y: number, more: Partial<TextItem> = {}): TextItem => ({
    text,
    x,
    y,
    size: 10,
    ...more,
  });
  const page: PageSpec = [
    t('INVOICE', 72, 72, { size: 24, bold: true }),
    t('Northwind Data Services GmbH', 72, 100),
    t('Hafenstrasse 12, 20457 Hamburg', 72, 114),
    t(`Invoice No: ${number}`, 72, 150),
    t(`Date: ${writtenDate(date, style)}`, 72, 166),
    t(`Due Date: ${writtenDate(due, style)}`, 72, 182),
    t('Bill To: Contoso Analytics Ltd', 72, 210),
    t('Description', 72, 260, { bold: true }),
    t('Qty', 360, 260, { bold: true, align: 'right' }),
    t('Unit Price', 450, 260, { bold: true, align: 'right' }),
    t('Amount', 523, 260, { bold: true, align: 'right' }),
  ];
  items.forEach((item, i) => {
    const y = 280 + i * 18;
    page.push(t(item.description, 72, y), t(String(item.quantity), 360, y, { align: 'right' }));
    page.push(t(money(item.unit_price), 450, y, { align: 'right' }), t(money(item.amount), 523, y, { align: 'right' }));
  });
  let y = 280 + items.length * 18 + 12;
  const printedTotal = options.statedTotal ?? total;
  for (const [label, value] of [
    ['Subtotal', money(subtotal)],
    ['Tax (20%)', money(tax)],
    ['Total', `EUR ${money(printedTotal)}`],
  ] as const) {
    page.push(
      t(label, 380, y, { bold: label === 'Total' }),
      t(value, 523, y, { align: 'right', bold: label === 'Total' }),
    );
    y += 18;
  }
  page.push(t(`IBAN: ${grouped}`, 72, y + 30), t('Thank you for your business.', 72, y + 46));
  return {
    pages: [page],
    truth: {
      fields: {
        'Invoice No': number,
        Date: date,
        'Due Date': due,
        Subtotal: subtotal,
        Tax: tax,
        Total: printedTotal,
        IBAN: account,
      },
      items,
    },
  };
}
