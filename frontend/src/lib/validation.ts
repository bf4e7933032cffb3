import { z } from 'zod';

// The same rules as the API's shared crate, so most mistakes are caught before a round trip.
export const usernameRule = z
  .string()
  .trim()
  .min(3, 'At least 3 characters.')
  .max(32, 'At most 32 characters.')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "Letters, digits, '.', '_' and '-', starting with a letter or digit.");

export const passwordRule = z
  .string()
  .min(8, 'At least 8 characters.')
  .max(128, 'At most 128 characters.')
  .refine((value) => value.trim().length > 0, 'Must not be only spaces.');

export const nameRule = z.string().trim().min(1, 'Required.').max(100, 'At most 100 characters.');

export const addressRule = z.string().trim().max(200, 'At most 200 characters.');

/** An exact decimal as the API's cost crate parses it: optional `-`, digits, at most 6 decimals. */
export const decimalRule = (label = 'Enter a decimal number such as 0.2534.') =>
  z
    .string()
    .trim()
    .min(1, 'Required.')
    .regex(/^-?\d+(\.\d+)?$/, label)
    .refine((value) => (value.split('.')[1] ?? '').length <= 6, 'At most 6 decimals.');

/** A decimal above zero (a budget, a price that must not be negative). */
export const positiveDecimalRule = (label?: string) =>
  decimalRule(label).refine((value) => !value.startsWith('-') && /[1-9]/.test(value), 'Must be above 0.');

const knownCurrencies: Set<string> | null = (() => {
  try {
    return new Set(Intl.supportedValuesOf('currency'));
  } catch {
    return null;
  }
})();

/** An ISO 4217 code (`EUR`); checked against the browser's list when it has one. */
export const currencyRule = z
  .string()
  .trim()
  .regex(/^[A-Z]{3}$/, 'Three capital letters, such as EUR.')
  .refine((code) => !knownCurrencies || knownCurrencies.has(code), 'Not an ISO 4217 currency code.');

/** An IANA time zone the browser knows (`Europe/Berlin`). */
export const timeZoneRule = z
  .string()
  .trim()
  .min(1, 'Required.')
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'Not a known time zone (IANA name such as Europe/Berlin).');
