import { describe, expect, it } from 'vitest';
import { cronFiredBetween, cronMatches, parseCron } from '../../../src/docs/sync/index.js';

const at = (iso: string) => new Date(iso);

describe('cron expressions for scheduled syncs', () => {
  it('matches minutes, hours, steps, ranges, lists and names (UTC)', () => {
    const daily = parseCron('0 3 * * *');
    expect(cronMatches(daily, at('2026-01-05T03:00:00Z'))).toBe(true);
    expect(cronMatches(daily, at('2026-01-05T03:01:00Z'))).toBe(false);
    expect(cronMatches(daily, at('2026-01-05T04:00:00Z'))).toBe(false);

    const quarter = parseCron('*/15 9-17 * * mon-fri');
    expect(cronMatches(quarter, at('2026-01-05T09:45:00Z'))).toBe(true); // a Monday
    expect(cronMatches(quarter, at('2026-01-05T09:50:00Z'))).toBe(false);
    expect(cronMatches(quarter, at('2026-01-04T09:45:00Z'))).toBe(false); // a Sunday

    const listed = parseCron('5,35 0 1 jan,jul *');
    expect(cronMatches(listed, at('2026-07-01T00:35:00Z'))).toBe(true);
    expect(cronMatches(listed, at('2026-08-01T00:35:00Z'))).toBe(false);
  });

  it('treats 7 as Sunday and ORs day of month with day of week when both are given', () => {
    expect(cronMatches(parseCron('0 0 * * 7'), at('2026-01-04T00:00:00Z'))).toBe(true);
    const either = parseCron('0 0 13 * fri');
    expect(cronMatches(either, at('2026-01-13T00:00:00Z'))).toBe(true); // a Tuesday the 13th
    expect(cronMatches(either, at('2026-01-09T00:00:00Z'))).toBe(true); // a Friday the 9th
    expect(cronMatches(either, at('2026-01-08T00:00:00Z'))).toBe(false);
  });

  it('refuses malformed expressions with the reason', () => {
    expect(() => parseCron('0 3 * *')).toThrow(/expected 5 fields, got 4/);
    expect(() => parseCron('60 * * * *')).toThrow(/'60' is not a valid minute/);
    expect(() => parseCron('* * * * funday')).toThrow(/not a valid day of week/);
    expect(() => parseCron('*/0 * * * *')).toThrow(/bad step/);
    expect(() => parseCron('5-1 * * * *')).toThrow(/runs backwards/);
  });

  it('tells whether a schedule fired in a window, once however long the window', () => {
    const daily = parseCron('0 3 * * *');
    expect(cronFiredBetween(daily, at('2026-01-05T02:59:30Z'), at('2026-01-05T03:00:10Z'))).toBe(true);
    expect(cronFiredBetween(daily, at('2026-01-05T03:00:00Z'), at('2026-01-05T03:00:59Z'))).toBe(false);
    expect(cronFiredBetween(daily, at('2026-01-05T03:00:00Z'), at('2026-01-06T02:59:00Z'))).toBe(false);
    expect(cronFiredBetween(daily, at('2025-06-01T00:00:00Z'), at('2026-01-06T03:00:00Z'))).toBe(true);
  });
});
