import { describe, expect, it } from 'vitest';
import { addDays, formatRelative, isoDate, parseIsoDate, periodSpan, rangeFor, shiftPeriod } from './time';

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

const span = (period: Parameters<typeof periodSpan>[0], date: string) => {
  const { from, to } = periodSpan(period, parseIsoDate(date)!);
  return [isoDate(from), isoDate(to)];
};

describe('chart periods', () => {
  it('spans a day, a Monday-to-Sunday week, a month and a year, like the API', () => {
    expect(span('day', '2026-12-05')).toEqual(['2026-12-05', '2026-12-06']);
    // 2026-12-05 is a Saturday; a Sunday belongs to the week that started the Monday before.
    expect(span('week', '2026-12-05')).toEqual(['2026-11-30', '2026-12-07']);
    expect(span('week', '2026-12-06')).toEqual(['2026-11-30', '2026-12-07']);
    expect(span('week', '2026-11-30')).toEqual(['2026-11-30', '2026-12-07']);
    expect(span('month', '2026-02-14')).toEqual(['2026-02-01', '2026-03-01']);
    expect(span('year', '2026-06-15')).toEqual(['2026-01-01', '2027-01-01']);
  });

  it('moves to the period before or after', () => {
    const date = parseIsoDate('2026-03-31')!;
    expect(isoDate(shiftPeriod('day', date, 1))).toBe('2026-04-01');
    expect(isoDate(shiftPeriod('week', date, -1))).toBe('2026-03-24');
    // The 31st has no February: the month before is still February.
    expect(isoDate(shiftPeriod('month', date, -1))).toBe('2026-02-01');
    expect(isoDate(shiftPeriod('year', date, 1))).toBe('2027-01-01');
  });
});
