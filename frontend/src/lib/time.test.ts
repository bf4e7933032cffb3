import { describe, expect, it } from 'vitest';
import { addDays, formatRelative, isoDate, parseIsoDate, rangeFor } from './time';

describe('time helpers', () => {
  it('round-trips local dates and rejects impossible ones', () => {
    expect(isoDate(parseIsoDate('2026-03-29')!)).toBe('2026-03-29');
    expect(parseIsoDate('2026-02-30')).toBeNull();
    expect(parseIsoDate('29.03.2026')).toBeNull();
  });

  it('adds calendar days across month ends', () => {
    expect(isoDate(addDays(parseIsoDate('2026-01-31')!, 1))).toBe('2026-02-01');
  });

  it('spans a week ending on the date and a whole calendar month', () => {
    const day = parseIsoDate('2026-03-10')!;
    const week = rangeFor('week', day);
    expect([isoDate(week.from), isoDate(week.to)]).toEqual(['2026-03-04', '2026-03-11']);
    const month = rangeFor('month', day);
    expect([isoDate(month.from), isoDate(month.to)]).toEqual(['2026-03-01', '2026-04-01']);
  });

  it('says how long ago a moment was, in the largest fitting unit', () => {
    const now = Date.parse('2026-03-29T12:00:00Z');
    expect(formatRelative('2026-03-29T11:59:55Z', now)).toBe('just now');
    expect(formatRelative('2026-03-29T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2026-03-29T11:01:00Z', now)).toBe('59 minutes ago');
    expect(formatRelative('2026-03-29T10:00:00Z', now)).toBe('2 hours ago');
    expect(formatRelative('2026-03-28T11:00:00Z', now)).toBe('yesterday');
  });
});
