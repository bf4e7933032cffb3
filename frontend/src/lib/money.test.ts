import { describe, expect, it } from 'vitest';
import { formatAmount, formatMoney, formatPricePerKwh } from './money';
import { localMidnightRfc3339 } from './time';

describe('money formatting', () => {
  it("formats money in the answer's currency with the locale's symbol and two decimals", () => {
    expect(formatMoney(3.12, 'EUR', 'en-US')).toBe('€3.12');
    expect(formatMoney(120, 'EUR', 'en-US')).toBe('€120.00');
    expect(formatMoney(0.004, 'USD', 'en-US')).toBe('$0.00');
    expect(formatMoney(1234.5, 'EUR', 'de-DE')).toBe('1.234,50\u00a0€');
    expect(formatMoney(12, 'RON', 'en-US')).toBe('RON\u00a012.00');
  });

  it('keeps up to four decimals of a price per kWh', () => {
    expect(formatPricePerKwh(0.2534, 'EUR', 'en-US')).toBe('€0.2534/kWh');
    expect(formatPricePerKwh(0.3, 'EUR', 'en-US')).toBe('€0.30/kWh');
  });

  it('does not throw on a code Intl refuses', () => {
    expect(formatMoney(3.1, 'E1R', 'en-US')).toBe('3.10 E1R');
  });

  it("formats a budget amount in money or kWh, and money without a currency as a plain number", () => {
    expect(formatAmount(120, 'money', 'EUR', 'en-US')).toBe('€120.00');
    expect(formatAmount(350.5, 'kwh', null, 'en-US')).toBe('350.5 kWh');
    expect(formatAmount(120, 'money', null, 'en-US')).toBe('120.00');
  });

  it("turns a picked date into local midnight with the browser's offset", () => {
    const value = localMidnightRfc3339('2026-12-05')!;
    expect(value).toMatch(/^2026-12-05T00:00:00[+-]\d{2}:\d{2}$/);
    expect(new Date(value).getTime()).toBe(new Date(2026, 11, 5).getTime());
    expect(localMidnightRfc3339('2026-02-30')).toBeNull();
  });
});
