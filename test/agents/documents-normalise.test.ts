import { describe, expect, it } from 'vitest';
import {
  currencyOf,
  parseAmount,
  parseDate,
  parseIban,
} from '../../src/agents/builtin/documents/structure/normalise.js';
import { parsePageList } from '../../src/agents/builtin/documents/input.js';
import { languagePackage } from '../../src/docs/ocr/index.js';

describe('what documents write, normalised', () => {
  it('amounts in English and European notation, with currency', () => {
    expect(parseAmount('1,234.50')).toBe(1234.5);
    expect(parseAmount('EUR 1.234,50')).toBe(1234.5);
    expect(parseAmount('1 234,5')).toBe(1234.5);
    expect(parseAmount('€ 99')).toBe(99);
    expect(parseAmount('(12.00)')).toBe(-12);
    expect(parseAmount('no number')).toBeNull();
    expect(currencyOf('Total EUR 30,143.40')).toBe('EUR');
    expect(currencyOf('£12')).toBe('GBP');
  });

  it('dates in the common written forms, and impossible dates refused', () => {
    expect(parseDate('2025-03-14')).toBe('2025-03-14');
    expect(parseDate('14.03.2025')).toBe('2025-03-14');
    expect(parseDate('03/14/2025')).toBe('2025-03-14');
    expect(parseDate('14/03/2025')).toBe('2025-03-14');
    expect(parseDate('March 14, 2025')).toBe('2025-03-14');
    expect(parseDate('14 Mar 2025')).toBe('2025-03-14');
    expect(parseDate('31.02.2025')).toBeNull();
  });

  it('IBANs with their check digits verified', () => {
    expect(parseIban('IBAN: DE89 3704 0044 0532 0130 00')).toEqual({ value: 'DE89370400440532013000', valid: true });
    expect(parseIban('DE88 3704 0044 0532 0130 00')).toEqual({ value: 'DE88370400440532013000', valid: false });
  });

  it('page lists and language packages', () => {
    expect(parsePageList('1-3, 7')).toEqual([1, 2, 3, 7]);
    expect(() => parsePageList('3-1')).toThrow(/not a page or a range/);
    expect(languagePackage('chi_sim')).toBe('tesseract-ocr-chi-sim');
  });
});
