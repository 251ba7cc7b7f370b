/**
 * Numbers, dates and IBANs as written on documents, normalised: `1.234,50` and `1,234.50` are
 * both 1234.5; `14.03.2025`, `03/14/2025` and `14 March 2025` are all 2025-03-14.
 */

/** An amount with optional currency sign or code; the decimal separator is the last `.` or `,` followed by 1–2 digits. */
export function parseAmount(text: string): number | null {
  const m = /[-(]?\s*\d[\d\s.,']*/.exec(text.replace(/[€$£]|\b[A-Z]{3}\b/g, ' '));
  if (!m) return null;
  let s = m[0].replace(/[\s']/g, '');
  const negative = /^[-(]/.test(s);
  s = s.replace(/^[-(]/, '').replace(/[.,]$/, '');
  const decimal = /[.,](\d{1,2})$/.exec(s);
  const whole = (decimal ? s.slice(0, -decimal[0].length) : s).replace(/[.,]/g, '');
  if (!/^\d+$/.test(whole)) return null;
  const value = Number(decimal ? `${whole}.${decimal[1]}` : whole);
  return negative ? -value : value;
}

export function parseQuantity(text: string): number | null {
  const m = /^\s*(\d+(?:[.,]\d+)?)\b/.exec(text);
  return m ? Number(m[1]!.replace(',', '.')) : null;
}

export function currencyOf(text: string): string | null {
  const code = /\b(EUR|USD|GBP|CHF|JPY|SEK|NOK|DKK|PLN|CZK)\b/.exec(text)?.[1];
  if (code) return code;
  return ({ '€': 'EUR', $: 'USD', '£': 'GBP' } as Record<string, string>)[/[€$£]/.exec(text)?.[0] ?? ''] ?? null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function iso(y: number, m: number, d: number): string | null {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

const fullYear = (y: string) => (y.length === 2 ? 2000 + Number(y) : Number(y));

/** ISO 8601 date, or null. Slashes are read month first (US) unless the first number cannot be a month. */
export function parseDate(text: string): string | null {
  let m = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/.exec(text);
  if (m) return iso(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /\b(\d{1,2})\.(\d{1,2})\.(\d{2,4})\b/.exec(text);
  if (m) return iso(fullYear(m[3]!), Number(m[2]), Number(m[1]));
  m = /\b(\d{1,2})\/(\d{1,2})\/(\d{2,4})\b/.exec(text);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    return a > 12 ? iso(fullYear(m[3]!), b, a) : iso(fullYear(m[3]!), a, b);
  }
  m = /\b(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{4})\b/.exec(text);
  if (m && MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase()) >= 0)
    return iso(Number(m[3]), MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase()) + 1, Number(m[1]));
  m = /\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b/.exec(text);
  if (m && MONTHS.indexOf(m[1]!.slice(0, 3).toLowerCase()) >= 0)
    return iso(Number(m[3]), MONTHS.indexOf(m[1]!.slice(0, 3).toLowerCase()) + 1, Number(m[2]));
  return null;
}

/** IBAN without spaces, with its ISO 13616 check (mod 97 = 1). */
export function parseIban(text: string): { value: string; valid: boolean } | null {
  const m = /\b([A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?)\b/.exec(text.toUpperCase());
  if (!m) return null;
  const value = m[1]!.replace(/\s/g, '');
  const rearranged = value.slice(4) + value.slice(0, 4);
  const digits = rearranged.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return { value, valid: rest === 1 };
}
