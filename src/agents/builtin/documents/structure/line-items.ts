import type { Field } from './fields.js';
import { isTotalsLabel } from './fields.js';
import { parseAmount, parseQuantity } from './normalise.js';
import type { Table } from './tables.js';

export interface LineItem {
  description: string;
  quantity: number | null;
  unit_price: number | null;
  amount: number;
  /** The row as written. */
  text: string;
  page: number;
  /** quantity × unit price against amount, where all three are there. */
  check: 'ok' | 'mismatch' | 'unchecked';
}

export interface TotalCheck {
  items_sum: number;
  subtotal: number | null;
  tax: number | null;
  total: number | null;
  /** What the items and tax add up to, compared with the stated total (or subtotal). */
  ok: boolean;
  difference: number;
  message: string;
}

const HEADERS = {
  description: /^(description|item|items|product|service|article|details?)\b/i,
  quantity: /^(qty|quantity|units?|hours|hrs|pcs)\b/i,
  unit_price: /^(unit\s*price|price|rate|unit\s*cost)\b/i,
  amount: /^(amount|line\s*total|total|sum|net)\b/i,
};
type Column = keyof typeof HEADERS;

const cents = (n: number) => Math.round(n * 100) / 100;

/** Which column holds what, from a header row; null unless it has a description and an amount. */
function headerColumns(header: string[]): Partial<Record<Column, number>> | null {
  const found: Partial<Record<Column, number>> = {};
  header.forEach((cell, i) => {
    for (const [name, re] of Object.entries(HEADERS) as [Column, RegExp][]) {
      if (found[name] === undefined && re.test(cell.trim())) {
        found[name] = i;
        break;
      }
    }
  });
  return found.description !== undefined && found.amount !== undefined ? found : null;
}

/** The invoice's items: the rows under a header with a description and an amount column, up to the totals. */
export function extractLineItems(tables: Table[]): LineItem[] {
  for (const table of tables) {
    const columns = headerColumns(table.rows[0]!);
    if (!columns) continue;
    const items: LineItem[] = [];
    for (const [i, cells] of table.rows.slice(1).entries()) {
      const description = cells[columns.description!]!.trim();
      if (isTotalsLabel(cells.find((c) => c.trim() !== '') ?? '')) break;
      const amount = parseAmount(cells[columns.amount!] ?? '');
      if (amount === null || !description) continue;
      const quantity = columns.quantity !== undefined ? parseQuantity(cells[columns.quantity]!) : null;
      const unitPrice = columns.unit_price !== undefined ? parseAmount(cells[columns.unit_price]!) : null;
      const check =
        quantity === null || unitPrice === null
          ? 'unchecked'
          : Math.abs(cents(quantity * unitPrice) - amount) <= 0.011
            ? 'ok'
            : 'mismatch';
      const source = table.source[i + 1]!;
      items.push({ description, quantity, unit_price: unitPrice, amount, text: source.text, page: source.page, check });
    }
    if (items.length) return items;
  }
  return [];
}

const numberOf = (f: Field | undefined) => (typeof f?.value === 'number' ? f.value : null);

/**
 * Do the items add up? Against the subtotal when the document states one (and then subtotal +
 * tax against the total), else items + tax against the total. A mismatch is reported with the
 * difference, never rounded away.
 */
export function checkTotals(items: LineItem[], fields: Record<string, Field>): TotalCheck {
  const itemsSum = cents(items.reduce((s, i) => s + i.amount, 0));
  const subtotal = numberOf(fields.Subtotal);
  const tax = numberOf(fields.Tax);
  const total = numberOf(fields.Total);
  const base = { items_sum: itemsSum, subtotal, tax, total };
  const money = (n: number) => n.toFixed(2);
  if (subtotal !== null) {
    const difference = cents(itemsSum - subtotal);
    if (difference !== 0)
      return {
        ...base,
        ok: false,
        difference,
        message: `the items sum to ${money(itemsSum)}, the subtotal says ${money(subtotal)}`,
      };
    if (total !== null) {
      const expected = cents(subtotal + (tax ?? 0));
      const off = cents(expected - total);
      if (off !== 0)
        return {
          ...base,
          ok: false,
          difference: off,
          message: `subtotal + tax is ${money(expected)}, the total says ${money(total)}`,
        };
    }
    return {
      ...base,
      ok: true,
      difference: 0,
      message: 'the items add up to the subtotal, and subtotal + tax to the total',
    };
  }
  if (total === null)
    return { ...base, ok: false, difference: 0, message: 'the document states no total to check against' };
  const expected = cents(itemsSum + (tax ?? 0));
  const difference = cents(expected - total);
  return difference === 0
    ? { ...base, ok: true, difference, message: `the items${tax !== null ? ' and tax' : ''} add up to the total` }
    : {
        ...base,
        ok: false,
        difference,
        message: `the items${tax !== null ? ' and tax' : ''} sum to ${money(expected)}, the total says ${money(total)}`,
      };
}
