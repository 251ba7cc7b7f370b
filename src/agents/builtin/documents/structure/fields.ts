import type { Row } from './rows.js';
import { currencyOf, parseAmount, parseDate, parseIban } from './normalise.js';

type FieldType = 'id' | 'date' | 'amount' | 'iban';

/** The labels documents use for the fields Bosun knows, first match wins (so "Due Date" before "Date"). */
const LABELS: { name: string; type: FieldType; label: RegExp }[] = [
  {
    name: 'Invoice No',
    type: 'id',
    label: /^(invoice\s*(no\.?|number|#)|inv\.?\s*no\.?|rechnungs-?\s*(nummer|nr\.?))\s*[:#]?/i,
  },
  { name: 'Receipt No', type: 'id', label: /^(receipt|transaction)\s*(no\.?|number|#)\s*[:#]?/i },
  { name: 'Order No', type: 'id', label: /^((purchase\s*)?order|po)\s*(no\.?|number|#)\s*[:#]?/i },
  { name: 'Due Date', type: 'date', label: /^(due\s*date|payment\s*due)\s*:?/i },
  { name: 'Date', type: 'date', label: /^(invoice\s*date|date(\s*of\s*issue)?|issued(\s*on)?)\s*:?/i },
  { name: 'Subtotal', type: 'amount', label: /^(sub-?\s?total|net\s*amount)\s*:?/i },
  { name: 'Tax', type: 'amount', label: /^(tax|vat|sales\s*tax|gst)\b(\s*\(?\d+(?:[.,]\d+)?\s*%\)?)?\s*:?/i },
  { name: 'Total', type: 'amount', label: /^((grand\s*)?total(\s*(due|amount))?|amount\s*due|balance\s*due)\s*:?/i },
  { name: 'IBAN', type: 'iban', label: /^iban\s*:?/i },
  { name: 'BIC', type: 'id', label: /^(bic|swift)(\s*code)?\s*:?/i },
];

/** A label the line-item reader must not mistake for an item. */
export const isTotalsLabel = (text: string): boolean =>
  LABELS.some((l) => l.type === 'amount' && l.label.test(text.trim()));

export interface Field {
  /** Normalised: a number for amounts, an ISO date, an IBAN without spaces, else the text. */
  value: string | number;
  /** The row the value was read from, as written. */
  text: string;
  page: number;
  currency?: string;
  /** IBAN only: whether its check digits are right. */
  valid?: boolean;
}

function normalise(type: FieldType, raw: string): Omit<Field, 'text' | 'page'> | null {
  const text = raw.trim();
  if (!text) return null;
  switch (type) {
    case 'id':
      return { value: text.split(/\s+/)[0]!.replace(/^[:#]+/, '') };
    case 'date': {
      const value = parseDate(text);
      return value ? { value } : null;
    }
    case 'amount': {
      const value = parseAmount(text);
      const currency = currencyOf(text);
      return value === null ? null : { value, ...(currency ? { currency } : {}) };
    }
    case 'iban': {
      const iban = parseIban(text);
      return iban ? { value: iban.value, valid: iban.valid } : null;
    }
  }
}

/**
 * Key–value pairs: the known fields (normalised), and any other `Label: value` the document
 * shows, kept as text. A value may sit in the label's cell or in the next cell of the row.
 */
export function extractFields(rows: Row[]): Record<string, Field> {
  const fields: Record<string, Field> = {};
  for (const row of rows) {
    row.cells.forEach((cell, i) => {
      const known = LABELS.find((l) => l.label.test(cell.text));
      if (known) {
        if (fields[known.name]) return;
        const inCell = cell.text.replace(known.label, '');
        const value = normalise(known.type, inCell) ?? normalise(known.type, row.cells[i + 1]?.text ?? '');
        if (value) fields[known.name] = { ...value, text: row.text, page: row.page };
        return;
      }
      const generic = /^([A-Z][\w ./&-]{1,30}?):\s*(\S.*)?$/.exec(cell.text);
      if (generic && !fields[generic[1]!]) {
        const value = (generic[2] ?? row.cells[i + 1]?.text ?? '').trim();
        if (value) fields[generic[1]!] = { value, text: row.text, page: row.page };
      }
    });
  }
  return fields;
}
