/** The browser's IANA time zone, sent with every chart query. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A local date as `YYYY-MM-DD`. */
export function isoDate(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Parses `YYYY-MM-DD` as local midnight. */
export function parseIsoDate(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(date.getTime()) || isoDate(date) !== value ? null : date;
}

/** Adds calendar days in local time (so DST days keep their dates). */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
}

export type RangeView = 'week' | 'month';

/** The local `[from, to)` span of the week (7 days ending on `date`) or the calendar month of `date`. */
export function rangeFor(view: RangeView, date: Date): { from: Date; to: Date } {
  if (view === 'week') return { from: addDays(date, -6), to: addDays(date, 1) };
  return { from: new Date(date.getFullYear(), date.getMonth(), 1), to: new Date(date.getFullYear(), date.getMonth() + 1, 1) };
}

/** A chart period as the API names it: a day by hour, a week (Monday–Sunday) or a month by day, a year by month. */
export type Period = 'day' | 'week' | 'month' | 'year';

/** The local `[from, to)` span of the period that contains `date` (weeks start on Monday, like the API's). */
export function periodSpan(period: Period, date: Date): { from: Date; to: Date } {
  const y = date.getFullYear();
  const m = date.getMonth();
  switch (period) {
    case 'day':
      return { from: addDays(date, 0), to: addDays(date, 1) };
    case 'week': {
      const monday = addDays(date, -((date.getDay() + 6) % 7));
      return { from: monday, to: addDays(monday, 7) };
    }
    case 'month':
      return { from: new Date(y, m, 1), to: new Date(y, m + 1, 1) };
    case 'year':
      return { from: new Date(y, 0, 1), to: new Date(y + 1, 0, 1) };
  }
}

/** A date in the period before (-1) or after (1) the one containing `date`. */
export function shiftPeriod(period: Period, date: Date, direction: 1 | -1): Date {
  switch (period) {
    case 'day':
      return addDays(date, direction);
    case 'week':
      return addDays(date, 7 * direction);
    case 'month':
      return new Date(date.getFullYear(), date.getMonth() + direction, 1);
    case 'year':
      return new Date(date.getFullYear() + direction, 0, 1);
  }
}

/** Short month `Dec` in the browser's zone. */
export function formatMonth(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { month: 'short' });
}

/** Hour of day `HH:mm` in the browser's zone. */
export function formatHour(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** Short day `Mon 3` in the browser's zone. */
export function formatDay(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric' });
}

/** Date and time for lists. */
export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** kWh with three decimals, the precision a household meter shows. */
export function formatKwh(kwh: number): string {
  return `${kwh.toLocaleString(undefined, { minimumFractionDigits: 3, maximumFractionDigits: 3 })} kWh`;
}

/** Local midnight of a `YYYY-MM-DD` date as RFC 3339 with the browser's offset: `2026-12-05T00:00:00+01:00`. */
export function localMidnightRfc3339(value: string): string | null {
  const date = parseIsoDate(value);
  if (!date) return null;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${value}T00:00:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A date without the time, for lists of "from" dates. */
export function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

/** How long ago (or ahead) `iso` is, in words: "5 minutes ago", "yesterday", "just now". */
export function formatRelative(iso: string, now = Date.now()): string {
  let value = (Date.parse(iso) - now) / 1000;
  if (Number.isNaN(value)) return iso;
  if (Math.abs(value) < 10) return 'just now';
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.round(Math.abs(value)) < size) return format.format(Math.round(value), unit);
    value /= size;
  }
  return format.format(Math.round(value), 'year');
}
